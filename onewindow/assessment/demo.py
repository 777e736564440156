"""The demo's assessment: the year the simulated cases cover, with deductions and
bonuses (each with its evidence note), and inspections of the sub-centres with findings
to fix, reported fixed and verified. The year is locked once it is over. Everything goes
through the services (audit rows included). Safe to run again: a year that has
deductions or inspections already is left as it is."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.cases.models import Case

from . import services
from .models import Adjustment, AssessmentScheme, Indicator, Inspection, InspectionFinding

# indicator code, kind, points, reason, evidence note
ADJUSTMENTS = [
    ("environment", "deduction", "1.5", "等候区地面有杂物，饮水机无水", "检查组现场记录第3号"),
    ("dress", "deduction", "1", "2名窗口人员未佩戴工作牌", "检查组现场照片2张"),
    ("guides", "deduction", "2", "3个事项办事指南未随法规修订更新", "对照表见检查记录"),
    ("authorised", "deduction", "2", "窗口授权不到位，审批仍需回科室签字", "窗口授权清单比对记录"),
    ("discipline", "deduction", "1", "工作时间1人离岗未登记", "监控截图已存档"),
    ("monthly_reports", "deduction", "1", "10月办件月报逾期2个工作日报送", "月报报送登记簿"),
    ("guides", "bonus", "2", "“一件事一次办”做法被省政务办推广", "省政务办简报第12期"),
    ("environment", "bonus", "1", "获评市级“巾帼文明岗”", "市妇联表彰文件"),
]

FINDINGS = [
    "自助服务区两台设备故障未及时报修",
    "叫号系统与窗口显示屏号码不一致",
    "收费公示牌未更新新标准",
    "投诉意见箱钥匙无人保管，意见未按周开启",
    "部分窗口未摆放评价器",
]


def demo_year() -> int:
    """The year the simulated cases cover (their earliest day), else this year."""
    first = Case.objects.filter(source=Case.Source.SIMULATION).aggregate(m=Min("received_at"))["m"]
    return timezone.localdate(first).year if first else timezone.localdate().year


def load_demo_assessment(stdout=None) -> None:
    year = demo_year()
    centre_staff = list(
        User.objects.filter(username__in=["admin", "jiancha"], is_active=True).order_by("username")
    )
    if not centre_staff:
        _write(stdout, "assessment: no centre staff (load the organisation first), skipped\n")
        return
    admin = centre_staff[0]
    scheme = AssessmentScheme.objects.filter(year=year).first()
    if scheme is None:
        scheme = services.create_scheme(actor=admin, year=year)
    halls = list(services.sub_centres())
    if (
        not halls
        or Adjustment.objects.filter(scheme=scheme).exists()
        or Inspection.objects.filter(date__year=year).exists()
    ):
        _write(stdout, f"assessment {year}: recorded already\n")
        return
    rng = random.Random(year)
    today = timezone.localdate()
    last_day = min(today, dt.date(year, 12, 31))
    with transaction.atomic():
        indicators = {i.code: i for i in Indicator.objects.filter(block__scheme=scheme)}
        if not scheme.is_locked:
            for n, (code, kind, points, reason, note) in enumerate(ADJUSTMENTS):
                if code not in indicators:
                    continue
                services.record_adjustment(
                    actor=centre_staff[n % len(centre_staff)], scheme=scheme,
                    hall=halls[(n * 3) % len(halls)], indicator_id=str(indicators[code].pk),
                    kind=kind, points=points, reason=reason, note=note,
                )  # fmt: skip
        inspections = 0
        for n, hall in enumerate(halls[:6]):
            date = dt.date(year, 1 + (n * 2) % 11, 10 + n)
            if date > last_day - dt.timedelta(days=20):
                date = last_day - dt.timedelta(days=20 + n)
            findings = [
                (FINDINGS[(n + k) % len(FINDINGS)], date + dt.timedelta(days=14))
                for k in range(1 + n % 2)
            ]
            ins = services.record_inspection(
                actor=admin, hall=hall, date=date, inspectors=centre_staff,
                summary="对照“六统一”要求检查窗口运作、政务公开与服务环境", findings=findings,
            )  # fmt: skip
            inspections += 1
            manager = User.objects.filter(halls=hall, groups__name="hall_manager").first() or admin
            for k, finding in enumerate(ins.findings.all()):
                state = (n + k) % 3  # 0: still to fix, 1: reported fixed, 2: verified
                if state >= 1:
                    services.act_on_finding(actor=manager, finding=finding, action="fix",
                                            note="已整改，附整改前后照片")  # fmt: skip
                    fixed = timezone.make_aware(dt.datetime.combine(
                        finding.fix_by - dt.timedelta(days=rng.randint(0, 5)), dt.time(16)
                    ))  # fmt: skip
                    InspectionFinding.objects.filter(pk=finding.pk).update(fixed_at=fixed)
                if state == 2:
                    services.act_on_finding(
                        actor=centre_staff[-1], finding=finding, action="verify"
                    )
        if scheme.year < today.year and not scheme.is_locked:
            services.lock_scores(actor=admin, scheme=scheme)
    top = services.ranking(scheme)[:1]
    _write(
        stdout,
        f"assessment {year}: {len(ADJUSTMENTS)} deductions and bonuses, {inspections} inspections"
        + (f", first {top[0]['name']} {top[0]['total']:.2f}" if top else "")
        + "\n",
    )


def _write(stdout, text) -> None:
    if stdout is not None:
        stdout.write(text.rstrip("\n"))
