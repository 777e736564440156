"""Helpers of the training tests: a session of the personas' hall with its attendees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from onewindow.training.models import Attendance, TrainingSession


def make_session(
    halls,
    *,
    date: dt.date = dt.date(2026, 1, 10),
    hours: str = "8",
    qualifying: bool = False,
    has_exam: bool | None = None,
    topic: str = "窗口服务规范",
    attendees=(),
    result: str | None = None,
) -> TrainingSession:
    """A session recorded directly (no audit row), each attendee with ``result``."""
    has_exam = qualifying if has_exam is None else has_exam
    session = TrainingSession.objects.create(
        date=date,
        hours=Decimal(hours),
        topic=topic,
        trainer="市委党校 王老师",
        has_exam=has_exam,
        qualifying=qualifying,
    )
    session.halls.set(halls)
    default = Attendance.Result.PASSED if has_exam else Attendance.Result.ATTENDED
    Attendance.objects.bulk_create(
        Attendance(session=session, user=u, result=result or default) for u in attendees
    )
    return session
