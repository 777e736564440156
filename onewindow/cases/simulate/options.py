"""The options of a simulation run and the figures it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Options:
    start: date
    end: date  # inclusive
    cases: int
    seed: int = 1
    now: datetime | None = None  # nothing happens after this moment (default: the end of `end`)
    batch_cases: int = 10000

    @classmethod
    def for_year(
        cls, year: int, cases: int, *, seed: int = 1, until: datetime | None = None, **kw
    ) -> Options:
        """A calendar year, cut at ``until`` (e.g. now, for the current year)."""
        end = date(year, 12, 31)
        if until is not None:
            from django.utils import timezone

            end = min(end, timezone.localtime(until).date())
        return cls(start=date(year, 1, 1), end=end, cases=cases, seed=seed, now=until, **kw)


@dataclass
class Stats:
    cases: int = 0
    events: int = 0
    steps: int = 0
    materials: int = 0
    corrections: int = 0
    suspensions: int = 0
    extensions: int = 0
    seconds: float = 0.0
    by_status: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return (
            self.cases
            + self.events
            + self.steps
            + self.materials
            + self.corrections
            + self.suspensions
            + self.extensions
        )
