"""API tokens: created once, listed and revoked by their owner and by whoever may change
the owner's account, refused (401) once expired or revoked or while the owner is
suspended or locked out."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import ApiToken
from onewindow.accounts.roles import Role
from onewindow.accounts.services import create_api_token
from onewindow.audit.models import AuditEntry
from onewindow.factories import make_user

pytestmark = pytest.mark.django_db

YEARS = "/api/v1/calendar/years"
# The token page: the session and its user, the tokens with their owners.
QUERIES = 3


def _call(client, key):
    return client.get(YEARS, HTTP_AUTHORIZATION=f"Bearer {key}")


def _token(user, label="partner"):
    key = create_api_token(actor=None, user=user, label=label)
    return ApiToken.objects.get(key_hash=ApiToken.hash_key(key)), key


def _assert_refused(response):
    """401 in the API's one error format, saying what to send."""
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized" and body["errors"] == {}
    assert "Bearer" in body["message"]


def test_it_prints_a_token_that_authenticates(client, personas, capsys):
    call_command("token", "create", "clerk")
    out = capsys.readouterr()
    key = out.out.strip()
    assert key.startswith("ow_")
    token = ApiToken.objects.get(user=personas.clerk)
    assert token.key_hash != key  # only a hash is stored
    assert f"ow_{token.prefix}" in out.err  # the expiry is said on stderr
    response = client.get("/api/v1/calendar/years", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert 2026 in response.json()


def test_it_refuses_a_wrong_token(client, personas):
    _assert_refused(client.get(YEARS, HTTP_AUTHORIZATION="Bearer ow_nope"))


def test_it_gives_a_token_the_configured_lifetime(personas, settings):
    settings.ONEWINDOW_API_TOKEN_DAYS = 30
    token, _key = _token(personas.clerk)
    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=30), abs=timedelta(minutes=1)
    )
    settings.ONEWINDOW_API_TOKEN_DAYS = 90
    token, _key = _token(personas.clerk)
    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=90), abs=timedelta(minutes=1)
    )


def test_it_refuses_an_expired_token(client, personas, time_machine, settings):
    settings.ONEWINDOW_API_TOKEN_DAYS = 90
    time_machine.move_to(timezone.now())
    _token_row, key = _token(personas.clerk)
    time_machine.shift(timedelta(days=89, hours=23))
    assert _call(client, key).status_code == 200
    time_machine.shift(timedelta(hours=2))
    _assert_refused(_call(client, key))


def test_it_refuses_a_revoked_token(client, personas):
    token, key = _token(personas.clerk)
    assert _call(client, key).status_code == 200
    call_command("token", "revoke", f"ow_{token.prefix}")
    _assert_refused(_call(client, key))


def test_it_refuses_the_token_of_a_locked_account(client, personas):
    _token_row, key = _token(personas.clerk)
    personas.clerk.locked_until = timezone.now() + timedelta(minutes=10)
    personas.clerk.save(update_fields=["locked_until"])
    _assert_refused(_call(client, key))
    # Once the lock is over the token works again: it was never revoked.
    personas.clerk.locked_until = timezone.now() - timedelta(seconds=1)
    personas.clerk.save(update_fields=["locked_until"])
    assert _call(client, key).status_code == 200


def test_it_refuses_the_token_of_an_inactive_account(client, personas):
    _token_row, key = _token(personas.clerk)
    personas.clerk.is_active = False
    personas.clerk.save(update_fields=["is_active"])
    _assert_refused(_call(client, key))


# The page ------------------------------------------------------------------------------


def _list(client, user, **params):
    client.force_login(user)
    return client.get(reverse("accounts:token_list"), params)


def _revoke(client, user, token):
    client.force_login(user)
    return client.post(reverse("accounts:token_revoke", args=[token.prefix]))


@pytest.fixture
def tokens(personas):
    """A token for a clerk and a manager of the CG hall, one for a clerk of the other hall,
    one for the centre administrator."""
    return {
        name: _token(getattr(personas, name), label=f"{name} system")[0]
        for name in ("clerk", "manager", "outsider", "admin")
    }


def _shown(response) -> set[str]:
    body = response.content.decode()
    return {name for name in ("clerk", "manager", "outsider", "admin") if f"{name} system" in body}


def test_it_lists_only_the_owners_own_tokens(client, personas, tokens):
    response = _list(client, personas.clerk)
    assert response.status_code == 200
    assert _shown(response) == {"clerk"}
    assert f"ow_{tokens['clerk'].prefix}" in response.content.decode()


def test_it_lists_the_tokens_of_the_staff_an_administrator_may_change(client, personas, tokens):
    # A hall manager: their own and their hall's staff; not another hall's, not the centre's.
    assert _shown(_list(client, personas.manager)) == {"clerk", "manager"}
    # The centre administrator: everyone's.
    assert _shown(_list(client, personas.admin)) == {"clerk", "manager", "outsider", "admin"}


def test_it_searches_the_tokens(client, personas, tokens):
    assert _shown(_list(client, personas.admin, q="outsider")) == {"outsider"}


def test_it_asks_anonymous_visitors_to_sign_in(client, personas, tokens):
    response = client.get(reverse("accounts:token_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    response = client.post(reverse("accounts:token_revoke", args=[tokens["clerk"].prefix]))
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=tokens["clerk"].pk).revoked_at is None


def test_it_lists_in_a_fixed_number_of_queries(client, personas, tokens, django_assert_num_queries):
    client.force_login(personas.admin)
    client.get(reverse("accounts:token_list"))  # warm the per-process caches
    with django_assert_num_queries(QUERIES):
        client.get(reverse("accounts:token_list"))
    for n in range(5):
        _token(make_user(f"extra{n}", halls=[personas.hall], roles=[Role.WINDOW_CLERK]))
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("accounts:token_list"))
    assert response.content.decode().count('/revoke/"') == 9


def test_the_owner_revokes_their_token_and_it_is_audited(client, personas, tokens):
    token = tokens["clerk"]
    response = _revoke(client, personas.clerk, token)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:token_list")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.state() == ApiToken.State.REVOKED
    entry = AuditEntry.objects.get(action="token.revoked")
    assert entry.actor == personas.clerk and entry.object_id == str(token.pk)
    assert entry.before["revoked_at"] is None and entry.after["revoked_at"] is not None
    assert entry.after["prefix"] == token.prefix and entry.hall == personas.hall
    page = client.get(reverse("accounts:token_list")).content.decode()
    assert "已吊销" in page


def test_a_hall_manager_revokes_a_token_of_their_hall(client, personas, tokens):
    assert _revoke(client, personas.manager, tokens["clerk"]).status_code == 302
    assert ApiToken.objects.get(pk=tokens["clerk"].pk).revoked_at is not None
    assert AuditEntry.objects.get(action="token.revoked").actor == personas.manager


def test_the_centre_administrator_revokes_any_token(client, personas, tokens):
    assert _revoke(client, personas.admin, tokens["outsider"]).status_code == 302
    assert ApiToken.objects.get(pk=tokens["outsider"].pk).revoked_at is not None


@pytest.mark.parametrize(
    "actor, owner",
    [
        ("manager", "outsider"),  # another hall's staff
        ("manager", "admin"),  # an account with a centre-wide role
        ("clerk", "manager"),  # a colleague, not an administrator
        ("outsider", "clerk"),
    ],
)
def test_it_answers_a_token_the_user_may_not_revoke_as_an_unknown_one(
    client, personas, tokens, actor, owner
):
    response = _revoke(client, getattr(personas, actor), tokens[owner])
    assert response.status_code == 404
    unknown = client.post(reverse("accounts:token_revoke", args=["zzzzzzzz"]))
    assert unknown.status_code == 404
    assert ApiToken.objects.get(pk=tokens[owner].pk).revoked_at is None
    assert not AuditEntry.objects.filter(action="token.revoked").exists()


def test_it_revokes_only_by_post(client, personas, tokens):
    client.force_login(personas.clerk)
    response = client.get(reverse("accounts:token_revoke", args=[tokens["clerk"].prefix]))
    assert response.status_code == 405
    assert ApiToken.objects.get(pk=tokens["clerk"].pk).revoked_at is None


def test_revoking_twice_changes_nothing(client, personas, tokens, time_machine):
    time_machine.move_to(timezone.now())
    _revoke(client, personas.clerk, tokens["clerk"])
    first = ApiToken.objects.get(pk=tokens["clerk"].pk).revoked_at
    time_machine.shift(timedelta(minutes=5))
    response = _revoke(client, personas.clerk, tokens["clerk"])
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=tokens["clerk"].pk).revoked_at == first
    assert AuditEntry.objects.filter(action="token.revoked").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "此前已被吊销" in page


def test_it_shows_an_expired_token_as_expired(client, personas, time_machine):
    time_machine.move_to(timezone.now())
    _token(personas.clerk)
    time_machine.shift(timedelta(days=91))
    page = _list(client, personas.clerk).content.decode()
    assert "已过期" in page and "btn-outline-danger" in page  # still revocable


# The command ---------------------------------------------------------------------------


def test_the_command_lists_every_token_with_its_state(personas, tokens, capsys):
    call_command("token", "revoke", "ow_" + tokens["manager"].prefix)
    capsys.readouterr()
    call_command("token", "list")
    out = capsys.readouterr().out
    for token in tokens.values():
        assert f"ow_{token.prefix}" in out
    lines = {line.split()[1]: line for line in out.splitlines()[1:]}
    assert "revoked" in lines["manager"] and "active" in lines["clerk"]


def test_the_command_lists_as_a_user_with_their_rights(personas, tokens, capsys):
    call_command("token", "list", "--as", "manager")
    out = capsys.readouterr().out
    assert tokens["clerk"].prefix in out and tokens["manager"].prefix in out
    assert tokens["outsider"].prefix not in out and tokens["admin"].prefix not in out
    call_command("token", "list", "--as", "clerk")
    out = capsys.readouterr().out
    assert tokens["clerk"].prefix in out and tokens["manager"].prefix not in out
    call_command("token", "list", "--user", "outsider")
    out = capsys.readouterr().out
    assert tokens["outsider"].prefix in out and tokens["clerk"].prefix not in out


def test_the_command_revokes_as_the_system_and_audits_it(personas, tokens, capsys):
    call_command("token", "revoke", f"ow_{tokens['outsider'].prefix}…")
    assert "ow_" + tokens["outsider"].prefix in capsys.readouterr().out
    assert ApiToken.objects.get(pk=tokens["outsider"].pk).revoked_at is not None
    entry = AuditEntry.objects.get(action="token.revoked")
    assert entry.actor is None and entry.actor_name == "system"


def test_the_command_revokes_as_the_owner_and_as_their_manager(personas, tokens):
    call_command("token", "revoke", "ow_" + tokens["clerk"].prefix, "--as", "clerk")
    call_command("token", "revoke", "ow_" + tokens["manager"].prefix, "--as", "manager")
    assert not ApiToken.objects.live().filter(user__username__in=["clerk", "manager"]).exists()
    actors = set(
        AuditEntry.objects.filter(action="token.revoked").values_list("actor_name", flat=True)
    )
    assert actors == {"clerk", "manager"}


def test_the_command_refuses_another_halls_manager(personas, tokens):
    with pytest.raises(CommandError, match=f"ow_{tokens['outsider'].prefix}"):
        call_command("token", "revoke", "ow_" + tokens["outsider"].prefix, "--as", "manager")
    assert ApiToken.objects.get(pk=tokens["outsider"].pk).revoked_at is None
    assert not AuditEntry.objects.filter(action="token.revoked").exists()


def test_the_command_refuses_unknown_and_revoked_tokens(personas, tokens):
    with pytest.raises(CommandError):
        call_command("token", "revoke", "zzzzzzzz")
    with pytest.raises(CommandError):
        call_command("token", "revoke", "ow_")
    with pytest.raises(CommandError):
        call_command("token", "revoke", "ow_" + tokens["clerk"].prefix, "--as", "nobody")
    call_command("token", "revoke", "ow_" + tokens["clerk"].prefix)
    with pytest.raises(CommandError):
        call_command("token", "revoke", "ow_" + tokens["clerk"].prefix)
    assert AuditEntry.objects.filter(action="token.revoked").count() == 1
