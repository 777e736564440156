import pytest
from django.core.management import call_command

from onewindow.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_it_prints_a_token_that_authenticates(client, personas, capsys):
    call_command("token", "create", "clerk")
    key = capsys.readouterr().out.strip()
    assert key.startswith("ow_")
    token = ApiToken.objects.get(user=personas.clerk)
    assert token.key_hash != key  # only a hash is stored
    response = client.get("/api/v1/calendar/years", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert 2026 in response.json()


def test_it_refuses_a_wrong_token(client, personas):
    response = client.get("/api/v1/calendar/years", HTTP_AUTHORIZATION="Bearer ow_nope")
    assert response.status_code == 401
