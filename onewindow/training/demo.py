"""The demo's training records: the pre-service course with its qualifying exam, and two
years of monthly training in every hall.

Every window clerk and hall manager passed the qualifying exam (岗前培训考试) about two years
ago and is trained three hours a month in their hall, so that nearly all window staff are
qualified under the default rule. Three clerks are flagged, each for another reason:
``td_clerk2`` missed the old exam and failed this year's retake, ``rh_clerk2`` passed an
exam that has expired, ``gjj_clerk2`` stayed away from most of the year's training.
History is written with the dates it had, without audit rows (a year of audit rows is not
invented). Safe to run again: nothing is written once sessions exist.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.halls.models import Hall

from .models import Attendance, TrainingSession

NO_PASS, EXPIRED, FEW_HOURS = "td_clerk2", "rh_clerk2", "gjj_clerk2"
TOPICS = (
    "政务服务事项办理规范", "一次性告知与容缺受理", "窗口文明用语与礼仪", "好差评与差评整改",
    "投诉处理与沟通技巧", "证照材料审核要点", "电子政务平台操作", "廉政教育与行风建设",
    "消防与突发事件处置", "个人信息保护", "收费政策与票据管理", "老年人与残障人士服务",
)  # fmt: skip
TRAINERS = (
    "市委党校 陈老师",
    "中心办公室 王建华",
    "市司法局 赵静",
    "中心信息科 周工",
    "外聘讲师 孙老师",
)


def _session(date, hours, topic, trainer, halls, *, qualifying=False, place=""):
    session = TrainingSession.objects.create(
        date=date, hours=Decimal(hours), topic=topic, trainer=trainer, place=place,
        has_exam=qualifying, qualifying=qualifying,
        pass_mark=Decimal("60") if qualifying else None,
    )  # fmt: skip
    session.halls.set(halls)
    return session


@transaction.atomic
def load_demo_training(stdout=None) -> int:
    if TrainingSession.objects.exists():
        return 0
    rng = random.Random(17)
    today = timezone.localdate()
    halls = list(Hall.objects.active().order_by("sort_order", "code"))
    serving = list(
        User.objects.filter(is_active=True, groups__name__in=[Role.WINDOW_CLERK, Role.HALL_MANAGER])
        .distinct()
        .prefetch_related("halls")
        .order_by("username")
    )
    rows: list[Attendance] = []

    def exam(session, people, fail=()):
        for user in people:
            score = Decimal(rng.randint(45, 59) if user.username in fail else rng.randint(68, 98))
            result = Attendance.Result.FAILED if score < 60 else Attendance.Result.PASSED
            rows.append(Attendance(session=session, user=user, result=result, score=score))

    # An exam of long ago, now expired: the one rh_clerk2 passed.
    old = _session(today - timedelta(days=1300), "16", "窗口工作人员岗前培训（上岗资格考试）",
                   TRAINERS[0], halls, qualifying=True, place="市委党校")  # fmt: skip
    exam(old, [u for u in serving if u.username == EXPIRED])
    # The pre-service course everybody else passed about two years ago.
    course = _session(today - timedelta(days=760), "16", "窗口工作人员岗前培训（上岗资格考试）",
                      TRAINERS[0], halls, qualifying=True, place="市委党校")  # fmt: skip
    exam(course, [u for u in serving if u.username not in (NO_PASS, EXPIRED)])
    # This year's retake, failed by td_clerk2.
    retake = _session(today - timedelta(days=45), "16", "岗前培训补考", TRAINERS[1], halls,
                      qualifying=True, place="中心三楼培训室")  # fmt: skip
    exam(retake, [u for u in serving if u.username == NO_PASS], fail=(NO_PASS,))
    sessions = 3
    # Three hours a month in every hall for two years.
    for hall in halls:
        staff = [u for u in serving if hall in u.halls.all()]
        day = today - timedelta(days=730)
        while day < today:
            held = day + timedelta(days=rng.randint(0, 20))
            if held >= today:
                break
            session = _session(held, "3", rng.choice(TOPICS), rng.choice(TRAINERS), [hall],
                               place=f"{hall.name}会议室")  # fmt: skip
            sessions += 1
            for user in staff:
                away = rng.random() < (0.8 if user.username == FEW_HOURS else 0.04)
                result = Attendance.Result.ABSENT if away else Attendance.Result.ATTENDED
                rows.append(Attendance(session=session, user=user, result=result))
            day += timedelta(days=30)
    Attendance.objects.bulk_create(rows, batch_size=2000)
    if stdout:
        stdout.write(f"training: {sessions} sessions, {len(rows)} attendance records")
    return sessions
