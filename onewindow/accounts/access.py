"""What a user may do and where, cached per process and keyed by the user's access stamp.

Every authenticated request needs the user's roles (groups), halls and permissions. Read
from the database that is three or four queries per request, the same answer every time.
The answer is kept here per user together with the `User.access_stamp` it was read
under. The stamp is a random number on the user row, which every request loads anyway
(the session's user or the API token's user), and it is drawn afresh whenever something
that decides access changes: the user's groups, halls or own permissions, or the
permissions of one of their groups (signals below). So a changed role or hall counts
from the very next request, in every process, and nothing is ever served stale: a
cached answer is only used under the stamp it was read with.

The superuser and active flags are columns of the user row, read with it on every request;
they are part of the key too (Django gives an inactive user no permissions at all).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

MAX_USERS = 10_000  # a hall platform has hundreds of staff; the bound is only a safety net

_lock = threading.Lock()
_profiles: dict[int, tuple] = {}  # user id -> (stamp, superuser, active, profile)
_clearing = threading.local()


def new_stamp() -> int:
    from .models import _new_access_stamp

    return _new_access_stamp()


@dataclass(frozen=True)
class Permissions:
    """A user's permissions as Django's ModelBackend answers them: their own, their
    groups', and both. `backends.LockoutModelBackend` answers from these once primed."""

    user: frozenset[str]
    group: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.user | self.group


def _read(user) -> dict:
    """Roles, halls and permissions from the database.

    The permissions are ModelBackend's, read for a probe: a bare user object with the
    row's key and flags. The backend keeps its answers on the object it is given, and
    ``user`` may be an object that was asked before, under an older stamp.
    """
    from django.contrib.auth.backends import ModelBackend

    backend = ModelBackend()
    probe = type(user)(pk=user.pk, is_active=user.is_active, is_superuser=user.is_superuser)
    return {
        "role_codes": frozenset(user.groups.values_list("name", flat=True)),
        "hall_id_set": frozenset(user.halls.values_list("pk", flat=True)),
        "permissions": Permissions(
            user=frozenset(backend.get_user_permissions(probe)),
            group=frozenset(backend.get_group_permissions(probe)),
        ),
    }


def prime(user) -> None:
    """Give ``user`` (a freshly loaded row) its roles, halls and permissions from the
    cache, reading them once when the stamp is new."""
    if user is None or not getattr(user, "pk", None):
        return
    key = (user.access_stamp, user.is_superuser, user.is_active)
    cached = _profiles.get(user.pk)
    if cached is None or cached[:3] != key:
        profile = _read(user)
        with _lock:
            if len(_profiles) >= MAX_USERS:
                _profiles.clear()
            _profiles[user.pk] = (*key, profile)
    else:
        profile = cached[3]
    # Sets, as the cached_properties give them; copies, so a caller cannot alter the cache.
    user.__dict__["role_codes"] = profile["role_codes"]
    user.__dict__["hall_id_set"] = set(profile["hall_id_set"])
    user.access_permissions = profile["permissions"]  # frozen: shared safely


def primed_permissions(user) -> Permissions | None:
    """The permissions `prime` gave this user object; None if it was not primed."""
    return getattr(user, "access_permissions", None)


def forget(user_ids) -> None:
    """Draw new stamps for these users: their next request reads their access afresh."""
    from .models import User

    ids = list(user_ids)
    if ids:
        User.objects.filter(pk__in=ids).update(access_stamp=new_stamp())
    with _lock:
        for pk in ids:
            _profiles.pop(pk, None)


def clear() -> None:
    with _lock:
        _profiles.clear()


@receiver(m2m_changed, dispatch_uid="onewindow.access.user_m2m")
def _access_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Groups, halls or permissions changed: new stamps for the users concerned."""
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    from .models import User

    kind = {
        User.groups.through: "user",
        User.halls.through: "user",
        User.user_permissions.through: "user",
        Group.permissions.through: "group",
    }.get(sender)
    if kind is None:
        return
    if action == "pre_clear":
        # Who is about to lose the relation (e.g. hall.staff.clear()): after the clear
        # nobody can tell any more.
        _about_to_lose()[(sender, reverse, instance.pk)] = _users_through(sender, instance, kind)
    elif action == "post_clear":
        forget(_about_to_lose().pop((sender, reverse, instance.pk), ()))
    elif kind == "group":
        forget(_members([instance.pk] if not reverse else pk_set or ()))
    else:
        forget([instance.pk] if not reverse else pk_set or ())


def _about_to_lose() -> dict:
    """This thread's users about to lose a relation, between a pre_clear and its post_clear."""
    if not hasattr(_clearing, "users"):
        _clearing.users = {}
    return _clearing.users


def _members(group_ids) -> list[int]:
    from .models import User

    return list(User.objects.filter(groups__in=group_ids).values_list("pk", flat=True).distinct())


def _users_through(through, instance, kind: str) -> list[int]:
    """The users linked to ``instance`` through the m2m table ``through`` (through their
    groups when ``kind`` is "group")."""
    side = next(
        f.name
        for f in through._meta.fields
        if f.is_relation and isinstance(instance, f.related_model)
    )
    linked = through.objects.filter(**{side: instance.pk})
    if kind == "user":
        return list(linked.values_list("user_id", flat=True))
    return _members(linked.values_list("group_id", flat=True))
