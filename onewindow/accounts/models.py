"""Staff users: roles are groups, halls are a many-to-many membership."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet

from .roles import ALL_HALL_ROLES, CENTRE_ROLES, Role, role_label


def _new_access_stamp() -> int:
    return secrets.randbits(62)


class UserQuerySet(HallScopedQuerySet):
    """`visible_to(user)`: staff sharing a hall with the user; all for the centre and supervision."""

    hall_lookup = "halls"
    hall_lookup_is_many = True

    def with_role(self, role: str):
        return self.filter(groups__name=role)

    def editable_by(self, actor):
        """The accounts ``actor`` may change: details, password, active flag, halls, roles.

        A superuser changes every account; a centre administrator every one but a
        superuser's; a hall manager only those that belong to their own halls alone and
        hold hall roles alone (no centre-wide role, no permission of their own, no access
        to the admin site): whoever sets an account's password acts with its rights.
        Nobody else changes any. Pages answer the others as they answer an unknown name.
        """
        if (
            actor is None
            or not actor.is_authenticated
            or not actor.is_active
            or not actor.has_perm("accounts.manage_staff")
        ):
            return self.none()
        if actor.is_superuser:
            return self
        qs = self.filter(is_superuser=False)
        if actor.manages_all_staff:
            return qs
        mine = actor.hall_id_set
        membership = self.model.halls.through.objects
        return (
            qs.filter(is_staff=False, user_permissions=None)
            .filter(pk__in=membership.filter(hall_id__in=mine).values("user_id"))
            .exclude(pk__in=membership.exclude(hall_id__in=mine).values("user_id"))
            .exclude(groups__name__in=CENTRE_ROLES)
        )


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A member of staff (or a conduct observer). Citizens do not sign in here yet."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    halls = models.ManyToManyField(
        "halls.Hall", verbose_name=_("halls"), blank=True, related_name="staff"
    )
    department = models.ForeignKey(
        "halls.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    # Drawn afresh whenever the user's groups, halls or permissions change (accounts.access):
    # the key under which their access is cached.
    access_stamp = models.BigIntegerField(default=_new_access_stamp, editable=False)
    failed_logins = models.PositiveSmallIntegerField(_("failed sign-ins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        permissions = [("manage_staff", _("Can manage staff"))]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [role_label(code) for code in Role.values if code in self.role_codes]

    @cached_property
    def hall_id_set(self) -> set[int]:
        return set(self.halls.values_list("pk", flat=True))

    @property
    def sees_all_halls(self) -> bool:
        return self.is_superuser or bool(self.role_codes & ALL_HALL_ROLES)

    @property
    def manages_all_staff(self) -> bool:
        """The centre's administrators (and superusers) manage the staff of every hall and
        grant the centre-wide roles; a hall manager only their halls' staff and hall roles."""
        return self.is_superuser or self.has_role(Role.CENTRE_ADMIN)

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now


def default_token_expiry():
    return timezone.now() + timedelta(days=settings.ONEWINDOW_API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        """Tokens that still open the API: neither revoked nor expired."""
        return self.filter(revoked_at=None, expires_at__gt=now or timezone.now())

    def manageable_by(self, actor):
        """The tokens ``actor`` may see and revoke: their own, and those of the accounts
        they may change (`User.objects.editable_by`), since whoever holds a token acts
        with its owner's rights."""
        if actor is None or not actor.is_authenticated or not actor.is_active:
            return self.none()
        others = User.objects.editable_by(actor).values("pk")
        return self.filter(models.Q(user=actor) | models.Q(user__in=others))


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a hash is stored; the key is shown once.

    A token works until it expires (`expires_at`, ONEWINDOW_API_TOKEN_DAYS after it was
    made) or is revoked, and only while its owner is active and not locked out. The
    `prefix` (the key's first characters after ``ow_``) names it on pages, in commands
    and in the audit log.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField(_("label"), max_length=80, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=default_token_expiry)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user.username} ow_{self.prefix}…"

    def state(self, now=None) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE

    @property
    def state_label(self) -> str:
        return self.State(self.state()).label

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, label: str = "") -> tuple[ApiToken, str]:
        key = "ow_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, label=label, prefix=key[3:11], key_hash=cls.hash_key(key)
        )
        return token, key
