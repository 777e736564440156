"""Checks on a bulletin's attachments: the size and the type, by the file name and by the
first bytes of the content (the signatures the case scans are checked against)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from onewindow.cases.uploads import CONTENT_TYPES, SIGNATURES

MAX_ATTACHMENTS = 5


def validate_attachment(upload) -> str:
    """Raise ValidationError (translated) unless the upload is a PDF, JPG or PNG file no
    larger than UPLOAD_MAX_BYTES whose content matches its name; return its content type."""
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; an attachment may be at most %(max)s."),
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    if ext not in SIGNATURES:
        raise ValidationError(
            _("“%(name)s” is not accepted: attachments must be PDF, JPG or PNG files."),
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
            _("“%(name)s” is not really a %(type)s file: its content does not match its name."),
            code="content",
            params={"name": name, "type": ext.lstrip(".").upper()},
        )
    return CONTENT_TYPES[ext]
