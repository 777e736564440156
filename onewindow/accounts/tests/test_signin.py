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
