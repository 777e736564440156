"""The demo's queue lines: in every hall, one line per department with windows there
(A, B, C … in the order of the windows), covering the department's items published in the
hall and called by its windows. Idempotent; no tickets (they come with the simulated year)."""

from __future__ import annotations

import string

from onewindow.catalogue.models import ServiceItem
from onewindow.halls.models import Hall, Window

from .models import QueueCategory


def load_demo_floor(stdout=None) -> int:
    made = 0
    for hall in Hall.objects.active():
        departments = []
        for window in (
            Window.objects.active().filter(hall=hall, department__isnull=False).order_by("number")
        ):
            if window.department not in departments:
                departments.append(window.department)
        for letter, department in zip(string.ascii_uppercase, departments, strict=False):
            line, created = QueueCategory.objects.update_or_create(
                hall=hall,
                letter=letter,
                defaults={
                    "name": department.name.removeprefix("市").removeprefix("张家港市")[:60],
                    "name_en": department.name_en[:100],
                    "sort_order": ord(letter),
                },
            )
            line.windows.set(Window.objects.active().filter(hall=hall, department=department))
            line.items.set(
                ServiceItem.objects.filter(
                    department=department, published_version__halls=hall
                ).distinct()
            )
            made += created
    if stdout is not None:
        stdout.write(
            f"floor: {QueueCategory.objects.count()} queue lines ({made} new) in "
            f"{QueueCategory.objects.values('hall').distinct().count()} halls"
        )
    return made
