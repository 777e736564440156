"""`check --deploy`: the audit chain needs a key of its own, kept outside the database."""

from django.conf import settings
from django.core import checks

MIN_KEY_LENGTH = 32


@checks.register(checks.Tags.security, deploy=True)
def check_audit_key(app_configs, **kwargs):
    errors = []
    if getattr(settings, "ONEWINDOW_AUDIT_KEY_SOURCE", "") not in {"environment", "file"}:
        errors.append(
            checks.Error(
                "The audit chain's key is derived from SECRET_KEY (development only).",
                hint="Set ONEWINDOW_AUDIT_KEY or ONEWINDOW_AUDIT_KEY_FILE to a key of its own.",
                id="audit.E001",
            )
        )
    elif len(settings.ONEWINDOW_AUDIT_KEY) < MIN_KEY_LENGTH:
        errors.append(
            checks.Error(
                f"The audit chain's key is shorter than {MIN_KEY_LENGTH} characters.",
                hint="Generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))'",
                id="audit.E002",
            )
        )
    return errors
