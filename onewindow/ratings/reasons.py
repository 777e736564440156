"""The reasons a rater picks from for a bad rating (不满意, 非常不满意), as data.

The codes are stored on the rating (`Rating.reasons`) and never change meaning; the labels
are shown in the visitor's language (Chinese first). A new reason is a new code at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Reason:
    code: str
    label: str | Promise


REASONS: tuple[Reason, ...] = (
    Reason("attitude", _("Unfriendly attitude")),  # 态度不好
    Reason("slow", _("Slow, dragging the work out")),  # 办事拖拉
    Reason("many_trips", _("Had to come back several times")),  # 多次跑腿
    Reason("unclear_materials", _("Unclear which materials were required")),  # 材料要求不清
    Reason("long_wait", _("Long waiting time")),  # 等候时间长
    Reason("irregular_fees", _("Irregular fees")),  # 收费不规范
    Reason("other", _("Other")),  # 其他
)

CODES = frozenset(r.code for r in REASONS)


def label(code: str) -> str:
    """The label of a stored code (the code itself for one no longer in the list)."""
    for reason in REASONS:
        if reason.code == code:
            return str(reason.label)
    return code
