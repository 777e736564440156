"""Bad-rating follow-ups and complaints in the monthly figures, June 2026 counted by hand,
and the same June counted again after July's steps changed every one of them."""

import datetime as dt

import pytest

from onewindow.cases.tests.factories import at, make_accepted_case, make_item
from onewindow.complaints import services as complaint_services
from onewindow.complaints.tests.factories import make_complaint
from onewindow.followups import services as fu_services
from onewindow.followups.tests.factories import make_rating
from onewindow.reports import figures as fig

JUNE = dt.date(2026, 6, 1)


def total(figures):
    return figures["levels"]["total"][0]


def bad_rating(personas, item, clock, day):
    clock.move_to(at(day, 10))
    case = make_accepted_case(personas, item)
    clock.move_to(at(day, 11))
    rating = make_rating(personas, item, case=case, level=1)
    return fu_services.open_for(rating)


@pytest.fixture
def june_followups(personas, time_machine):
    """Follow-ups of June (call back due the next working day):

    F1 rated Mon 1 June, called back Tue 2 (on time), fixed at once, reported back Mon 8
    F2 rated Wed 3, called back Fri 5 (late), fix by Wed 10: still being fixed on 30 June
       (overdue)
    F3 rated Fri 26, call back due Mon 29, not called back by 30 June (overdue)
    F4 rated Mon 29, call back due Tue 30: open, not overdue
    """
    item = make_item(personas.department, [personas.hall], name="机动车转移登记")
    m = personas.manager
    f1 = bad_rating(personas, item, time_machine, "2026-06-01")
    f2 = bad_rating(personas, item, time_machine, "2026-06-03")
    time_machine.move_to(at("2026-06-02", 9))
    f1 = fu_services.call_back(actor=m, followup=f1, note="已回访")
    f1 = fu_services.fix_now(actor=m, followup=f1, note="当场道歉")
    time_machine.move_to(at("2026-06-05", 9))
    f2 = fu_services.call_back(actor=m, followup=f2, note="已回访")
    f2 = fu_services.fix_by(actor=m, followup=f2, plan="增设提醒", due=dt.date(2026, 6, 10))
    time_machine.move_to(at("2026-06-08", 9))
    f1 = fu_services.report_back(actor=m, followup=f1, text="已道歉并改进")
    f3 = bad_rating(personas, item, time_machine, "2026-06-26")
    f4 = bad_rating(personas, item, time_machine, "2026-06-29")
    return item, (f1, f2, f3, f4)


@pytest.fixture
def june_complaints(personas, time_machine):
    """Complaints of June: C1 registered Mon 1, answered Wed 10 (due 22 June), closed Mon
    29 (due later); C2 registered Tue 2, answered Tue 30 (past its date of 23 June); a
    consultation (not a complaint) registered and answered in June."""
    office, handler = personas.supervisor, personas.manager

    def to_answer(c):
        c = complaint_services.assign(actor=office, complaint=c, handler=handler)
        c = complaint_services.start_investigation(actor=handler, complaint=c)
        c = complaint_services.record_findings(
            actor=handler, complaint=c, finding="valid", staff_action="talk", note="属实"
        )
        return complaint_services.answer(actor=handler, complaint=c, text="已核实并整改。")

    time_machine.move_to(at("2026-06-01", 9))
    c1 = make_complaint(personas)
    time_machine.move_to(at("2026-06-02", 9))
    c2 = make_complaint(personas)
    question = make_complaint(personas, category="consultation")
    question = to_answer(question)
    time_machine.move_to(at("2026-06-10", 9))
    c1 = to_answer(c1)
    time_machine.move_to(at("2026-06-29", 9))
    c1 = complaint_services.close(actor=office, complaint=c1)
    time_machine.move_to(at("2026-06-30", 9))
    c2 = to_answer(c2)
    return c1, c2


def test_it_counts_the_followups_of_june_as_counted_by_hand(personas, june_followups):
    f = fig.monthly_figures(JUNE, personas.hall)
    c, r = total(f)["counts"], total(f)["rates"]
    assert c["followups_opened"] == 4
    assert (c["followups_called_back"], c["followups_called_back_on_time"]) == (2, 1)
    assert c["followups_closed"] == 1
    assert (c["followups_open_at_end"], c["followups_overdue_at_end"]) == (3, 2)
    assert r["followups_callback_in_time"] == {"num": 1, "den": 2, "value": 0.5}
    assert r["followups_overdue_open"] == {"num": 2, "den": 3, "value": 0.6667}
    assert f["later"] == []
    # May had none: the change is against zeros, without a ratio.
    mom = f["changes"]["mom"]["counts"]["followups_opened"]
    assert mom == {"before": 0, "delta": 4, "ratio": None}
    assert f["changes"]["mom"]["rates"]["followups_callback_in_time"]["delta"] is None


def test_it_counts_the_complaints_of_june_as_counted_by_hand(personas, june_complaints):
    c1, c2 = june_complaints
    assert c2.answered_at.date() > c2.answer_due  # the premise: C2 was answered late
    f = fig.monthly_figures(JUNE, personas.hall)
    c, r = total(f)["counts"], total(f)["rates"]
    assert c["complaints_received"] == 2  # the consultation is not a complaint
    assert (c["complaints_answered"], c["complaints_answered_on_time"]) == (2, 1)
    assert (c["complaints_closed"], c["complaints_closed_on_time"]) == (1, 1)
    assert r["complaints_answered_in_time"] == {"num": 1, "den": 2, "value": 0.5}
    assert r["complaints_closed_in_time"] == {"num": 1, "den": 1, "value": 1.0}
    assert [row["code"] for row in f["levels"]["hall"]] == [personas.hall.code]


def test_the_levels_add_up_to_the_total(personas, june_followups, june_complaints):
    f = fig.compute(JUNE, None)
    whole = total(f)["counts"]
    assert whole["followups_opened"] == 4 and whole["complaints_received"] == 2
    for level in ("hall", "department", "window", "item"):
        for name in fig.COUNTS:
            assert sum(row["counts"][name] for row in f["levels"][level]) == whole[name]


def test_june_counted_again_after_july_gives_the_same_figures(
    personas, june_followups, june_complaints, time_machine
):
    before = fig.monthly_figures(JUNE, personas.hall)
    _item, (f1, f2, f3, f4) = june_followups
    c1, c2 = june_complaints
    m, office = personas.manager, personas.supervisor
    # July: every open follow-up moves on; the late complaint is closed, then reopened.
    time_machine.move_to(at("2026-07-01", 9))
    f2 = fu_services.mark_fixed(actor=m, followup=f2, note="已整改")
    f2 = fu_services.report_back(actor=m, followup=f2, text="已整改完毕")
    for fu in (f3, f4):
        fu = fu_services.call_back(actor=m, followup=fu, note="已回访")
        fu = fu_services.explain(actor=m, followup=fu, note="已解释")
        fu_services.report_back(actor=m, followup=fu, text="已解释说明")
    c2 = complaint_services.close(actor=office, complaint=c2)
    time_machine.move_to(at("2026-07-02", 9))
    c2 = complaint_services.reopen(complaint=c2, reason="处理结果不满意", actor=None)
    assert c2.answer_due > dt.date(2026, 7, 2)  # its dates moved; June's must not
    again = fig.monthly_figures(JUNE, personas.hall)
    assert fig.differences(before, again) == []
    july = total(fig.compute(dt.date(2026, 7, 1), personas.hall))["counts"]
    assert (july["followups_closed"], july["complaints_closed"]) == (3, 1)
    # F3 and F4 (due 29 and 30 June) were called back late.
    assert (july["followups_called_back"], july["followups_called_back_on_time"]) == (2, 0)
