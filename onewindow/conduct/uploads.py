"""Checks on observers' photos: size, and type by both the file name and the first bytes of
the content, with the signatures the case scans are checked against (a renamed PDF or
executable is not a photo)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.cases.uploads import validate_typed_upload

PHOTO_TYPES = (".jpg", ".jpeg", ".png")
MAX_PHOTOS = 5
MESSAGES = {
    "too_large": _("“%(name)s” is %(size)s; a photo may be at most %(max)s."),
    "type": _("“%(name)s” is not accepted: photos must be JPG or PNG files."),
    "content": _("“%(name)s” is not really a photo: its content does not match its name."),
}


def validate_photo(upload) -> str:
    """Raise ValidationError (translated) unless the upload is a JPEG or PNG photo no
    larger than UPLOAD_MAX_BYTES; return the content type its content has."""
    return validate_typed_upload(upload, PHOTO_TYPES, MESSAGES)
