"""Checks on a bulletin's attachments: the size and the type, by the file name and by the
first bytes of the content (the signatures the case scans are checked against)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.cases.uploads import SIGNATURES, validate_typed_upload

MAX_ATTACHMENTS = 5
MESSAGES = {
    "too_large": _("“%(name)s” is %(size)s; an attachment may be at most %(max)s."),
    "type": _("“%(name)s” is not accepted: attachments must be PDF, JPG or PNG files."),
    "content": _("“%(name)s” is not really a %(type)s file: its content does not match its name."),
}


def validate_attachment(upload) -> str:
    """Raise ValidationError (translated) unless the upload is a PDF, JPG or PNG file no
    larger than UPLOAD_MAX_BYTES whose content matches its name; return its content type."""
    return validate_typed_upload(upload, SIGNATURES, MESSAGES)
