"""Tests for identity-number validation and masking (no Django)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.lib.idnumbers import (
    CREDIT_CODE_CHARSET,
    ID_ERROR_CODES,
    PROVINCE_CODES,
    InvalidIdNumber,
    birth_date_from_resident_id,
    credit_code_check_char,
    is_valid_credit_code,
    is_valid_resident_id,
    looks_like_personal_number,
    mask_credit_code,
    mask_name,
    mask_phone,
    mask_resident_id,
    normalize,
    resident_id_check_char,
    validate_credit_code,
    validate_resident_id,
)

PROPERTY = settings(max_examples=300, deadline=None)


def make_id(region: str, born: date, seq: str = "123") -> str:
    first17 = f"{region}{born:%Y%m%d}{seq}"
    return first17 + resident_id_check_char(first17)


def code_of(exc: pytest.ExceptionInfo[InvalidIdNumber]) -> str:
    assert exc.value.code in ID_ERROR_CODES
    assert str(exc.value)
    return exc.value.code


# ------------------------------------------------------------------ resident ID


def test_it_normalizes_spaces_case_and_full_width_characters() -> None:
    assert normalize(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalize("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert normalize("\u3000abc\t") == "ABC"


def test_it_computes_the_check_char_of_the_standard_example() -> None:
    assert resident_id_check_char("11010519491231002") == "X"


def test_it_accepts_the_standard_example() -> None:
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert is_valid_resident_id("11010519491231002X")


def test_it_accepts_lower_case_x_and_returns_it_normalized() -> None:
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"
    assert validate_resident_id(" 110105 1949 1231 002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "region, born",
    [
        ("320582", date(1990, 1, 1)),  # 张家港市
        ("440305", date(2000, 2, 29)),  # leap day
        ("650102", date(1900, 1, 1)),  # the earliest accepted year
        ("810000", date(1985, 7, 1)),  # Hong Kong residence permit
        ("830000", date(1970, 12, 31)),  # Taiwan residence permit
        ("911840", date(1980, 5, 5)),  # 2023 foreigner permanent residence, Beijing
    ],
)
def test_it_accepts_well_formed_ids(region: str, born: date) -> None:
    value = make_id(region, born)
    assert validate_resident_id(value) == value
    assert birth_date_from_resident_id(value) == born


def test_it_rejects_a_wrong_check_char() -> None:
    with pytest.raises(InvalidIdNumber) as exc:
        validate_resident_id("110105194912310021")
    assert code_of(exc) == "checksum"


@pytest.mark.parametrize("value", ["11010519491231002", "11010519491231002X1", "110105491231002"])
def test_it_rejects_a_wrong_length(value: str) -> None:
    with pytest.raises(InvalidIdNumber) as exc:
        validate_resident_id(value)
    assert code_of(exc) == "length"


@pytest.mark.parametrize("value", ["", "   ", "\u3000"])
def test_it_rejects_an_empty_id(value: str) -> None:
    with pytest.raises(InvalidIdNumber) as exc:
        validate_resident_id(value)
    assert code_of(exc) == "empty"


@pytest.mark.parametrize(
    "value", ["1101051949123100XX", "11010519491231002Y", "A1010519491231002X"]
)
def test_it_rejects_bad_characters(value: str) -> None:
    with pytest.raises(InvalidIdNumber) as exc:
        validate_resident_id(value)
    assert code_of(exc) == "characters"


@pytest.mark.parametrize("region", ["000000", "100000", "990000", "720000", "900000", "919000"])
def test_it_rejects_an_unknown_region(region: str) -> None:
    with pytest.raises(InvalidIdNumber) as exc:
        validate_resident_id(make_id(region, date(1990, 1, 1)))
    assert code_of(exc) == "region"


@pytest.mark.parametrize("born", ["19490230", "19491301", "19490000", "18991231"])
def test_it_rejects_a_bad_birth_date(born: str) -> None:
    first17 = f"110105{born}002"
    with pytest.raises(InvalidIdNumber) as exc:
        validate_resident_id(first17 + resident_id_check_char(first17))
    assert code_of(exc) == "birth_date"


def test_it_rejects_a_birth_date_in_the_future() -> None:
    today = date(2026, 5, 1)
    value = make_id("320582", today + timedelta(days=1))
    with pytest.raises(InvalidIdNumber) as exc:
        validate_resident_id(value, today=today)
    assert code_of(exc) == "birth_date"
    assert validate_resident_id(make_id("320582", today), today=today)
    assert not is_valid_resident_id(make_id("320582", date.today() + timedelta(days=1)))


def test_it_says_invalid_for_non_strings() -> None:
    assert not is_valid_resident_id(None)
    assert not is_valid_resident_id(11010519491231002)
    assert not is_valid_credit_code(None)


def test_it_raises_value_error_for_a_bad_check_char_input() -> None:
    with pytest.raises(ValueError):
        resident_id_check_char("1234")
    with pytest.raises(ValueError):
        resident_id_check_char("1101051949123100X")


def test_it_raises_invalid_id_from_birth_date_of_a_bad_id() -> None:
    with pytest.raises(InvalidIdNumber):
        birth_date_from_resident_id("110105194912310021")


id_prefixes = st.builds(
    lambda province, rest, born, seq: f"{province}{rest:04d}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(min_value=0, max_value=9999),
    st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
    st.integers(min_value=0, max_value=999),
)


@PROPERTY
@given(first17=id_prefixes)
def test_it_validates_any_prefix_with_its_check_char(first17: str) -> None:
    value = first17 + resident_id_check_char(first17)
    assert validate_resident_id(value) == value
    assert validate_resident_id(value.lower()) == value


@PROPERTY
@given(first17=id_prefixes, data=st.data())
def test_it_rejects_any_other_check_char(first17: str, data: st.DataObject) -> None:
    right = resident_id_check_char(first17)
    wrong = data.draw(st.sampled_from([c for c in "0123456789X" if c != right]))
    with pytest.raises(InvalidIdNumber) as exc:
        validate_resident_id(first17 + wrong)
    assert exc.value.code == "checksum"


@PROPERTY
@given(first17=id_prefixes, data=st.data())
def test_it_detects_any_single_digit_change(first17: str, data: st.DataObject) -> None:
    value = first17 + resident_id_check_char(first17)
    pos = data.draw(st.integers(min_value=0, max_value=16))
    new = data.draw(st.sampled_from([c for c in "0123456789" if c != value[pos]]))
    # MOD 11-2 catches every single-character substitution; other rules may fire first.
    assert not is_valid_resident_id(value[:pos] + new + value[pos + 1 :])


# ------------------------------------------------------------------ credit code

KNOWN_CREDIT_CODES = [
    "91350100M000100Y43",  # the example in GB 32100-2015
    "91110000600037341L",
    "91110108551385082Q",
    "91440300708461136T",
]


@pytest.mark.parametrize("value", KNOWN_CREDIT_CODES)
def test_it_accepts_known_credit_codes(value: str) -> None:
    assert validate_credit_code(value) == value
    assert credit_code_check_char(value[:17]) == value[17]
    assert is_valid_credit_code(value.lower())


def test_it_normalizes_a_credit_code() -> None:
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_it_maps_a_check_value_of_31_to_zero() -> None:
    # Find a prefix whose weighted sum is a multiple of 31: the check char is '0'.
    prefix = "91350100M000100Y"
    for c in CREDIT_CODE_CHARSET:
        if credit_code_check_char(prefix + c) == "0":
            assert validate_credit_code(prefix + c + "0")
            return
    pytest.fail("no prefix with check char 0 found")


@pytest.mark.parametrize("pos", range(18))
def test_it_rejects_a_credit_code_with_one_char_changed(pos: int) -> None:
    value = "91350100M000100Y43"
    new = "7" if value[pos] != "7" else "8"
    assert not is_valid_credit_code(value[:pos] + new + value[pos + 1 :])


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_it_rejects_letters_outside_the_alphabet(letter: str) -> None:
    value = "91350100M000100" + letter + "43"
    with pytest.raises(InvalidIdNumber) as exc:
        validate_credit_code(value)
    assert code_of(exc) == "characters"
    with pytest.raises(ValueError):
        credit_code_check_char(value[:17])


def test_it_rejects_an_unknown_registration_department() -> None:
    first17 = "E1350100M000100Y4"
    with pytest.raises(InvalidIdNumber) as exc:
        validate_credit_code(first17 + credit_code_check_char(first17))
    assert code_of(exc) == "characters"


def test_it_rejects_a_non_digit_region() -> None:
    first17 = "9135A100M000100Y4"
    with pytest.raises(InvalidIdNumber) as exc:
        validate_credit_code(first17 + credit_code_check_char(first17))
    assert code_of(exc) == "region"


@pytest.mark.parametrize(
    "value, code",
    [("", "empty"), ("91350100M000100Y4", "length"), ("91350100M000100Y42", "checksum")],
)
def test_it_reports_credit_code_errors_by_code(value: str, code: str) -> None:
    with pytest.raises(InvalidIdNumber) as exc:
        validate_credit_code(value)
    assert code_of(exc) == code


credit_prefixes = st.builds(
    lambda dept, kind, region, body: f"{dept}{kind}{region:06d}{body}",
    st.sampled_from("123456789ABCDGNY"),
    st.sampled_from(CREDIT_CODE_CHARSET),
    st.integers(min_value=0, max_value=999999),
    st.text(alphabet=CREDIT_CODE_CHARSET, min_size=9, max_size=9),
)


@PROPERTY
@given(first17=credit_prefixes, data=st.data())
def test_it_validates_credit_codes_only_with_their_check_char(
    first17: str, data: st.DataObject
) -> None:
    right = credit_code_check_char(first17)
    assert validate_credit_code(first17 + right) == first17 + right
    wrong = data.draw(st.sampled_from([c for c in CREDIT_CODE_CHARSET if c != right]))
    assert not is_valid_credit_code(first17 + wrong)


# ---------------------------------------------------------------------- masking


def test_it_masks_a_resident_id() -> None:
    assert mask_resident_id("320582199001011234") == "320582********1234"
    assert mask_resident_id("320582 19900101 1234") == "320582********1234"
    assert mask_resident_id("320582900101123") == "320582*****1123"  # old 15-digit


def test_it_masks_short_values_keeping_about_a_third() -> None:
    assert mask_resident_id("") == ""
    assert mask_resident_id("1") == "*"
    assert mask_resident_id("123456") == "1****6"
    assert mask_resident_id("123456789") == "12******9"
    assert mask_resident_id("1234567890") == "12*******0"


def test_it_masks_a_credit_code() -> None:
    assert mask_credit_code("91350100M000100Y43") == "9135**********0Y43"


def test_it_masks_a_phone_number() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("0512-58123456") == "051******3456"
    assert mask_phone("12345") == "1****"


@pytest.mark.parametrize(
    "name, masked",
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳娜", "欧阳*"),
        ("欧阳", "欧*"),
        ("张欧阳", "张**"),
        ("买买提·艾力", "买**·**"),
        ("John Smith", "J***"),
        ("Li", "L***"),
        ("王", "*"),
        ("", ""),
        ("  张三 ", "张*"),
    ],
)
def test_it_masks_names(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "11010519491231002x",
        "110105491231002",
        "13812345678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "008613812345678",
    ],
)
def test_it_recognises_personal_numbers(value: str) -> None:
    assert looks_like_personal_number(value)


@pytest.mark.parametrize(
    "value",
    ["", "hello", "12812345678", "1381234567", "91350100M000100Y43", "A001", "2026-10-10"],
)
def test_it_does_not_flag_other_values(value: str) -> None:
    assert not looks_like_personal_number(value)
