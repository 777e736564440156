"""The monthly figures against a June counted by hand (conftest.py, `june`)."""

import datetime as dt

from onewindow.cases import services as case_services
from onewindow.cases.tests.factories import at, run_steps
from onewindow.reports import figures as fig
from onewindow.reports import services
from onewindow.reports.models import MonthlyReport

from .conftest import JUNE, accept, rate


def total(figures):
    return figures["levels"]["total"][0]


def test_it_counts_june_as_counted_by_hand(personas, june):
    f = fig.monthly_figures(JUNE, personas.hall)
    c, r = total(f)["counts"], total(f)["rates"]
    assert (c["received"], c["accepted"], c["refused"]) == (6, 6, 1)
    assert (c["immediate"], c["promised"]) == (1, 5)
    assert (c["concluded"], c["decided"]) == (2, 2)
    assert (c["early_promised"], c["on_time_promised"], c["overdue_promised"]) == (1, 1, 0)
    assert (c["early_legal"], c["on_time_legal"], c["overdue_legal"]) == (1, 1, 0)
    assert (c["open_at_end"], c["overdue_open_at_end"]) == (4, 2)
    assert r["avg_days_promised"] == {"num": 7, "den": 1, "value": 7.0}
    assert r["avg_minutes_immediate"] == {"num": 0, "den": 1, "value": 0.0}
    # Σpromised 10 + 0, Σlegal 20 + 0, Σactual 7 + 0
    assert r["speedup_promised"] == {"num": 10, "den": 20, "value": 0.5}
    assert r["speedup_actual"] == {"num": 7, "den": 20, "value": 0.65}
    assert r["immediate_share"] == {"num": 1, "den": 6, "value": 0.1667}
    assert r["in_time_promised"] == {"num": 2, "den": 2, "value": 1.0}
    assert r["overdue_open"] == {"num": 2, "den": 4, "value": 0.5}
    assert r["satisfaction"] == {"num": 2, "den": 3, "value": 0.6667}
    assert (c["warnings"], c["yellow_cards"], c["red_cards"], c["fee_anomalies"]) == (0, 1, 1, 1)
    assert f["later"] == []


def test_it_rolls_levels_up_to_the_same_totals(personas, june):
    f = fig.compute(JUNE, None)
    whole = total(f)["counts"]
    for level in ("hall", "department", "window", "item"):
        for name in fig.COUNTS:
            assert sum(row["counts"][name] for row in f["levels"][level]) == whole[name], (
                level,
                name,
            )
    items = {row["name"]: row["counts"] for row in f["levels"]["item"]}
    assert items["补领机动车号牌"]["immediate"] == 1
    assert items["机动车转移登记"]["received"] == 5
    assert [row["code"] for row in f["levels"]["hall"]] == ["CG"]


def test_it_counts_the_month_before_and_the_year_before(personas, june):
    f = fig.monthly_figures(JUNE, personas.hall)
    mom = f["changes"]["mom"]["counts"]
    # May: F received only
    assert mom["received"] == {"before": 1, "delta": 5, "ratio": 5.0}
    assert mom["accepted"] == {"before": 0, "delta": 6, "ratio": None}
    assert f["changes"]["yoy"]["counts"]["received"]["before"] == 0
    assert f["changes"]["mom"]["rates"]["satisfaction"] == {"before": None, "delta": None}


def test_it_ranks_items_by_decisions_in_time(personas, june):
    f = fig.monthly_figures(JUNE, personas.hall)
    # both decided once, in time: the tie goes by item code (the promised item came first)
    assert [i["name"] for i in f["top_items"]] == ["机动车转移登记", "补领机动车号牌"]
    assert f["top_items"][0]["in_time_promised"] == {"num": 1, "den": 1, "value": 1.0}
    assert f["bottom_items"] == []


def test_a_month_counted_again_after_later_events_is_the_same(personas, june, time_machine):
    report, created, diff = services.generate_report(
        actor=personas.admin, month=JUNE, hall=personas.hall
    )
    assert created and diff == []
    # July: B concluded late, G resumed (its dates move), a new case, a rating.
    p = personas
    time_machine.move_to(at("2026-07-06", 18), tick=False)
    b = run_steps(p, june["B"])
    b = case_services.conclude_case(
        actor=p.clerk, case=b, result="granted", certificate_number="JD-2", at=at("2026-07-06")
    )
    g = june["G"]
    g.refresh_from_db()
    case_services.resume_case(actor=p.handler, case=g, at=at("2026-07-06"))
    accept(p, june["item"], "2026-07-06")
    rate(p, b, "2026-07-06", 2)
    again = services.regenerate(report)
    assert again == []
    assert MonthlyReport.objects.get().figures == report.figures
    # ... while July sees them
    july = total(fig.compute(dt.date(2026, 7, 1), p.hall))["counts"]
    assert (july["decided"], july["overdue_promised"], july["accepted"]) == (1, 1, 1)
    assert july["ratings"] == 1


def test_generating_twice_keeps_the_first_and_compares(personas, june, time_machine):
    first, created, _ = services.generate_report(actor=personas.admin, month=JUNE, hall=None)
    assert created
    # An event written afterwards with a June time (a late push from a department system)
    time_machine.move_to(at("2026-07-02", 18), tick=False)
    accept(personas, june["item"], "2026-06-30")
    second, created, diff = services.generate_report(actor=personas.admin, month=JUNE, hall=None)
    assert not created and second.pk == first.pk
    paths = {d[0] for d in diff}
    assert "levels.total[0].counts.received" in paths
    assert total(MonthlyReport.objects.get(pk=first.pk).figures)["counts"]["received"] == 6
