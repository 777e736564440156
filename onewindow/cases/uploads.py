"""Checks on scans of application materials: size, and type by both the file name and the
first bytes of the content (a renamed executable is not a PDF)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# The first bytes of each accepted type ("magic numbers").
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def allowed_extensions() -> list[str]:
    return sorted(settings.UPLOAD_ALLOWED_TYPES)


def validate_scan(upload) -> str:
    """Raise ValidationError (translated) unless the upload is an allowed scan; return
    the content type that matches its content."""
    return validate_typed_upload(
        upload,
        settings.UPLOAD_ALLOWED_TYPES,
        {
            "too_large": _("“%(name)s” is %(size)s; a scan may be at most %(max)s."),
            "type": _("“%(name)s” is not accepted: scans must be %(types)s files."),
            "content": _(
                "“%(name)s” is not really a %(type)s file: its content does not match its name."
            ),
        },
    )


def _read_head(upload, n: int) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        return upload.read(n) or b""
    finally:
        upload.seek(position)


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(name or "")[1].lower(), "application/octet-stream")


def validate_typed_upload(upload, types, messages) -> str:
    """The checks of a scan for another kind of file (an observer's photo, a bulletin's
    attachment): not above UPLOAD_MAX_BYTES, not empty, an extension in ``types`` and
    content that starts with its signature. ``messages`` gives the caller's words for
    "too_large", "type" and "content" (each may use %(name)s; "too_large" also %(size)s and
    %(max)s, "type" also %(types)s, "content" also %(type)s). Returns the content type."""
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            messages["too_large"],
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    if ext not in types:
        raise ValidationError(
            messages["type"],
            code="type",
            params={
                "name": name,
                "types": ", ".join(sorted(e.lstrip(".").upper() for e in types)),
            },
        )
    if not any(_read_head(upload, 16).startswith(sig) for sig in SIGNATURES.get(ext, ())):
        raise ValidationError(
            messages["content"],
            code="content",
            params={"name": name, "type": ext.lstrip(".").upper()},
        )
    return CONTENT_TYPES.get(ext, "application/octet-stream")
