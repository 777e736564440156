"""Sign-in with lockout: 5 failed attempts lock an account for 15 minutes; permissions
from the per-process cache of `accounts.access`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from .access import prime, primed_permissions


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked account and counts failures.

    The counter is updated with a single guarded UPDATE so that parallel guesses
    cannot race past the limit.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        now = timezone.now()
        if user.is_locked(now):
            if request is not None:
                request.login_locked_until = user.locked_until
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
                user.failed_logins, user.locked_until = 0, None
            return user
        register_failure(user, now)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        if request is not None and user.is_locked(now):
            request.login_locked_until = user.locked_until
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
