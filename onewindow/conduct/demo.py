"""The demo's conduct observers and a year of their visits to every hall.

Eight observers (people's congress deputies, CPPCC members, citizen, business and media
representatives) visit the halls two to four times a month; most of what they find is good
practice, a few shortcomings in each month, decided by the supervision office in every way
(a complaint, an entry on the conduct file, dismissed) and the last few still waiting. The
history is written with the dates it would have had (a year of audit rows is not invented);
complaints go through `complaints.services.register`, dated when they were registered.
Safe to run again: the observers are updated, the visits written once.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.accounts.services import save_staff
from onewindow.halls.models import Hall, Window

from .models import ConductClause, ConductRecord, Finding, ObserverProfile, Visit
from .services import COMPLAINT_SOURCE, category_for_clause, complaint_content

# username, name, appointed as, unit or constituency
OBSERVERS = [
    ("guanchayuan", "孙强", "citizen", "杨舍镇市民代表"),
    ("jdy_zhou", "周建平", "npc", "市人大代表（金港镇选区）"),
    ("jdy_wu", "吴晓梅", "cppcc", "市政协委员（民进界别）"),
    ("jdy_zheng", "郑国华", "npc", "市人大代表（塘桥镇选区）"),
    ("jdy_feng", "冯丽", "business", "市个体私营企业协会"),
    ("jdy_chen", "陈海波", "media", "张家港日报社"),
    ("jdy_chu", "褚雅琴", "citizen", "暨阳湖社区居民代表"),
    ("jdy_wei", "卫东升", "cppcc", "市政协委员（经济界别）"),
]

SUMMARIES = [
    "大厅秩序良好，候办群众约{n}人，各窗口运转正常。",
    "上午走访，取号等候约{n}分钟，导服人员在岗。",
    "下午暗访，办事群众较多，叫号有序，候办区座位充足。",
    "随机察看窗口服务，公示内容齐全，整体情况较好。",
]

# Good practice and shortcomings an observer writes, by clause.
POSITIVE = {
    "1.1": "窗口人员统一着装、佩戴胸牌，仪容整洁。",
    "2.1": "工作人员主动起身迎接群众，使用文明用语，解释耐心细致。",
    "3.1": "导服台工作人员主动询问来意，全程引导至对应窗口。",
    "3.3": "即办件当场办结，群众表示满意。",
    "3.4": "办事指南、收费标准和监督电话公示齐全、清楚。",
    "4.1": "各窗口人员均在岗，无空岗、串岗现象。",
    "4.4": "窗口台面整洁有序，无与工作无关的物品。",
    "7.1": "为一位行动不便的老人开通绿色通道，优先办理并协助填表。",
}
NEGATIVE = {
    "1.1": "窗口工作人员未佩戴工作牌，着便装上岗。",
    "2.2": "窗口工作人员答复群众咨询时语气生硬，称“这不归我们管，自己去问”。",
    "3.1": "群众咨询不属于本窗口的事项，工作人员未引导，只说“去别的窗口问”。",
    "3.2": "群众反映补交材料已跑了两次，前次未一次性告知需补正的全部内容。",
    "4.1": "上午十点左右该窗口无人值守，未放置暂停服务牌，群众等候约十五分钟。",
    "4.2": "窗口工作人员在无人办理业务时低头玩手机游戏，约十分钟。",
    "4.4": "窗口台面堆放私人物品和零食。",
    "5.1": "两个窗口相互推诿，群众在窗口间往返三次仍未受理。",
}
RECORD_NOTES = [
    "经核实属实，已对当事人约谈提醒，并在分中心内部通报。",
    "经调阅监控核实，责令当事人书面说明并整改，纳入月度考核扣分。",
]
DISMISS_REASONS = [
    "经调阅监控，当事人当时为系统故障报修，已放置暂停服务牌，事出有因。",
    "经核实，当事人为轮岗交接时段，另一名工作人员在岗，不构成空岗。",
]
# The order old shortcomings are decided in; the newest few stay pending.
OUTCOMES = ["record", "complaint", "dismissed", "record", "complaint"]
PENDING_LAST = 3


def _local(day, hour, minute):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@transaction.atomic
def load_observers(password: str | None = None) -> list[User]:
    """The demo observers and their appointments (for the year behind and the next)."""
    centre = Hall.objects.filter(kind=Hall.Kind.CENTRE).order_by("sort_order").first()
    password_hash = make_password(password) if password else None
    today = timezone.localdate()
    users = []
    for username, name, organisation, affiliation in OBSERVERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.full_name = name
        user.is_active = True
        if password_hash:
            user.password = password_hash
        save_staff(actor=None, user=user, halls=[centre], roles=[Role.CONDUCT_OBSERVER])
        ObserverProfile.objects.update_or_create(
            user=user,
            defaults={
                "organisation": organisation,
                "affiliation": affiliation,
                "term_from": today.replace(year=today.year - 1, month=1, day=1),
                "term_to": today.replace(year=today.year + 1, month=12, day=31),
                "active": True,
            },
        )
        users.append(user)
    return users


def _staff_of(hall) -> list[User]:
    return list(
        User.objects.filter(halls=hall, is_active=True, groups__name=Role.WINDOW_CLERK)
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def load_visits(observers: list[User], rng: random.Random) -> int:
    """A year of visits to every hall with their findings; nothing when some exist."""
    if Visit.objects.filter(observer__in=observers).exists():
        return 0
    halls = list(Hall.objects.active().order_by("sort_order", "code"))
    clauses = {c.code: c for c in ConductClause.objects.in_force()}
    today = timezone.localdate()
    start = today - timedelta(days=365)
    # 2-4 visits a month, walking the halls in turn so that every hall is visited.
    order = halls[:]
    rng.shuffle(order)
    dates = []
    month_start = start
    while month_start < today:
        for _ in range(rng.randint(2, 4)):
            day = month_start + timedelta(days=rng.randint(0, 29))
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            if start <= day < today:
                dates.append(day)
        month_start += timedelta(days=30)
    dates.sort()
    negatives: list[Finding] = []
    for i, day in enumerate(dates):
        hall = order[i % len(order)]
        windows = list(Window.objects.filter(hall=hall, is_active=True).order_by("number"))
        staff = _staff_of(hall)
        at = _local(day, rng.choice([9, 10, 14, 15]), rng.choice([0, 15, 30, 45]))
        visit = Visit.objects.create(
            observer=observers[i % len(observers)],
            hall=hall,
            visited_at=at,
            summary=rng.choice(SUMMARIES).format(n=rng.randint(8, 30)),
            created_at=at + timedelta(hours=2),
        )
        seen = rng.sample(windows, k=min(len(windows), rng.randint(2, 4)))
        visit.windows.set(seen)
        for j in range(rng.randint(1, 3)):
            negative = rng.random() < 0.22
            code = rng.choice(sorted(NEGATIVE if negative else POSITIVE))
            window = rng.choice(seen) if seen and rng.random() < 0.7 else None
            person = rng.choice(staff) if staff and (negative or rng.random() < 0.3) else None
            finding = Finding.objects.create(
                visit=visit,
                clause=clauses[code],
                kind=Finding.Kind.NEGATIVE if negative else Finding.Kind.POSITIVE,
                window=window,
                staff=person,
                description=(NEGATIVE if negative else POSITIVE)[code],
                status=Finding.Status.PENDING if negative else Finding.Status.NOTED,
                created_at=at + timedelta(hours=2, minutes=j),
            )
            if negative:
                negatives.append(finding)
    _decide(negatives, rng)
    return len(dates)


def _decide(negatives: list[Finding], rng: random.Random) -> None:
    """Decide the older shortcomings in every way the office can; leave the newest."""
    from onewindow.complaints import services as complaints
    from onewindow.complaints.models import Complaint

    office = User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).first()
    if office is None:
        return
    for n, finding in enumerate(negatives[: max(0, len(negatives) - PENDING_LAST)]):
        outcome = OUTCOMES[n % len(OUTCOMES)]
        if outcome == "record" and finding.staff_id is None:
            outcome = "dismissed"
        reviewed_at = finding.created_at + timedelta(days=rng.randint(1, 4))
        finding.reviewed_by = office
        finding.reviewed_at = reviewed_at
        if outcome == "record":
            finding.status = Finding.Status.RECORDED
            finding.review_note = rng.choice(RECORD_NOTES)
            ConductRecord.objects.create(
                staff=finding.staff,
                hall=finding.visit.hall,
                clause=finding.clause,
                date=timezone.localdate(finding.visit.visited_at),
                finding=finding,
                note=finding.review_note,
                recorded_by=office,
                recorded_at=reviewed_at,
            )
        elif outcome == "complaint":
            finding.status = Finding.Status.COMPLAINT
            finding.complaint = complaints.register(
                category=category_for_clause(finding.clause),
                channel=Complaint.Channel.OBSERVER,
                content=complaint_content(finding),
                hall=finding.visit.hall,
                window=finding.window,
                staff=finding.staff,
                complainant_name=str(finding.visit.observer),
                source_system=COMPLAINT_SOURCE,
                external_id=f"finding-{finding.pk}",
                actor=office,
                at=reviewed_at,
            )
            _handle_complaint(finding.complaint, office, reviewed_at)
        else:
            finding.status = Finding.Status.DISMISSED
            finding.review_note = rng.choice(DISMISS_REASONS)
        finding.save()


def _handle_complaint(complaint, office, registered_at) -> None:
    """Take an observer's complaint as far as its age allows, through the complaints
    services: the office assigns it, the hall investigates, finds it valid, answers and
    the office closes it; the recent ones are still being handled."""
    from onewindow.complaints import services as complaints

    age = (timezone.now() - registered_at).days
    if age < 3:
        return
    handlers = complaints.handlers_for(complaint).exclude(pk=office.pk)
    handler = handlers.filter(username__endswith="_manager").first() or handlers.first() or office
    day = lambda n: registered_at + timedelta(days=n)  # noqa: E731
    complaint = complaints.assign(actor=office, complaint=complaint, handler=handler, at=day(1))
    complaint = complaints.start_investigation(actor=handler, complaint=complaint, at=day(2))
    if age < 30:
        return
    complaint = complaints.record_findings(
        actor=handler,
        complaint=complaint,
        finding="valid",
        staff_action="criticism",
        note="调阅窗口录像，与当事工作人员谈话核实，情况属实。",
        at=day(6),
    )
    complaint = complaints.answer(
        actor=handler,
        complaint=complaint,
        text="经调查，您反映的问题属实。已对当事工作人员进行批评教育并责令整改，感谢您的监督。",
        at=day(8),
    )
    complaints.close(actor=office, complaint=complaint, at=day(20))


def load_demo_conduct(stdout=None, password: str | None = None) -> list[str]:
    """Load the observers and their year of visits; return the observers' logins."""
    observers = load_observers(password)
    visits = load_visits(observers, random.Random(2026))
    if stdout:
        findings = Finding.objects.filter(visit__observer__in=observers)
        stdout.write(
            f"conduct: {len(observers)} observers, "
            f"{Visit.objects.filter(observer__in=observers).count()} visits"
            f"{'' if visits else ' (already loaded)'}, {findings.count()} findings, "
            f"{findings.filter(kind=Finding.Kind.NEGATIVE).count()} shortcomings "
            f"({findings.pending().count()} awaiting review)"
        )
        label = str(Role.CONDUCT_OBSERVER.label)
        stdout.write(f"  {label:<40} {', '.join(u.username for u in observers)}")
    return [u.username for u in observers]
