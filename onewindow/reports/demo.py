"""Every past month of the demo's year reported by every hall (`load_demo`): kept,
written, submitted (some late), reviewed and published; one returned and submitted again.

Written as history with bulk_create (no audit rows, as the demo's cases and ratings): the
submission and review dates are counted on the working-day calendar from each month's due
day, and every choice is drawn from the hall and the month, so a second run adds nothing
and a later month gets its reports. A month whose review would fall after now stands
where it would be now (submitted, waiting for the centre).
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role

from . import figures as fig
from .models import MonthlyReport
from .services import (
    ReportError,
    due_date,
    due_working_day,
    past_months,
    reporting_halls,
    working_days_late,
)

S = MonthlyReport.State
SHANGHAI = ZoneInfo("Asia/Shanghai")

NARRATIVE = (
    "本月{hall}共收件{received}件，办结{decided}件，按承诺时限办结率{in_time}。"
    "窗口服务总体平稳，群众满意率{satisfaction}。"
)
TRAINING = ("组织窗口人员业务培训一次，参训{n}人。", "开展服务礼仪和政策法规学习，参训{n}人。")
PROBLEMS = (
    "个别事项材料退补较多，群众多次往返。",
    "高峰时段等候时间偏长。",
    "部分承诺件临近期限才办结。",
)
PLANS = (
    "下月梳理退补较多事项的办事指南，做到一次性告知。",
    "下月高峰时段增开窗口，推行预约办理。",
    "下月加强承诺件时限跟踪，杜绝超期。",
)
RETURN_REASON = "培训情况未写明参训人数，问题整改措施不具体，请补充后重新报送。"


def _share(month: dt.date, code: str, salt: int) -> float:
    n = month.year * 12 + month.month + sum(ord(c) * (i + 7) for i, c in enumerate(code))
    return ((n * 2654435761 + salt * 40503) % 4294967296) / 4294967296


def _rate_text(rate: dict) -> str:
    return "—" if rate["value"] is None else f"{rate['value'] * 100:.1f}%"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 30), tzinfo=SHANGHAI)


def load_demo_reports(stdout=None, *, now: dt.datetime | None = None) -> int:
    """Keep the reports of the past months of this year for every reporting hall that has
    none yet; returns how many were added."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    halls = list(reporting_halls())
    if not halls:
        return 0
    from onewindow.workdays.services import get_calendar

    cal = get_calendar()
    day = due_working_day()
    have = set(
        MonthlyReport.objects.filter(hall__in=halls, month__year=today.year).values_list(
            "month", "hall_id"
        )
    )
    reviewer = (
        User.objects.filter(groups__name=Role.CENTRE_ADMIN, is_active=True).order_by("pk").first()
    )
    managers = {}
    for user in User.objects.filter(groups__name=Role.HALL_MANAGER, is_active=True).order_by("pk"):
        for hall_id in user.hall_id_set:
            managers.setdefault(hall_id, user)
    added = 0
    returned_one = MonthlyReport.objects.filter(hall__in=halls, returns__gt=0).exists()
    for month in past_months(today.year, today):
        todo = [h for h in halls if (month, h.pk) not in have]
        if not todo:
            continue
        try:
            due = due_date(month, day, cal)
        except ReportError as exc:
            if stdout:
                stdout.write(f"  reports {month:%Y-%m}: skipped ({exc})")
            continue
        started = time.monotonic()
        rows = []
        for hall in todo:
            figures = fig.monthly_figures(month, hall)
            total = figures["levels"]["total"][0]
            report = MonthlyReport(
                month=month,
                hall=hall,
                figures=figures,
                generated_at=_at(due, 8) - dt.timedelta(days=3),
                narrative=NARRATIVE.format(
                    hall=hall.name,
                    received=total["counts"]["received"],
                    decided=total["counts"]["decided"],
                    in_time=_rate_text(total["rates"]["in_time_promised"]),
                    satisfaction=_rate_text(total["rates"]["satisfaction"]),
                ),
                training_held=TRAINING[int(_share(month, hall.code, 1) * len(TRAINING))].format(
                    n=8 + int(_share(month, hall.code, 2) * 30)
                ),
                problems=PROBLEMS[int(_share(month, hall.code, 3) * len(PROBLEMS))],
                plans=PLANS[int(_share(month, hall.code, 4) * len(PLANS))],
                due_on=due,
                version=2,
            )
            # About one report in six is handed in late, by one to four working days.
            luck = _share(month, hall.code, 5)
            if luck < 0.17:
                handed_in = cal.add_working_days(due, 1 + int(luck * 100) % 4).value
            else:
                handed_in = cal.next_working_day_on_or_after(
                    due - dt.timedelta(days=int(luck * 10) % 4)
                )
            submitted_at = _at(handed_in, 9 + int(_share(month, hall.code, 6) * 8))
            report.generated_at = min(report.generated_at, submitted_at - dt.timedelta(hours=2))
            if submitted_at > now:
                report.state = S.DRAFT  # still being written
                rows.append(report)
                continue
            report.state = S.SUBMITTED
            report.submitted_at, report.submitted_by = submitted_at, managers.get(hall.pk)
            report.days_late = working_days_late(due, handed_in, cal)
            review_at = _at(cal.add_working_days(handed_in, 1).value, 15)
            if not returned_one and month.month > 1:
                # The centre returns it once; the hall writes it again and resubmits.
                returned_one = True
                report.returns, report.return_reason = 1, RETURN_REASON
                report.returned_at = review_at
                report.training_held += "（已补充参训人数和考试情况）"
                report.submitted_at = _at(cal.add_working_days(handed_in, 3).value, 10)
                review_at = _at(cal.add_working_days(handed_in, 4).value, 15)
                report.version += 2
            if review_at <= now:
                report.state, report.published_at = S.PUBLISHED, review_at
                report.reviewed_by = reviewer
                report.version += 1
            rows.append(report)
        with transaction.atomic():
            MonthlyReport.objects.bulk_create(rows)
        added += len(rows)
        if stdout:
            late = sum(1 for r in rows if r.days_late)
            stdout.write(
                f"  reports {month:%Y-%m}: {len(rows)} halls, {late} late, "
                f"{sum(1 for r in rows if r.state == S.PUBLISHED)} published "
                f"({time.monotonic() - started:.1f}s)"
            )
    return added
