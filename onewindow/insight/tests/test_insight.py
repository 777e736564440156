"""Process insight over constructed cases: step times, same-day items, corrections, the
immediate share by month, and the page (who sees which hall, bad input)."""

import datetime as dt

import pytest
from django.test import Client

from onewindow.cases import clock
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseStep, CorrectionNotice
from onewindow.cases.tests.factories import (
    SHANGHAI,
    at,
    make_accepted_case,
    make_case,
    make_immediate_item,
    make_item,
)
from onewindow.insight import services

YEAR = (dt.datetime(2026, 1, 1, tzinfo=SHANGHAI), dt.datetime(2027, 1, 1, tzinfo=SHANGHAI))


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def items(personas):
    p = personas
    return {
        "slow": make_item(p.department, [p.hall], name="机动车转移登记", code="SLOW"),
        "fast": make_item(p.department, [p.hall], name="机动车抵押登记", code="FAST"),
        "few": make_item(p.department, [p.hall], name="机动车注销登记", code="FEW"),
        "quick": make_immediate_item(p.department, [p.hall], name="补领机动车号牌", code="QK"),
    }


def decided(personas, item, n, *, same_day, day="2026-03-02"):
    """n promised cases of ``item`` accepted on ``day``; ``same_day`` of them concluded
    (granted) that day, the others the next day (constructed: dates set directly)."""
    accepted = at(day, 9)
    for k in range(n):
        case = make_case(personas, item, received_at=accepted)
        done = accepted + dt.timedelta(hours=3 if k < same_day else 24)
        Case.objects.filter(pk=case.pk).update(
            accepted_at=accepted, concluded_at=done, result=Case.Result.GRANTED
        )


def test_it_finds_the_items_nearly_always_concluded_the_same_day(personas, items):
    decided(personas, items["fast"], 20, same_day=19)  # 95 %, 20 cases: a candidate
    decided(personas, items["slow"], 20, same_day=2)  # 10 %
    decided(personas, items["few"], 5, same_day=5)  # 100 % but too few cases
    rows = {r["item_code"]: r for r in services.same_day_candidates(None, *YEAR)}
    assert rows["FAST"] == {
        "item_code": "FAST", "item_name": "机动车抵押登记", "decided": 20, "same_day": 19,
        "share": 0.95, "candidate": True,
    }  # fmt: skip
    assert (rows["SLOW"]["share"], rows["SLOW"]["candidate"]) == (0.1, False)
    assert (rows["FEW"]["share"], rows["FEW"]["candidate"]) == (1.0, False)
    ordered = [r["item_code"] for r in services.same_day_candidates(None, *YEAR)]
    assert ordered[0] == "FAST"
    # Another hall's view has none of them.
    assert services.same_day_candidates([personas.other_hall.pk], *YEAR) == []


def test_it_gives_median_and_90th_percentile_working_days_per_step(personas, items):
    start = at("2026-03-02", 9)  # a Monday
    ends = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-16"]
    cal = clock.calendar()
    expected = sorted(
        cal.working_days_between(dt.date(2026, 3, 2), dt.date.fromisoformat(e)).value for e in ends
    )
    for e in ends:
        case = make_case(personas, items["slow"], received_at=start)
        CaseStep.objects.create(
            case=case, position=1, name="审核", role="review", started_at=start,
            finished_at=at(e, 16),
        )  # fmt: skip
    case = make_case(personas, items["slow"], received_at=start)
    CaseStep.objects.create(case=case, position=1, name="审核", role="review", started_at=start)
    rows = services.step_times(None, *YEAR)
    assert len(rows) == 1
    r = rows[0]
    assert (r["item_code"], r["position"], r["step"], r["passes"]) == ("SLOW", 1, "审核", 5)
    assert r["median"] == expected[2]
    assert r["p90"] == expected[4]  # nearest rank: the 5th of 5
    assert expected[4] > expected[2]


def test_it_ranks_items_by_correction_notices(personas, items):
    for item, notices in ((items["slow"], [2, 1, 0]), (items["fast"], [1, 0])):
        for n in notices:
            case = make_case(personas, item, received_at=at("2026-04-01"))
            for rnd in range(1, n + 1):
                CorrectionNotice.objects.create(case=case, round=rnd, items=["申请表"])
    rows = services.corrections(None, *YEAR)
    assert [(r["item_code"], r["notices"], r["corrected"], r["received"]) for r in rows] == [
        ("SLOW", 3, 2, 3),
        ("FAST", 1, 1, 2),
    ]
    assert rows[0]["share"] == 0.6667


def test_it_gives_the_immediate_share_month_by_month(personas, items, time_machine):
    p = personas
    time_machine.move_to(at("2026-01-15"), tick=False)
    make_accepted_case(p, items["slow"])
    make_accepted_case(p, items["slow"])
    case_services.handle_immediately(
        actor=p.clerk, case=make_case(p, items["quick"]), certificate_number="BL-1"
    )
    time_machine.move_to(at("2026-02-10"), tick=False)
    case_services.handle_immediately(
        actor=p.clerk, case=make_case(p, items["quick"]), certificate_number="BL-2"
    )
    assert services.immediate_share_by_month(None, *YEAR) == [
        {"month": "2026-01", "accepted": 3, "immediate": 1, "share": 0.3333},
        {"month": "2026-02", "accepted": 1, "immediate": 1, "share": 1.0},
    ]


def test_the_page_shows_the_hall_manager_the_hall(personas, items, time_machine):
    decided(personas, items["fast"], 20, same_day=20)
    time_machine.move_to(at("2026-07-01"), tick=False)
    r = client_for(personas.manager).get("/staff/insight/?year=2026")
    assert r.status_code == 200
    page = r.content.decode()
    assert "insight-same-day" in page and "机动车抵押登记" in page
    assert "vendor/echarts/echarts.min.js" in page
    assert 'id="insight-chart-data"' in page
    # Another hall, an unknown code and a bad year: a clear error, status 400.
    for query in ("hall=MZ", "hall=NOPE", "year=abc", "year=2999"):
        r = client_for(personas.manager).get(f"/staff/insight/?{query}")
        assert r.status_code == 400, query
        assert 'id="insight-error"' in r.content.decode()
    # The centre administrator sees the whole centre; a clerk is refused.
    assert client_for(personas.admin).get("/staff/insight/?year=2026").status_code == 200
    assert client_for(personas.clerk).get("/staff/insight/").status_code == 403


def test_the_page_is_in_chinese_and_english(personas, time_machine):
    time_machine.move_to(at("2026-07-01"), tick=False)
    client = client_for(personas.admin)
    assert "流程分析" in client.get("/staff/insight/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Process insight" in client.get("/staff/insight/").content.decode()
