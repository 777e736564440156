"""Search helpers: pinyin of item names and the one search condition used everywhere.

Citizens often type the initials of an item's pinyin (机动车注册登记 → JDCZCDJ) or the
pinyin itself; both are stored on the version when it is saved.
"""

from __future__ import annotations

import re

from django.db.models import Q

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _syllables(name: str, style: str) -> list[str]:
    # Imported when first needed: its dictionaries take ~55 MB, and only the processes
    # that save item names (the catalogue's services, the demo) ever need them.
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(name or "", style=getattr(Style, style), errors="default", strict=False)


def pinyin_initials(name: str) -> str:
    """Upper-case initials of the Chinese characters, letters and digits kept (C1驾驶证 → C1JSZ)."""
    parts = []
    for part in _syllables(name, "FIRST_LETTER"):
        parts.append(_NON_ALNUM.sub("", part))
    return "".join(parts).upper()[:200]


def pinyin_full(name: str) -> str:
    """Lower-case pinyin without tones or spaces (机动车 → jidongche)."""
    return "".join(_NON_ALNUM.sub("", part) for part in _syllables(name, "NORMAL")).lower()[:800]


def search_q(text: str, prefix: str = "") -> Q:
    """The condition for a search box: name, pinyin initials or pinyin, or a code.

    ``prefix`` is the path to the version (``"published_version__"`` when searching items).
    """
    text = (text or "").strip()
    if not text:
        return Q()
    cond = Q(**{f"{prefix}name__icontains": text})
    compact = _NON_ALNUM.sub("", text)
    if compact and not _HAN.search(text):
        cond |= Q(**{f"{prefix}pinyin_initials__contains": compact.upper()})
        cond |= Q(**{f"{prefix}pinyin__contains": compact.lower()})
        cond |= Q(**{f"{prefix}item__implementation_code__icontains": text})
        cond |= Q(**{f"{prefix}item__catalogue_code__icontains": text})
    return cond
