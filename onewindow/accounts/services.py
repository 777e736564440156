"""Writes on staff accounts. Each is atomic and audited."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from onewindow.audit.services import record

from .models import ApiToken, User
from .roles import Role


class UnknownRole(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "is_active": user.is_active,
        "department": user.department_id,
        "halls": sorted(user.halls.values_list("code", flat=True)) if user.pk else [],
        "roles": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
    }


def _groups_for(roles) -> list[Group]:
    roles = list(roles)
    for code in roles:
        if code not in Role.values:
            raise UnknownRole(code)
    return list(Group.objects.filter(name__in=roles))


@transaction.atomic
def save_staff(
    *, actor, user: User, halls, roles, password: str | None = None, request=None
) -> User:
    """Create or update a staff member with their halls and roles.

    Every staff member belongs to at least one hall: a person without a hall would see
    nothing and could be assigned nothing, which is always a mistake at data entry.
    """
    halls = list(halls)
    if not halls:
        raise ValueError("a staff member needs at least one hall")
    groups = _groups_for(roles)
    creating = user.pk is None
    before = None if creating else _snapshot(User.objects.get(pk=user.pk))
    if password:
        user.set_password(password)
    elif creating and not user.password:
        user.set_unusable_password()
    user.save()
    user.halls.set(halls)
    user.groups.set(groups)
    user.__dict__.pop("role_codes", None)
    user.__dict__.pop("hall_id_set", None)
    record(
        actor=actor,
        action="staff.created" if creating else "staff.updated",
        obj=user,
        hall=halls[0],
        before=before,
        after=_snapshot(user),
        request=request,
    )
    return user


@transaction.atomic
def create_api_token(*, actor, user: User, label: str = "") -> str:
    """Issue an API token; returns the key, which is shown once and never stored."""
    token, key = ApiToken.issue(user, label)
    record(
        actor=actor,
        action="token.created",
        obj=token,
        object_repr=f"{user.username} {token.prefix}",
    )
    return key
