"""Checks on observers' photos: size, and type by both the file name and the first bytes of
the content, with the signatures the case scans are checked against (a renamed PDF or
executable is not a photo)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from onewindow.cases.uploads import CONTENT_TYPES, SIGNATURES

PHOTO_TYPES = (".jpg", ".jpeg", ".png")
MAX_PHOTOS = 5


def validate_photo(upload) -> str:
    """Raise ValidationError (translated) unless the upload is a JPEG or PNG photo no
    larger than UPLOAD_MAX_BYTES; return the content type its content has."""
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a photo may be at most %(max)s."),
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    if ext not in PHOTO_TYPES:
        raise ValidationError(
            _("“%(name)s” is not accepted: photos must be JPG or PNG files."),
            code="type",
            params={"name": name},
        )
    position = upload.tell()
    try:
        upload.seek(0)
        head = upload.read(16) or b""
    finally:
        upload.seek(position)
    if not any(head.startswith(sig) for sig in SIGNATURES[ext]):
        raise ValidationError(
            _("“%(name)s” is not really a photo: its content does not match its name."),
            code="content",
            params={"name": name},
        )
    return CONTENT_TYPES[ext]
