import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.mark.parametrize("password", ["short1a", "abcdefghijkl", "1234567890123", "password123"])
def test_it_rejects_weak_passwords(password, db):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_it_accepts_a_strong_password(db):
    validate_password("Window-Counter-42")
