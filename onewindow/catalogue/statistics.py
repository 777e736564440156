"""Catalogue statistics: items per hall and department, immediate share, promised speed-up.

Every rate keeps its numerator and denominator (a rate alone cannot be added up over halls
or months), so the page can show "120 / 300" next to "40.0 %" and later reports can add
them up correctly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils.translation import get_language

from onewindow.halls.models import Department, Hall

from .models import Fee, ItemVersion


@dataclass
class Figures:
    """The figures of one group of published versions."""

    key: str = ""
    label: str = ""
    items: int = 0
    immediate: int = 0
    promised_days: int = 0
    legal_days: int = 0
    with_fees: int = 0

    def add(self, handling: str, legal: int, promised: int, has_fees: bool) -> None:
        self.items += 1
        self.immediate += handling == ItemVersion.Handling.IMMEDIATE
        self.legal_days += legal
        self.promised_days += promised
        self.with_fees += bool(has_fees)

    @property
    def promised(self) -> int:
        return self.items - self.immediate

    @property
    def immediate_share(self) -> float | None:
        return self.immediate / self.items if self.items else None

    @property
    def speed_up(self) -> float | None:
        """Promised speed-up 1 − Σpromised/Σlegal: how much faster than the law allows."""
        return 1 - self.promised_days / self.legal_days if self.legal_days else None

    @property
    def fee_share(self) -> float | None:
        return self.with_fees / self.items if self.items else None


@dataclass
class CatalogueStatistics:
    total: Figures
    sub_centres: Figures
    by_hall: list[Figures] = field(default_factory=list)
    by_department: list[Figures] = field(default_factory=list)

    @property
    def sub_centre_share(self) -> float | None:
        return self.sub_centres.items / self.total.items if self.total.items else None

    def chart_data(self) -> dict:
        """Plain data for the ECharts on the statistics page."""

        def pct(value):
            return None if value is None else round(value * 100, 1)

        return {
            "halls": [f.label for f in self.by_hall],
            "hall_immediate": [f.immediate for f in self.by_hall],
            "hall_promised": [f.promised for f in self.by_hall],
            "hall_speed_up": [pct(f.speed_up) for f in self.by_hall],
            "departments": [f.label for f in self.by_department],
            "department_items": [f.items for f in self.by_department],
            "immediate": self.total.immediate,
            "promised": self.total.promised,
        }


def catalogue_statistics(versions) -> CatalogueStatistics:
    """Figures for the given versions (normally ``ItemVersion.objects.published()``)."""
    english = (get_language() or "").startswith("en")
    rows = list(
        versions.annotate(has_fees=Exists(Fee.objects.filter(version=OuterRef("pk")))).values_list(
            "pk",
            "handling",
            "legal_limit_days",
            "promised_limit_days",
            "has_fees",
            "item__department_id",
        )
    )
    links: dict[int, list[int]] = {}
    through = ItemVersion.halls.through
    for version_id, hall_id in through.objects.filter(
        itemversion_id__in=[r[0] for r in rows]
    ).values_list("itemversion_id", "hall_id"):
        links.setdefault(version_id, []).append(hall_id)

    halls = list(Hall.objects.active())
    hall_figures = {
        h.pk: Figures(key=h.code, label=h.display_name("en" if english else "zh")) for h in halls
    }
    sub_centre_ids = {h.pk for h in halls if not h.is_centre}
    departments = {d.pk: d for d in Department.objects.all()}
    dept_figures: dict[int, Figures] = {}
    total = Figures(key="all")
    sub = Figures(key="sub_centres")
    for pk, handling, legal, promised, has_fees, dept_id in rows:
        args = (handling, legal, promised, has_fees)
        total.add(*args)
        hall_ids = links.get(pk, [])
        if sub_centre_ids.intersection(hall_ids):
            sub.add(*args)
        for hall_id in hall_ids:
            if hall_id in hall_figures:
                hall_figures[hall_id].add(*args)
        if dept_id not in dept_figures:
            d = departments[dept_id]
            dept_figures[dept_id] = Figures(
                key=d.code, label=(d.name_en or d.name) if english else d.name
            )
        dept_figures[dept_id].add(*args)
    return CatalogueStatistics(
        total=total,
        sub_centres=sub,
        by_hall=[hall_figures[h.pk] for h in halls],
        by_department=sorted(dept_figures.values(), key=lambda f: (-f.items, f.key)),
    )
