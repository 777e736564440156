"""The automatic indicators count the year's real rows, in local time."""

from decimal import Decimal

from onewindow.assessment import indicators

from .conftest import YEAR


def test_it_scores_each_automatic_indicator_from_the_years_figures(personas, year2025):
    hall = personas.hall
    m = {code: indicators.measure(code, hall, YEAR) for code in indicators.REGISTRY}
    assert m["cases_in_time"].score == Decimal("75.00")
    assert m["cases_in_time"].evidence == {"num": 3, "den": 4}
    assert m["cases_within_legal"].evidence == {"num": 3, "den": 4, "overdue": 1}
    assert m["satisfaction"].score == Decimal("75.00")
    assert m["satisfaction"].evidence == {"num": 3, "den": 4, "bad": 1}
    assert m["complaints_in_time"].evidence == {"num": 1, "den": 2}
    assert m["complaints_in_time"].score == Decimal("50.00")
    assert m["valid_complaints"].score == Decimal("95.00")
    assert m["valid_complaints"].evidence == {"count": 1, "points_each": 5}
    assert m["conduct_records"].score == Decimal("90.00")
    assert m["fee_anomalies"].evidence == {"count": 1, "points_each": 10}
    # 1 yellow + 1 red (2×) per 4 decisions: far beyond 100 points per 1,000 decisions.
    assert m["cards"].evidence == {"yellow": 1, "red": 1, "decided": 4}
    assert m["cards"].score == Decimal("0.00")
    assert m["followups_in_time"].evidence == {"num": 0, "den": 0}
    assert m["followups_in_time"].score == Decimal("100.00")


def test_a_hall_with_nothing_to_fault_gets_full_marks_and_says_0_of_0(personas, year2025):
    for code in set(indicators.REGISTRY) - {"monthly_reports"}:
        m = indicators.measure(code, personas.other_hall, YEAR)
        assert m.score == Decimal("100.00"), code
    assert indicators.measure("satisfaction", personas.other_hall, YEAR).evidence["den"] == 0


def test_another_year_counts_other_rows(personas, year2025):
    m = indicators.measure("cases_in_time", personas.hall, 2024)
    assert m.evidence == {"num": 1, "den": 1}
    assert indicators.measure("satisfaction", personas.hall, 2024).evidence["bad"] == 1


def test_a_registered_indicator_is_offered_to_the_scheme():
    @indicators.register("test_only", "测试", "规则")
    def test_only(hall, year):
        return indicators.rate(1, 2)

    try:
        assert ("test_only", "测试") in indicators.choices()
        assert indicators.measure("test_only", None, 2025).score == Decimal("50.00")
    finally:
        del indicators.REGISTRY["test_only"]


def test_the_management_loop_indicators_read_reports_meetings_and_training(personas):
    """Monthly reports never handed in score 0 for a year that is over; no decision late
    and every window clerk qualified (the factories' clerks are) score full marks."""
    reports = indicators.measure("monthly_reports", personas.hall, YEAR)
    assert reports.score == Decimal("0.00")
    assert reports.evidence == {"on_time": 0, "late": 0, "missing": 12}
    meetings = indicators.measure("meeting_decisions", personas.hall, YEAR)
    assert meetings.score == Decimal("100.00") and meetings.evidence["due"] == 0
    training = indicators.measure("training", personas.hall, YEAR)
    assert training.score == Decimal("100.00")
    assert training.evidence["num"] == training.evidence["den"] >= 1
