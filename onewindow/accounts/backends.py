"""Sign-in with lockout: 5 failed attempts lock an account for 15 minutes, and too many from
one client address pause sign-in from it; permissions from the per-process cache of
`accounts.access`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from onewindow.core.http import client_address

from . import limits
from .access import prime, primed_permissions


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked account or client address and counts failures.

    An account's counter is updated with a single guarded UPDATE so that parallel guesses
    cannot race past the limit. Every failure also counts for the client address
    (`limits.address_limit`), and a name that is no account is locked as an account
    would be (`limits.unknown_name_limit`): "locked" is no answer to "does it exist?".
    Why a sign-in was refused is left on the request (``login_refusal``: "address" or
    "account") for the form's message.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request) if request is not None else None
        if limits.is_locked(limits.address_limit(), address):
            _refuse(request, "address")
            return None
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            if limits.is_locked(limits.unknown_name_limit(), username):
                _refuse(request, "account")
            else:
                User().set_password(password)  # same work as a real check: no timing oracle
                if limits.note_failure(limits.unknown_name_limit(), username):
                    _refuse(request, "account")
            _note_address_failure(request, address)
            return None
        now = timezone.now()
        if user.is_locked(now):
            _refuse(request, "account")
            _note_address_failure(request, address)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
                user.failed_logins, user.locked_until = 0, None
            return user
        register_failure(user, now)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        if user.is_locked(now):
            _refuse(request, "account")
        _note_address_failure(request, address)
        return None

    # A user object primed by accounts.access (every request's user) carries its
    # permissions; asking Django's backend again would cost two queries per object.
    # Anything else (a permission on one object, an object nobody primed) goes to it.

    def get_user_permissions(self, user_obj, obj=None):
        primed = primed_permissions(user_obj)
        if primed is None or obj is not None:
            return super().get_user_permissions(user_obj, obj)
        return primed.user

    def get_group_permissions(self, user_obj, obj=None):
        primed = primed_permissions(user_obj)
        if primed is None or obj is not None:
            return super().get_group_permissions(user_obj, obj)
        return primed.group

    def get_all_permissions(self, user_obj, obj=None):
        primed = primed_permissions(user_obj)
        if primed is None or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        return primed.all

    def get_user(self, user_id):
        """The signed-in user of a session, with roles, halls and permissions from the
        per-process cache (accounts.access) instead of three queries per page."""
        user = super().get_user(user_id)
        if user is not None:
            prime(user)
        return user


def register_failure(user, now) -> None:
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    User.objects.filter(pk=user.pk, failed_logins__gte=settings.LOGIN_MAX_FAILURES).update(
        failed_logins=0,
        locked_until=now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES),
    )


def _refuse(request, why: str) -> None:
    if request is not None:
        request.login_refusal = why


def _note_address_failure(request, address: str | None) -> None:
    """One failure more from ``address``; the attempt that reaches the limit is already
    answered as refused for the address."""
    if limits.note_failure(limits.address_limit(), address):
        _refuse(request, "address")
