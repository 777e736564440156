"""Identity numbers: resident ID (居民身份证号码) and unified social credit code.

* Resident ID, GB 11643-1999: 6-digit region code, 8-digit birth date, 3-digit
  sequence, one check character (ISO 7064 MOD 11-2; 10 is written ``X``).
* Unified social credit code (统一社会信用代码), GB 32100-2015: registration
  department, organisation type, 6-digit region code, 9-character organisation code,
  one check character (MOD 31 over a 31-character alphabet without I, O, Z, S, V).

Plus masking helpers, so personal numbers are shown only to those who need them.

Error ``code`` values are short stable strings the Django layer translates; the
English messages are for logs and as a fallback. This module must not import Django.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

__all__ = [
    "CREDIT_CODE_CHARSET",
    "ID_ERROR_CODES",
    "PROVINCE_CODES",
    "InvalidIdNumber",
    "birth_date_from_resident_id",
    "credit_code_check_char",
    "is_valid_credit_code",
    "is_valid_resident_id",
    "looks_like_personal_number",
    "mask_credit_code",
    "mask_name",
    "mask_phone",
    "mask_resident_id",
    "normalize",
    "resident_id_check_char",
    "validate_credit_code",
    "validate_resident_id",
]

#: Every ``InvalidIdNumber.code``; stable, for translation.
ID_ERROR_CODES: tuple[str, ...] = (
    "empty",
    "length",
    "characters",
    "checksum",
    "birth_date",
    "region",
)


class InvalidIdNumber(ValueError):
    """An identity number that fails validation; ``code`` says which rule failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalize(value: str) -> str:
    """Remove all whitespace and upper-case; full-width characters become ASCII.

    People paste numbers typed with a Chinese input method, so full-width digits and
    letters (``１２３Ｘ``) and ideographic spaces are common; NFKC folds them.
    """
    folded = unicodedata.normalize("NFKC", value)
    return "".join(folded.split()).upper()


# ---------------------------------------------------------------------------
# Resident identity number (GB 11643)
# ---------------------------------------------------------------------------

#: First two digits of a resident ID: province-level codes of GB/T 2260, plus
#: 81/82/83 used on residence permits of Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)

# Weight of position i (0-based) is 2**(17 - i) mod 11 (ISO 7064 MOD 11-2).
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "0123456789X"
_ID_RE = re.compile(r"\d{17}[\dX]")


def resident_id_check_char(first17: str) -> str:
    """Check character for the first 17 digits of a resident ID (``0``-``9`` or ``X``)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("expected exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[(12 - total % 11) % 11]


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate an 18-character resident ID and return it normalized.

    Checks, in order: not empty, length 18, 17 digits plus a digit or ``X``, the
    region (a known province code; foreigners' permanent-residence numbers of the
    2023 format start with ``9`` followed by the province code), a real birth date
    from 1900 up to ``today``, and the check character. Raises
    :class:`InvalidIdNumber`.
    """
    v = normalize(value)
    if not v:
        raise InvalidIdNumber("empty", "the ID number is empty")
    if len(v) != 18:
        raise InvalidIdNumber("length", f"an ID number has 18 characters, got {len(v)}")
    if not _ID_RE.fullmatch(v):
        raise InvalidIdNumber("characters", "an ID number is 17 digits followed by a digit or X")
    province = v[1:3] if v[0] == "9" else v[:2]
    if province not in PROVINCE_CODES:
        raise InvalidIdNumber("region", f"{v[:2]} is not a valid region code")
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise InvalidIdNumber("birth_date", f"{v[6:14]} is not a valid birth date") from None
    if born.year < 1900 or born > (today or date.today()):
        raise InvalidIdNumber("birth_date", f"{v[6:14]} is not a plausible birth date")
    if resident_id_check_char(v[:17]) != v[17]:
        raise InvalidIdNumber("checksum", "the check character does not match")
    return v


def is_valid_resident_id(value: object) -> bool:
    """Whether ``value`` is a valid resident ID (any non-string is not)."""
    if not isinstance(value, str):
        return False
    try:
        validate_resident_id(value)
    except InvalidIdNumber:
        return False
    return True


def birth_date_from_resident_id(value: str) -> date:
    """The birth date in a valid resident ID; raises :class:`InvalidIdNumber`."""
    v = validate_resident_id(value)
    return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


# ---------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# ---------------------------------------------------------------------------

#: The 31 characters a credit code may use (no I, O, Z, S, V: too easily misread).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {c: i for i, c in enumerate(CREDIT_CODE_CHARSET)}
# Weight of position i is 3**i mod 31.
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registering department (e.g. 1 机构编制, 5 民政, 9 工商/市场监管,
# N 农业, Y 其他). GB 32100-2015 and later assignments use exactly these characters.
_REGISTRATION_DEPTS = frozenset("123456789ABCDGNY")


def credit_code_check_char(first17: str) -> str:
    """Check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in _CREDIT_VALUES for c in first17):
        raise ValueError("expected 17 characters from the credit code alphabet")
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code; return it normalized.

    Checks: not empty, length 18, every character from the 31-character alphabet,
    a known registration department (1st), an organisation type from the alphabet
    (2nd), a 6-digit region code (3rd-8th), and the check character. Raises
    :class:`InvalidIdNumber`.
    """
    v = normalize(value)
    if not v:
        raise InvalidIdNumber("empty", "the credit code is empty")
    if len(v) != 18:
        raise InvalidIdNumber("length", f"a credit code has 18 characters, got {len(v)}")
    bad = sorted({c for c in v if c not in _CREDIT_VALUES})
    if bad:
        raise InvalidIdNumber("characters", f"a credit code cannot contain {''.join(bad)!r}")
    if v[0] not in _REGISTRATION_DEPTS:
        raise InvalidIdNumber("characters", f"{v[0]!r} is not a registration department code")
    if not v[2:8].isdigit():
        raise InvalidIdNumber("region", f"{v[2:8]} is not an administrative region code")
    if credit_code_check_char(v[:17]) != v[17]:
        raise InvalidIdNumber("checksum", "the check character does not match")
    return v


def is_valid_credit_code(value: object) -> bool:
    """Whether ``value`` is a valid credit code (any non-string is not)."""
    if not isinstance(value, str):
        return False
    try:
        validate_credit_code(value)
    except InvalidIdNumber:
        return False
    return True


# ---------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------


def _mask_middle(value: str, head: int, tail: int) -> str:
    """Keep ``head`` and ``tail`` characters, star the rest.

    When the string is too short for that to hide anything useful (fewer than
    ``head + tail + 4`` characters), keep only about a third visible instead, so
    a truncated or odd value is still mostly hidden.
    """
    n = len(value)
    if n == 0:
        return ""
    if n < head + tail + 4:
        visible = n // 3
        head = (visible + 1) // 2
        tail = visible - head
    return value[:head] + "*" * (n - head - tail) + value[n - tail :]


def mask_resident_id(value: str) -> str:
    """Keep the first 6 and last 4 characters: ``320582********1234``."""
    return _mask_middle("".join(str(value).split()), 6, 4)


def mask_credit_code(value: str) -> str:
    """Keep the first 4 and last 4 characters: ``9135**********0Y43``."""
    return _mask_middle("".join(str(value).split()), 4, 4)


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits of a mobile number: ``138****5678``.

    Other numbers (landlines, with area codes) keep about a third visible.
    """
    v = "".join(str(value).split())
    if _MOBILE_RE.fullmatch(v):
        return v[:3] + "****" + v[7:]
    return _mask_middle(v, 3, 4)


_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_NAME_SEPARATORS = "·•．. -"


# Common compound surnames (复姓): kept whole so that 欧阳娜娜 shows as 欧阳**.
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 独孤 南宫 西门 "
    "轩辕 端木 申屠 呼延 澹台 公冶 太史 闻人 万俟 单于 百里 东郭 拓跋 司空 钟离 宗政 濮阳 "
    "淳于 赫连 闾丘 亓官 司寇 巫马 公西 颛孙 漆雕 乐正 谷梁 梁丘 左丘 第五".split()
)


def mask_name(value: str) -> str:
    """Mask a person's name: ``张*``, ``张**``, ``欧阳**``; Latin names ``J***``.

    A Chinese name keeps its surname (one character, or a known compound surname
    when the name is at least three characters long) and stars every other
    character, so the length still shows as is usual on public notices; the middle
    dot of names such as ``买买提·艾力`` stays. A one-character value is fully
    starred. A Latin name keeps only its first letter and three stars, hiding its
    length.
    """
    v = str(value).strip()
    if not v:
        return ""
    if len(v) == 1:
        return "*"
    if _CJK_RE.search(v):
        keep = 2 if len(v) >= 3 and v[:2] in _COMPOUND_SURNAMES else 1
        return v[:keep] + "".join(c if c in _NAME_SEPARATORS else "*" for c in v[keep:])
    return v[0] + "***"


_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_PERSONAL_RE = re.compile(r"\d{15}|\d{17}[\dX]|1[3-9]\d{9}")


def looks_like_personal_number(value: str) -> bool:
    """Whether ``value`` looks like a resident ID (15 or 18 chars) or a mobile number.

    Used to mask values in the audit trail, so it errs towards masking: it matches
    the shape only, without checking dates or check characters. Spaces, hyphens and
    a ``+86``/``0086`` prefix are ignored.
    """
    if not isinstance(value, str):
        return False
    v = normalize(value).replace("-", "")
    for prefix in ("+86", "0086"):
        if v.startswith(prefix) and len(v) == len(prefix) + 11:
            v = v[len(prefix) :]
    return bool(_PERSONAL_RE.fullmatch(v))
