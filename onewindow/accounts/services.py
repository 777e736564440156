"""Writes on staff accounts. Each is atomic and audited; rights cannot be escalated."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record

from .models import ApiToken, User
from .roles import HALL_ROLES, Role, role_label


class UnknownRole(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class StaffRefused(PermissionDenied):
    """A change of an account the actor has no right to make (403); ``field`` names the
    form field it concerns."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# Putting someone at a window means giving them a role in WINDOW_ROLES. A higher app (the
# training records, for one) adds checks from its AppConfig.ready with
# `add_window_check`: each takes the staff member and returns a translated reason to
# refuse, or None. accounts knows nothing of what they check. Badges work the same way:
# each function takes the listed staff members and returns {user pk: [labels]}.
WINDOW_ROLES = frozenset({Role.WINDOW_CLERK})
window_checks: list = []
staff_badges: list = []


def add_window_check(check) -> None:
    if check not in window_checks:
        window_checks.append(check)


def add_staff_badges(badges) -> None:
    if badges not in staff_badges:
        staff_badges.append(badges)


def badge_staff(users: list[User]) -> None:
    """Give each listed staff member the labels the higher apps attach (``badges``)."""
    for user in users:
        user.badges = []
    for badges in staff_badges:
        found = badges(users)
        for user in users:
            user.badges.extend(found.get(user.pk, ()))


def grantable_roles(actor) -> frozenset[str]:
    """The roles ``actor`` may grant and withdraw: every role for a centre administrator,
    the hall roles for a hall manager, none for anybody else (``None`` is the system:
    the demo and the commands)."""
    if actor is None:
        return frozenset(Role.values)
    if not actor.is_active or not actor.has_perm("accounts.manage_staff"):
        return frozenset()
    return frozenset(Role.values) if actor.manages_all_staff else HALL_ROLES


def _check_rights(actor, user: User, halls, before_roles: set[str], roles: set[str]) -> None:
    """Refuse any change that would give someone more than ``actor`` may give.

    Whoever sets an account's password acts with its rights, so an account is changed
    only by someone it is `editable_by`; halls are given only by someone who works
    there; a role only by someone who may grant it, and never by its holder to
    themselves (a right always needs a second person).
    """
    if actor is None:
        return
    if not actor.is_active or not actor.has_perm("accounts.manage_staff"):
        raise StaffRefused(_("Your account may not manage staff."))
    if user.pk is not None and not User.objects.editable_by(actor).filter(pk=user.pk).exists():
        raise StaffRefused(_("Your account may not change this staff member."))
    if not actor.manages_all_staff and not {h.pk for h in halls} <= actor.hall_id_set:
        raise StaffRefused(_("You can only give the halls you work in."), field="halls")
    changed = before_roles ^ roles
    withheld = changed - grantable_roles(actor)
    if withheld:
        raise StaffRefused(
            _("Only a centre administrator may grant or withdraw these roles: %(roles)s.")
            % {"roles": "、".join(role_label(code) for code in sorted(withheld))},
            field="roles",
        )
    if user.pk == actor.pk and roles - before_roles:
        raise StaffRefused(
            _("Nobody may grant a role to themselves: ask another administrator."),
            field="roles",
        )


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
    before_roles = set(before["roles"]) if before else set()
    after_roles = {g.name for g in groups}
    _check_rights(actor, user, halls, before_roles, after_roles)
    # The system (the demo, the commands) loads staff together with their records.
    if actor is not None and (after_roles - before_roles) & WINDOW_ROLES:
        for check in window_checks:
            reason = check(user)
            if reason:
                raise StaffRefused(reason, field="roles")
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
    # One row for each right given or taken away, so that the audit log answers "who
    # made this person an administrator" directly.
    for action, codes in (
        ("staff.role_granted", after_roles - before_roles),
        ("staff.role_revoked", before_roles - after_roles),
    ):
        for code in sorted(codes):
            record(
                actor=actor,
                action=action,
                obj=user,
                object_repr=f"{user.username} {code}",
                hall=halls[0],
                after={"username": user.username, "role": code},
                request=request,
            )
    return user


def _token_snapshot(token: ApiToken) -> dict:
    return {
        "username": token.user.username,
        "prefix": token.prefix,
        "label": token.label,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


@transaction.atomic
def create_api_token(*, actor, user: User, label: str = "") -> str:
    """Issue an API token; returns the key, which is shown once and never stored."""
    token, key = ApiToken.issue(user, label)
    record(
        actor=actor,
        action="token.created",
        obj=token,
        object_repr=f"{user.username} {token.prefix}",
        hall=user.halls.order_by("pk").first(),
        after=_token_snapshot(token),
    )
    return key


class TokenRefused(PermissionDenied):
    """A token ``actor`` may not revoke (403)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TokenAlreadyRevoked(ValueError):
    """The token was revoked before: nothing to do, nothing changed."""


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken, request=None) -> ApiToken:
    """Revoke a token at once: its next request is a 401.

    Its owner may revoke it, and whoever may change the owner's account
    (`ApiToken.objects.manageable_by`); ``None`` is the system (the `token` command run
    on the server). A token already revoked stays as it was (its time is kept).
    """
    locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if (
        actor is not None
        and not ApiToken.objects.manageable_by(actor).filter(pk=locked.pk).exists()
    ):
        raise TokenRefused(_("Your account may not revoke this token."))
    if locked.revoked_at is not None:
        raise TokenAlreadyRevoked(locked.prefix)
    before = _token_snapshot(locked)
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action="token.revoked",
        obj=locked,
        object_repr=f"{locked.user.username} {locked.prefix}",
        hall=locked.user.halls.order_by("pk").first(),
        before=before,
        after=_token_snapshot(locked),
        request=request,
    )
    return locked
