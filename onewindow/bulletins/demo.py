"""The demo's bulletins: a speech and a notice of the year, one drafted from last month's
report and published, and a draft; acknowledged by most sub-centres, the rest left to
read or to acknowledge. Written through the services (their audit rows are today's);
safe to run again: a bulletin is written once (by its title)."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.halls.models import Hall

from . import services
from .models import Bulletin

LEADERS = "市委办公室\n市政府办公室"
PEERS = "市监察局\n市政务公开办公室"
SPEECH = """在全市行政服务中心作风建设推进会上的讲话

同志们：

今天召开全市行政服务中心作风建设推进会，主要任务是总结上半年工作，分析存在问题，部署下一阶段工作。

一、充分肯定成绩。各分中心认真落实“一个窗口对外、一站式服务”的要求，办件按时办结率稳步提高，群众满意率保持高位。

二、清醒认识问题。少数窗口服务态度生硬，一次性告知不到位，群众反映“来回跑”的问题仍有发生。

三、扎实推进下一阶段工作。要以群众满意为标准，坚持简化、下放、提速，把每一件事办好。"""
NOTICE = """各分中心：

近期暗访发现，个别窗口存在工作时间玩手机、离岗未放置告示牌等现象。现将有关情况通报如下，请各分中心对照检查，立即整改，并于本月底前将整改情况报中心。

中心将继续组织明察暗访，对问题突出的窗口和个人，按规定扣减考核分值。"""


def _subs():
    return list(Hall.objects.active().filter(kind=Hall.Kind.SUB_CENTRE).order_by("code"))


def _acknowledge_most(bulletin: Bulletin, skip_every: int) -> None:
    """Most halls read and acknowledge; every ``skip_every``-th only reads or not at all."""
    for n, receipt in enumerate(bulletin.receipts.select_related("hall").order_by("hall__code")):
        manager = User.objects.filter(halls=receipt.hall, groups__name=Role.HALL_MANAGER).first()
        if manager is None:
            continue
        if n % skip_every == skip_every - 1:
            if n % 2:
                services.mark_read(actor=manager, bulletin=bulletin)
            continue
        services.acknowledge(actor=manager, bulletin=bulletin)


@transaction.atomic
def load_demo_bulletins(stdout=None, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    admin = User.objects.filter(username="admin").first()
    subs = _subs()
    if admin is None or not subs:
        return 0
    written = 0
    plans = [
        ("市行政服务中心召开作风建设推进会", Bulletin.Kind.NEWS, SPEECH, True, 150),
        ("关于近期明察暗访情况的通报", Bulletin.Kind.NOTICE, NOTICE, False, 45),
    ]
    for title, kind, body, public, days_ago in plans:
        if Bulletin.objects.filter(title=title).exists():
            continue
        bulletin = services.save_bulletin(
            actor=admin, title=title, body=body, kind=kind, is_public=public, halls=subs,
            report_to=LEADERS, send_to=PEERS,
        )  # fmt: skip
        services.publish_bulletin(actor=admin, bulletin=bulletin)
        Bulletin.objects.filter(pk=bulletin.pk).update(
            published_at=timezone.now() - timedelta(days=days_ago)
        )
        _acknowledge_most(bulletin, 4)
        written += 1
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if not Bulletin.objects.filter(source_month=last_month).exists():
        try:
            draft = services.draft_from_report(actor=admin, month_text=f"{last_month:%Y-%m}")
        except ValidationError:
            draft = None  # a month the calendar does not cover: no report, no bulletin
        if draft is not None:
            services.save_bulletin(
                actor=admin, bulletin=draft, title=draft.title,
                body=draft.body + "\n\n请各分中心对照排名，查找差距，认真整改。",
                kind=draft.kind, is_public=True, halls=subs, report_to=LEADERS,
            )  # fmt: skip
            services.publish_bulletin(actor=admin, bulletin=draft)
            _acknowledge_most(draft, 5)
            written += 1
    title = "关于开展窗口服务技能比武的通知（草稿）"
    if not Bulletin.objects.filter(title=title).exists():
        services.save_bulletin(
            actor=admin, title=title, body="各分中心：\n\n为提升窗口服务水平，中心拟于下月开展技能比武。",
            halls=subs,
        )  # fmt: skip
        written += 1
    if stdout is not None:
        published = Bulletin.objects.published()
        stdout.write(
            f"bulletins: {published.count()} published "
            f"({published.filter(is_public=True).count()} public), "
            f"{Bulletin.objects.filter(status=Bulletin.Status.DRAFT).count()} draft"
        )
    return written
