"""Data of the demo catalogue: per-department templates from which demo.py builds the items.

Each department lists its items as compact rows; variants (vehicle kinds, company forms, the
reasons to withdraw provident fund…) are generated from subject × action families so that the
names stay plausible. Laws are real; fee standards are typical values, for demonstration.

Row: (name, item type, "I" immediate / "P" promised, legal days, promised days, result,
      fee keys, materials). Materials are names; "~name" may follow later (容缺), "?name" is
      needed only where it applies.
"""

from __future__ import annotations

from .base import BEN, CONF, FEES, LEV, LIC, OTH, PUB, Department, family
from .centre import (
    CGJ,
    COMPANY_FORMS,
    FGW,
    HBJ,
    JTJ,
    JYJ,
    NYJ,
    SCJ,
    SWJ,
    SWU,
    WJW,
    WTLJ,
    YJJ,
    ZJJ,
    ZRZY,
)
from .laws import SPECIFIC_BASIS
from .sub_centres import DS, FC, GA, GJJ, LB, MZ, RH, TD

# The order of the catalogue codes: the sub-centres first, then the centre's departments.
# fmt: off
DEPARTMENTS: list[Department] = [
    GA, LB, MZ, DS, FC, TD, RH, GJJ,
    SCJ, ZJJ, JTJ, WJW, JYJ, ZRZY, HBJ, WTLJ, SWJ, NYJ, SWU, CGJ, YJJ, FGW,
]
__all__ = [
    "BEN", "CONF", "LEV", "LIC", "OTH", "PUB", "COMPANY_FORMS", "DEPARTMENTS", "FEES",
    "SPECIFIC_BASIS", "Department", "family",
]
# fmt: on
