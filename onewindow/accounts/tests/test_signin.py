from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_signs_in_and_out(client, personas):
    response = _login(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:staff_home")
    page = client.get(reverse("portal:staff_home"))
    assert "车辆管理分中心" in page.content.decode()
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("portal:staff_home")).status_code == 302


def test_it_locks_after_five_failures_for_fifteen_minutes(client, personas, settings):
    for _ in range(5):
        response = _login(client, "clerk", "wrong-password-1")
        assert response.status_code == 200
    user = User.objects.get(username="clerk")
    assert user.locked_until is not None
    assert timedelta(minutes=14) < user.locked_until - timezone.now() <= timedelta(minutes=15)
    # Even the right password is refused while locked, with a message saying so.
    response = _login(client, "clerk", PASSWORD)
    assert response.status_code == 200
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_unlocks_after_the_lockout(client, personas, time_machine):
    time_machine.move_to(timezone.now())
    for _ in range(5):
        _login(client, "clerk", "wrong-password-1")
    time_machine.shift(timedelta(minutes=16))
    response = _login(client, "clerk", PASSWORD)
    assert response.status_code == 302
    user = User.objects.get(username="clerk")
    assert user.failed_logins == 0 and user.locked_until is None


def test_it_resets_the_failure_count_after_a_success(client, personas):
    for _ in range(4):
        _login(client, "clerk", "wrong-password-1")
    assert _login(client, "clerk", PASSWORD).status_code == 302
    assert User.objects.get(username="clerk").failed_logins == 0


def test_it_ends_the_session_after_inactivity(client, personas, settings, time_machine):
    time_machine.move_to(timezone.now())
    settings.SESSION_IDLE_MINUTES = 30
    _login(client, "clerk", PASSWORD)
    assert client.get(reverse("portal:staff_home")).status_code == 200
    time_machine.shift(timedelta(minutes=31))
    response = client.get(reverse("portal:staff_home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_keeps_an_active_session(client, personas, time_machine):
    time_machine.move_to(timezone.now())
    _login(client, "clerk", PASSWORD)
    for _ in range(3):
        time_machine.shift(timedelta(minutes=20))
        assert client.get(reverse("portal:staff_home")).status_code == 200


def test_it_requires_csrf_on_sign_in(personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 403


# Locked names and locked addresses ------------------------------------------------------


def _refusal(response) -> list[str]:
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session
    return list(response.context["form"].non_field_errors())


def _attempts(client, username, n, **extra):
    return [
        _refusal(
            client.post(
                reverse("accounts:login"),
                {"username": username, "password": "wrong-password-1"},
                **extra,
            )
        )
        for _ in range(n)
    ]


def test_it_answers_a_locked_account_as_it_answers_a_name_nobody_has(client, personas):
    # Each from its own address, so that only the names are counted.
    real = _attempts(client, "clerk", 6, REMOTE_ADDR="10.1.0.1")
    unknown = _attempts(client, "nobody-here", 6, REMOTE_ADDR="10.1.0.2")
    assert real == unknown
    assert real[0] != real[5]
    assert "锁定" in real[4][0] and "锁定" in real[5][0]  # the fifth failure locks
    assert "锁定" not in real[3][0]
    # Even the right password gets the same words as the name nobody has.
    right = _refusal(
        client.post(
            reverse("accounts:login"),
            {"username": "clerk", "password": PASSWORD},
            REMOTE_ADDR="10.1.0.1",
        )
    )
    assert right == unknown[5]


def test_it_unlocks_a_name_nobody_has_as_it_unlocks_an_account(client, personas, time_machine):
    time_machine.move_to(timezone.now())
    _attempts(client, "nobody-here", 5, REMOTE_ADDR="10.1.0.2")
    time_machine.shift(timedelta(minutes=16))
    assert "锁定" not in _attempts(client, "nobody-here", 1, REMOTE_ADDR="10.1.0.2")[0][0]


def test_it_pauses_sign_in_from_an_address_after_too_many_failures(
    client, personas, settings, time_machine
):
    time_machine.move_to(timezone.now())
    settings.LOGIN_ADDRESS_MAX_FAILURES = 4
    settings.LOGIN_ADDRESS_LOCKOUT_MINUTES = 15
    # Four names, one failure each: no account is locked, the address is.
    for name in ("clerk", "handler", "nobody-1", "nobody-2"):
        errors = _attempts(client, name, 1, REMOTE_ADDR="10.2.0.1")
    assert "本机登录失败次数过多" in errors[0][0]
    assert User.objects.filter(locked_until__isnull=False).count() == 0
    # The right password of a real account is refused from there, with the same words
    # as any name; the account's own counter is not touched.
    refused = client.post(
        reverse("accounts:login"),
        {"username": "approver", "password": PASSWORD},
        REMOTE_ADDR="10.2.0.1",
    )
    assert _refusal(refused) == errors[0]
    assert _attempts(client, "nobody-3", 1, REMOTE_ADDR="10.2.0.1") == errors
    assert User.objects.get(username="approver").failed_logins == 0
    # Another address is not affected; the pause ends after the lockout.
    other = client.post(
        reverse("accounts:login"),
        {"username": "approver", "password": PASSWORD},
        REMOTE_ADDR="10.2.0.2",
    )
    assert other.status_code == 302
    client.post(reverse("accounts:logout"))
    time_machine.shift(timedelta(minutes=16))
    again = client.post(
        reverse("accounts:login"),
        {"username": "approver", "password": PASSWORD},
        REMOTE_ADDR="10.2.0.1",
    )
    assert again.status_code == 302


def test_it_counts_failures_per_address_within_the_window(client, personas, settings, time_machine):
    time_machine.move_to(timezone.now())
    settings.LOGIN_ADDRESS_MAX_FAILURES = 3
    settings.LOGIN_ADDRESS_WINDOW_MINUTES = 10
    _attempts(client, "nobody-1", 2, REMOTE_ADDR="10.3.0.1")
    time_machine.shift(timedelta(minutes=11))  # the window is over: counting starts again
    errors = _attempts(client, "nobody-2", 2, REMOTE_ADDR="10.3.0.1")
    assert all("本机" not in e[0] for e in errors)
    assert "本机" in _attempts(client, "nobody-3", 1, REMOTE_ADDR="10.3.0.1")[0][0]


def test_it_counts_each_client_behind_the_trusted_proxy_apart(client, personas, settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 1
    settings.LOGIN_ADDRESS_MAX_FAILURES = 3
    proxy = {"REMOTE_ADDR": "192.0.2.10"}
    # One client makes up a new X-Forwarded-For each time: the proxy's own entry, on the
    # right, still names it.
    for n in range(3):
        errors = _attempts(
            client, f"nobody-{n}", 1, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.7", **proxy
        )
    assert "本机" in errors[0][0]
    # Another visitor behind the same proxy signs in.
    response = client.post(
        reverse("accounts:login"),
        {"username": "clerk", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.4",
        **proxy,
    )
    assert response.status_code == 302
