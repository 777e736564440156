"""The demo's follow-ups: one per bad rating, in every state, dated on the calendar;
loading again adds nothing."""

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from onewindow.followups.demo import load_demo_followups
from onewindow.followups.models import FollowUp
from onewindow.ratings.models import Channel, Rating
from onewindow.workdays.services import get_calendar

from .factories import at

pytestmark = pytest.mark.django_db


def test_every_bad_rating_gets_a_follow_up_in_every_state(personas):
    with time_machine.travel(at("2026-06-15"), tick=False):
        start = at("2026-03-02", 9)
        recent = at("2026-06-01", 9)  # a quarter of history, then the last two weeks
        for i in range(240):
            if i < 120:
                rated = start + dt.timedelta(hours=18 * i + i % 7)
            else:
                rated = recent + dt.timedelta(hours=2 * (i - 120) + i % 3)
            Rating.objects.create(
                hall=personas.hall, act="accepted", act_at=rated - dt.timedelta(hours=1),
                level=1 + i % 2, channel=Channel.STATUS_PAGE, reasons=["slow"],
                comment="拖拉", rated_at=rated,
            )  # fmt: skip
        Rating.objects.create(
            hall=personas.hall, act="accepted", act_at=start, level=5,
            channel=Channel.WINDOW, rated_at=start,
        )  # fmt: skip
        out = io.StringIO()
        assert load_demo_followups(stdout=out) == 240
        assert "Bad-rating follow-ups: 240 added" in out.getvalue()
        assert load_demo_followups() == 0
        today = timezone.localdate()
        states = set(FollowUp.objects.values_list("state", flat=True))
        assert states == set(FollowUp.State.values)
        assert FollowUp.objects.overdue(today).filter(state="open").exists()
        assert FollowUp.objects.overdue(today).filter(state="fixing").exists()
        assert set(FollowUp.objects.values_list("outcome", flat=True)) >= {
            "fixed_now", "fixed", "explained"}  # fmt: skip
        cal = get_calendar()
        for fu in FollowUp.objects.select_related("rating"):
            day = timezone.localdate(fu.rating.rated_at)
            assert fu.callback_due == cal.add_working_days(day, 1).value
            assert fu.owner == personas.manager
            times = list(fu.events.values_list("at", flat=True))
            assert times == sorted(times) and times[-1] <= timezone.now()
            assert fu.events.last().to_state == fu.state
            if fu.fix_due:
                assert (
                    fu.fix_due
                    == cal.add_working_days(timezone.localdate(fu.called_back_at), 5).value
                )
            if fu.state in ("reported", "rerated"):
                assert fu.report_text and fu.reported_at >= fu.answered_at
