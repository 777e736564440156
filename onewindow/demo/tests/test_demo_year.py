"""The demo as a real hall: staff in every hall, a simulated year with realistic
popularity and noise, a small share of irregularities, and the alerts that history would
have raised, dated across the weeks."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import simulate
from onewindow.cases.models import Case, CaseNumberCounter, CorrectionNotice, Suspension
from onewindow.cases.services.common import pick_assignee
from onewindow.catalogue.demo import load_demo_catalogue
from onewindow.catalogue.demo_data.popularity import POPULARITY
from onewindow.catalogue.models import ItemVersion, ServiceItem
from onewindow.demo.alerts import raise_history_alerts
from onewindow.demo.organisation import load_organisation, staff_names
from onewindow.halls.models import Hall
from onewindow.supervision.models import Alert, ScanState
from onewindow.supervision.views import CHART_WEEKS, weekly_chart

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

STEP_ROLES = (Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER)
NOW = timezone.make_aware(dt.datetime(2025, 12, 24, 18, 0))
# The acts e-supervision must find in the history, besides the clock cards.
IRREGULAR_RULES = ("late_correction_notice", "suspension_too_long", "late_delivery", "fee_mismatch")


@pytest.fixture
def demo():
    load_organisation()
    load_demo_catalogue()


def simulate_year(cases: int, seed: int = 2025):
    options = simulate.Options(
        start=dt.date(2025, 1, 1), end=NOW.date(), cases=cases, seed=seed, now=NOW
    )
    return simulate.run(options, progress=False, parallel=False)


def counts_by_item() -> Counter:
    return Counter(Case.objects.values_list("item_version__name", flat=True))


def test_it_gives_every_hall_each_role_with_plain_names(demo):
    for hall in Hall.objects.all():
        staff = User.objects.filter(halls=hall, is_active=True)
        for role in STEP_ROLES:
            assert staff.filter(groups__name=role).exists(), (hall.code, role)
    # Names are people's names, not titles, and no two people share one.
    names = list(User.objects.values_list("full_name", flat=True))
    assert len(names) == len(set(names))
    assert all(2 <= len(n) <= 3 and "窗口" not in n and "科长" not in n for n in names)
    assert len(staff_names()) == len(set(staff_names()))


def test_the_centre_s_cases_can_be_assigned_in_every_department(demo):
    centre = Hall.objects.get(code="ZX")
    versions = ItemVersion.objects.published().filter(halls=centre).select_related("item")
    departments = {v.item.department_id for v in versions}
    assert len(departments) == 14
    for version in versions:
        for step in version.steps.all():
            case = Case(hall=centre, department_id=version.item.department_id)
            assert pick_assignee(case, step.role) is not None, (version.name, step.role)


def test_the_popularity_table_names_items_of_the_demo_catalogue(demo):
    names = set(ServiceItem.objects.values_list("published_version__name", flat=True))
    assert set(POPULARITY) <= names


def test_a_simulated_year_looks_like_a_real_hall(demo):
    stats = simulate_year(12000)
    assert stats.cases == 12000
    raised = raise_history_alerts(now=NOW)

    # Popularity: the trades the seed names are among the busiest; rare ones are rare.
    by_item = counts_by_item()
    top = [name for name, _n in by_item.most_common(20)]
    for busy in (
        "机动车转移登记",
        "职工参保登记",
        "住房公积金提取（偿还住房贷款本息）",
        "国有建设用地使用权及房屋所有权转移登记（住宅）",
        "内地居民结婚登记",
    ):
        assert busy in top, busy
    assert top[0] in {"机动车转移登记", "机动车注册登记"}
    rare = by_item["持军队、武装警察部队机动车驾驶证申请机动车驾驶证"]
    assert rare < by_item["机动车转移登记"] / 50

    # Day-to-day noise: working days of the same weekday differ, month ends are busier.
    received = Counter(
        timezone.localdate(t) for t in Case.objects.values_list("received_at", flat=True)
    )
    tuesdays = [n for d, n in received.items() if d.weekday() == 1 and d.month in (4, 5, 6)]
    assert max(tuesdays) > 1.3 * min(tuesdays)

    # Irregularities for supervision to find: each kind, a small share of the cases.
    assert CorrectionNotice.objects.filter(late=True).exists()
    assert Case.objects.filter(acceptance_deemed=True).exists()
    long = [s for s in Suspension.objects.exclude(resumed_on=None) if s.days_added > s.max_days]
    assert long
    for code in (*IRREGULAR_RULES, "case_overdue", "legal_overdue"):
        assert raised[code] > 0, code
    acts = sum(raised[code] for code in IRREGULAR_RULES)
    assert 0.005 * stats.cases <= acts <= 0.03 * stats.cases
    cards = Alert.objects.cards()
    assert 0.01 * stats.cases <= cards.count() <= 0.06 * stats.cases

    # Dated when the scanner would have seen them: the day of the act, the night after
    # a date passed; spread over the year, so every week of the desk's chart has cards.
    for alert in Alert.objects.filter(rule__code="late_correction_notice").select_related():
        notice = CorrectionNotice.objects.get(pk=alert.subject_id)
        assert timezone.localdate(alert.raised_at) == timezone.localdate(notice.issued_at)
        assert alert.raised_at > notice.issued_at
    for alert in Alert.objects.filter(rule__code="late_delivery").select_related("case"):
        assert timezone.localdate(alert.raised_at) == timezone.localdate(alert.case.delivered_at)
    closed_late = Alert.objects.filter(
        rule__code="case_overdue", case__status__in=("concluded", "delivered")
    ).select_related("case")
    assert closed_late.exists()
    for alert in closed_late:
        raised_on = timezone.localdate(alert.raised_at)
        assert raised_on > alert.case.promised_due_date
        assert raised_on <= timezone.localdate(alert.case.concluded_at)
    # A step still open past its own date got its yellow card the night after that date.
    late_steps = Alert.objects.filter(rule__code="step_overdue").select_related("step")
    assert late_steps.exists() and raised["step_overdue"] == late_steps.count()
    for alert in late_steps:
        assert alert.level == "yellow" and alert.step.finished_at is None
        assert timezone.localdate(alert.raised_at) > alert.due_date
        assert alert.raised_at > alert.step.started_at
    # Most were raised the night after the date, while the case was open.
    nightly = [a for a in closed_late if timezone.localtime(a.raised_at).hour == 0]
    assert len(nightly) > 0.8 * len(closed_late)
    assert all(a.raised_at < a.case.concluded_at for a in nightly)
    weeks = {
        timezone.localdate(t).isocalendar()[1] for t in cards.values_list("raised_at", flat=True)
    }
    assert len(weeks) >= 45
    admin = User.objects.get(username="admin")
    chart = weekly_chart(admin, today=NOW.date())
    per_week = [sum(s["data"][w] for s in chart["series"]) for w in range(CHART_WEEKS)]
    assert all(per_week), per_week
    for code in IRREGULAR_RULES:
        assert Alert.objects.filter(rule__code=code, level="red").exists()

    # Raised once: a second pass finds nothing new; the scanner's state is today's.
    assert sum(raise_history_alerts(now=NOW).values()) == 0
    assert ScanState.objects.get().last_started_at == NOW


def signature():
    cases = list(
        Case.objects.order_by("number").values_list(
            "number", "item_version__name", "status", "received_at", "fee_charged"
        )
    )
    alerts = sorted(
        Alert.objects.values_list("rule__code", "case__number", "raised_at", "due_date")
    )
    return cases, alerts


def test_a_rerun_with_the_seed_gives_the_same_year_and_alerts(demo):
    simulate_year(3000, seed=9)
    raise_history_alerts(now=NOW)
    first = signature()
    assert first[1]
    Alert.objects.all().delete()
    ScanState.objects.all().delete()
    Case.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    simulate_year(3000, seed=9)
    raise_history_alerts(now=NOW)
    assert signature() == first


def test_a_late_extension_in_the_history_is_carded_when_it_took_effect(demo):
    """An extension that took effect after the legal due date (written behind the
    services' back) gets its red card dated 15 s after the `extended` event."""
    from onewindow.cases.models import CaseEvent

    simulate_year(300)
    case = Case.objects.filter(
        status="delivered", legal_due_date__lt=NOW.date() - dt.timedelta(days=60)
    ).first()
    last = case.events.order_by("-seq").first()
    on = case.legal_due_date + dt.timedelta(days=7)  # a week after the legal due date
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    event = CaseEvent.objects.create(
        case=case,
        seq=last.seq + 1,
        kind=CaseEvent.Kind.EXTENDED,
        hall=case.hall,
        at=at,
        data={
            "days": 2,
            "legal_due_date": (case.legal_due_date + dt.timedelta(days=3)).isoformat(),
        },
    )
    raise_history_alerts(now=NOW)
    card = Alert.objects.get(rule__code="extension_after_legal_due")
    assert (card.case, card.subject_id, card.level) == (case, event.pk, "red")
    assert card.raised_at == at + dt.timedelta(seconds=15)
