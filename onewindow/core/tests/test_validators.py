import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from onewindow.core.validators import validate_credit_code, validate_resident_id


def test_it_accepts_and_normalises_a_resident_id():
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "checksum"),
        ("11010519491231002", "length"),
        ("11010519491332002X", "birth_date"),
        ("", "empty"),
    ],
)
def test_it_explains_a_wrong_resident_id_in_chinese(value, code):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            validate_resident_id(value)
        assert exc.value.code == code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value.messages[0]))


def test_it_explains_a_wrong_credit_code_in_english():
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            validate_credit_code("91350100M000100Y44")
        assert exc.value.code == "checksum"
        assert "check character" in exc.value.messages[0]


def test_it_accepts_a_credit_code():
    assert validate_credit_code("91350100m000100y43") == "91350100M000100Y43"
