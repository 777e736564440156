"""Demo complaints: a year of them in every state, through the real services.

Registered over the demo year (the last twelve months) by every channel, some about
cases of the simulated year; the older ones went the whole way (assigned, investigated,
answered, closed; some reopened and answered again), the recent ones are still being
handled, and a few are overdue. Idempotent: skipped when complaints from the public
(portal, phone, letter, on site, hotline) exist already.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.halls.models import Hall

from . import services
from .models import Complaint

PUBLIC_CHANNELS = ["web", "phone", "letter", "on_site", "hotline"]

TEXTS = {
    "attitude": [
        "窗口工作人员态度生硬，问了两遍就不耐烦，让我自己看墙上的指南。",
        "工作人员一边办业务一边和同事聊天，对我的问题爱答不理。",
    ],
    "discipline": ["上午十点到窗口，工作人员不在岗，等了二十分钟才回来。"],
    "overdue": ["办件承诺十个工作日办结，已经过了期限还没有消息，打电话也没人接。"],
    "not_accepted": ["材料齐全却被告知不能受理，也没有书面说明理由。"],
    "extra_materials": ["办事指南上没有要求的证明，窗口要求我回去开具，来回跑了三趟。"],
    "fees": ["复印材料收费比公示的标准高。"],
    "queue": ["取号后等了一个多小时，只开了两个窗口。"],
    "facilities": ["大厅自助终端坏了好几天没人修。"],
    "online": ["网上申报系统提交后一直显示处理中，无法查询进度。"],
    "suggestion": ["建议周六上午增加一个综合窗口，方便上班族办事。"],
    "consultation": ["请问办理个体工商户登记需要哪些材料？"],
    "help": ["老人行动不便，能否上门办理？"],
}
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷"]
ANSWERS = {
    "valid": "经调查核实，您反映的情况属实。我们已对相关工作人员进行了处理，并在全中心通报，"
    "今后将加强管理。感谢您的监督。",
    "partly_valid": "经调查核实，您反映的情况部分属实。我们已提醒相关工作人员改进服务方式，"
    "其余情况已向您作出解释。",
    "not_valid": "经调取录像和办件记录核实，工作人员按规定办理，未发现您反映的问题。"
    "如有疑问，欢迎来电咨询。",
}
ACTIONS = {"valid": "criticism", "partly_valid": "talk", "not_valid": "none"}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _handler_for(hall: Hall, office):
    handlers = services.handlers_for(Complaint(hall=hall)).exclude(pk=office.pk)
    return handlers.filter(username__endswith="_manager").first() or handlers.first() or office


def load_demo_complaints(stdout=None, *, count: int = 60, seed: int = 16) -> int:
    """Register and handle ``count`` demo complaints; returns how many were made."""
    if Complaint.objects.filter(channel__in=PUBLIC_CHANNELS).exists():
        if stdout:
            stdout.write("complaints: already loaded")
        return 0
    User = get_user_model()
    office = User.objects.filter(username="jiancha").first() or (
        User.objects.filter(groups__name="supervisor", is_active=True).first()
    )
    halls = list(Hall.objects.filter(is_active=True))
    if office is None or not halls:
        if stdout:
            stdout.write("complaints: skipped (no organisation)")
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    made = 0
    for i in range(count):
        # Spread over the year, oldest first; the last few in the past week.
        recent = (26, 20, 16, 12, 9, 6, 4, 2, 1, 0)
        back = count - i
        age = recent[-back] if back <= len(recent) else int(360 * back / count)
        day = today - dt.timedelta(days=age)
        category = rng.choice(list(TEXTS))
        channel = PUBLIC_CHANNELS[i % len(PUBLIC_CHANNELS)]
        hall = rng.choice(halls)
        kwargs = {}
        case = None
        if i % 3 == 0:
            case = (
                Case.objects.filter(hall=hall, received_at__date__lte=day)
                .order_by("-received_at")
                .only("number")
                .first()
            )
        if case is not None:
            kwargs["case_number"] = case.number
        else:
            kwargs["hall"] = hall
        name = rng.choice(NAMES)
        complaint = services.register(
            category=category,
            channel=channel,
            content=rng.choice(TEXTS[category]),
            complainant_name=name,
            complainant_phone=f"139{rng.randrange(10**8):08d}",
            complainant_address="张家港市杨舍镇人民路" + str(rng.randrange(1, 300)) + "号"
            if channel == "letter"
            else "",
            external_id=f"12345-{day:%Y%m%d}-{i:03d}" if channel == "hotline" else "",
            source_system="12345" if channel == "hotline" else "",
            actor=None if channel == "web" else office,
            at=_at(day, 9),
        )
        made += 1
        _handle(complaint, office, _handler_for(complaint.hall, office), day, today, i, rng)
    if stdout:
        counts = {s: Complaint.objects.filter(status=s).count() for s in Complaint.Status.values}
        stdout.write(
            f"complaints: {made} over the year ("
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + f", overdue {Complaint.objects.overdue().count()}, "
            f"reopened {Complaint.objects.filter(reopen_count__gt=0).count()})"
        )
    return made


def _handle(c, office, handler, day, today, i, rng) -> None:
    """Take a complaint as far as its age allows (a few stop early and run overdue)."""
    age = (today - day).days
    step = lambda n: min(day + dt.timedelta(days=n), today)  # noqa: E731
    stop_early = i % 11 == 5  # the overdue ones: left where they are
    if age < 1 or (stop_early and age > 3 and i % 2):
        return  # registered (overdue when older than a working day)
    c = services.assign(actor=office, complaint=c, handler=handler, at=_at(step(1)))
    if age < 3:
        return
    c = services.start_investigation(actor=handler, complaint=c, at=_at(step(2)))
    if age < 8 or stop_early:
        return  # investigating (overdue when older than its dates)
    finding = rng.choice(["valid", "partly_valid", "not_valid", "not_valid"])
    c = services.record_findings(
        actor=handler,
        complaint=c,
        finding=finding,
        staff_action=ACTIONS[finding],
        note="调取了窗口录像，询问了当事工作人员和在场群众。",
        at=_at(step(6)),
    )
    c = services.answer(actor=handler, complaint=c, text=ANSWERS[finding], at=_at(step(8)))
    if i % 7 == 3 and age >= 12:
        c = services.reopen(complaint=c, reason="对答复不满意，问题没有解决。", at=_at(step(12)))
        if age < 30:
            return  # reopened, being investigated again
        c = services.record_findings(
            actor=handler,
            complaint=c,
            finding="partly_valid",
            staff_action="talk",
            note="重新调查，约谈了工作人员。",
            at=_at(step(18)),
        )
        c = services.answer(
            actor=handler, complaint=c, text=ANSWERS["partly_valid"], at=_at(step(20))
        )
        base = 20
    else:
        base = 8
    if age >= base + 20:
        services.close(actor=office, complaint=c, at=_at(step(base + 17)))
