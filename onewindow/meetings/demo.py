"""The demo's joint meetings (联席会议): one a quarter over the demo year and one last
month, each with decisions owned by the sub-centres in every state: verified, done and
waiting for the centre, returned, open, overdue, done late and cancelled.

The history is written with the dates it would have had (a year of audit rows is not
invented). Safe to run again: a meeting is written once (by its date and title).
"""

from __future__ import annotations

import datetime as dt
import itertools
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.halls.models import Hall

from .models import Decision, DecisionNote, Meeting

AGENDA = (
    "一、通报上一阶段各分中心办件情况和好差评结果\n"
    "二、研究窗口作风建设和“一窗受理”推进中的问题\n"
    "三、部署下一阶段重点工作"
)
TASKS = [
    "完善叫号系统与办件系统的对接，做到取号即建档",
    "对照办事指南清理申请材料，取消无法定依据的证明材料",
    "落实首问负责和一次性告知制度，开展专项自查",
    "增设帮办代办岗位，为老年人和残疾人提供上门服务",
    "整改群众差评集中的窗口，逐件回访并报告结果",
    "推行延时服务和预约服务，公示服务时间",
    "规范收费公示，核对收费标准与实际收费一致",
    "开展窗口人员业务培训并组织考试",
]
S = Decision.Status
K = DecisionNote.Kind


def _at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def load_demo_meetings(stdout=None, today: dt.date | None = None) -> int:
    """Write the demo meetings; returns how many were written this time."""
    today = today or timezone.localdate()
    admin = User.objects.filter(username="admin").first()
    subs = list(Hall.objects.active().filter(kind=Hall.Kind.SUB_CENTRE).order_by("code"))
    centre = Hall.objects.active().filter(kind=Hall.Kind.CENTRE).first()
    if admin is None or not subs:
        return 0
    managers = {
        h.pk: User.objects.filter(halls=h, groups__name=Role.HALL_MANAGER).first() for h in subs
    }
    dates = [today - timedelta(days=d) for d in (330, 240, 150, 60, 20)]
    owners = itertools.cycle(subs)
    tasks = itertools.cycle(TASKS)
    written = 0
    for n, held_on in enumerate(dates, 1):
        title = f"{held_on.year}年第{n}次行政服务联席会议"
        if Meeting.objects.filter(title=title, held_on=held_on).exists():
            continue
        meeting = Meeting.objects.create(
            title=title, held_on=held_on, place="市行政服务中心三楼会议室", agenda=AGENDA,
            minutes=f"会议由中心主任主持，各分中心负责人参加。会议议定{n + 2}项工作，明确责任单位和完成时限。",
            created_by=admin, created_at=_at(held_on, 17),
        )  # fmt: skip
        meeting.halls.set([h for h in [centre, *subs] if h is not None])
        meeting.attendees.set([admin, *[m for m in managers.values() if m]])
        for number in range(1, n + 3):
            owner = next(owners)
            due_on = held_on + timedelta(days=30 + 10 * number)
            decision = Decision.objects.create(
                meeting=meeting, number=number, text=next(tasks), owner_hall=owner, due_on=due_on
            )
            _history(decision, managers.get(owner.pk) or admin, admin, today, (n + number) % 7)
        written += 1
    if stdout is not None:
        counts = {s: 0 for s in ("open", "overdue", "awaiting", "done", "cancelled")}
        for d in Decision.objects.all():
            counts[d.shown_status] += 1
        stdout.write(
            f"meetings: {Meeting.objects.count()} joint meetings, decisions "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
    return written


def _note(decision, kind, text, author, day):
    DecisionNote.objects.create(decision=decision, kind=kind, text=text, author=author, at=_at(day))


def _history(decision: Decision, manager, admin, today: dt.date, shape: int) -> None:
    """Give a decision one of seven histories, as far as its dates have come."""
    start = decision.meeting.held_on
    due = decision.due_on
    mid = start + (due - start) / 2
    if mid < today:
        _note(decision, K.PROGRESS, "已制定工作方案，明确专人负责。", manager, mid)
    if shape == 0 and due < today:  # cancelled by a later meeting
        _note(
            decision,
            K.CANCELLED,
            "经后续联席会议研究，该事项并入全市统一部署，予以撤销。",
            admin,
            due,
        )
        decision.status = S.CANCELLED
    elif shape in (1, 2, 3) and due - timedelta(days=5) < today:  # done in time
        done = due - timedelta(days=5)
        _note(decision, K.DONE, "已按要求完成，相关材料已报中心。", manager, done)
        decision.status, decision.done_at = S.DONE, _at(done)
        if shape != 3 and done + timedelta(days=4) < today:  # verified (3: still waiting)
            _note(decision, K.VERIFIED, "经现场核查，落实到位。", admin, done + timedelta(days=4))
            decision.verified_at, decision.verified_by = _at(done + timedelta(days=4)), admin
    elif shape == 4 and due + timedelta(days=12) < today:  # done late, verified
        late = due + timedelta(days=8)
        _note(decision, K.DONE, "因设备到货延迟，逾期完成。", manager, late)
        _note(
            decision, K.VERIFIED, "已核实完成，逾期情况计入考核。", admin, late + timedelta(days=4)
        )
        decision.status, decision.done_at = S.DONE, _at(late)
        decision.verified_at, decision.verified_by = _at(late + timedelta(days=4)), admin
    elif shape == 5 and due - timedelta(days=3) < today:  # returned, open again
        back = due - timedelta(days=3)
        _note(decision, K.DONE, "已完成。", manager, back - timedelta(days=2))
        _note(decision, K.RETURNED, "未见整改台账，请补充后重新报告。", admin, back)
    # shape 6 (and the young ones): open, overdue once the date has passed
    decision.version = decision.notes.count() + 1
    decision.save()
