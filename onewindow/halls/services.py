"""Writes on halls, windows and departments: atomic and audited."""

from __future__ import annotations

from django.db import models, transaction
from django.forms.models import model_to_dict

from onewindow.audit.services import record

from .models import Department, Hall, Window

HALL_FIELDS = [
    "code",
    "name",
    "name_en",
    "kind",
    "parent",
    "department",
    "address",
    "phone",
    "is_active",
]
WINDOW_FIELDS = ["hall", "number", "name", "department", "is_active"]
DEPARTMENT_FIELDS = ["code", "name", "name_en", "is_active"]


def _save_audited(
    *, actor, obj: models.Model, fields: list[str], noun: str, request=None, hall=None
):
    """Validate and save one organisation record, with its before/after in the audit log."""
    creating = obj.pk is None
    before = None if creating else model_to_dict(type(obj).objects.get(pk=obj.pk), fields=fields)
    obj.full_clean()
    obj.save()
    record(
        actor=actor,
        action=f"{noun}.{'created' if creating else 'updated'}",
        obj=obj,
        hall=hall,
        before=before,
        after=model_to_dict(obj, fields=fields),
        request=request,
    )
    return obj


@transaction.atomic
def save_hall(*, actor, hall: Hall, request=None) -> Hall:
    return _save_audited(
        actor=actor, obj=hall, fields=HALL_FIELDS, noun="hall", request=request, hall=hall
    )


@transaction.atomic
def save_window(*, actor, window: Window, request=None) -> Window:
    return _save_audited(
        actor=actor, obj=window, fields=WINDOW_FIELDS, noun="window", request=request
    )


@transaction.atomic
def save_department(*, actor, department: Department, request=None) -> Department:
    return _save_audited(
        actor=actor, obj=department, fields=DEPARTMENT_FIELDS, noun="department", request=request
    )
