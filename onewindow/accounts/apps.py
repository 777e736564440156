from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff users, their roles (groups) and halls, sign-in safety, API tokens."""

    name = "onewindow.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import access  # noqa: F401  (connects the signals that renew access stamps)
        from .roles import sync_roles_after_migrate

        # Roles are data (groups + permissions). Permissions only exist after
        # migrate has run, so the role groups are brought up to date afterwards.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="onewindow.sync_roles")
