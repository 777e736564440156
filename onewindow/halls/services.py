"""Writes on halls and windows: atomic and audited."""

from __future__ import annotations

from django.db import transaction
from django.forms.models import model_to_dict

from onewindow.audit.services import record

from .models import Department, Hall, Window


def _snapshot(obj, fields) -> dict:
    return model_to_dict(obj, fields=fields)


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


@transaction.atomic
def save_hall(*, actor, hall: Hall, request=None) -> Hall:
    creating = hall.pk is None
    before = None if creating else _snapshot(Hall.objects.get(pk=hall.pk), HALL_FIELDS)
    hall.full_clean()
    hall.save()
    record(
        actor=actor,
        action="hall.created" if creating else "hall.updated",
        obj=hall,
        hall=hall,
        before=before,
        after=_snapshot(hall, HALL_FIELDS),
        request=request,
    )
    return hall


@transaction.atomic
def save_window(*, actor, window: Window, request=None) -> Window:
    creating = window.pk is None
    before = None if creating else _snapshot(Window.objects.get(pk=window.pk), WINDOW_FIELDS)
    window.full_clean()
    window.save()
    record(
        actor=actor,
        action="window.created" if creating else "window.updated",
        obj=window,
        before=before,
        after=_snapshot(window, WINDOW_FIELDS),
        request=request,
    )
    return window


DEPARTMENT_FIELDS = ["code", "name", "name_en", "is_active"]


@transaction.atomic
def save_department(*, actor, department: Department, request=None) -> Department:
    creating = department.pk is None
    before = (
        None if creating else _snapshot(Department.objects.get(pk=department.pk), DEPARTMENT_FIELDS)
    )
    department.full_clean()
    department.save()
    record(
        actor=actor,
        action="department.created" if creating else "department.updated",
        obj=department,
        before=before,
        after=_snapshot(department, DEPARTMENT_FIELDS),
        request=request,
    )
    return department
