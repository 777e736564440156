"""A June 2026 of the personas' hall whose figures are counted by hand (see `june`)."""

import datetime as dt
import itertools

import pytest

from onewindow.cases import services
from onewindow.cases.tests.factories import at, make_case, make_immediate_item, make_item, run_steps
from onewindow.ratings.models import Rating
from onewindow.supervision.models import Alert
from onewindow.supervision.tests.factories import rule

JUNE = dt.date(2026, 6, 1)
_n = itertools.count(1)


def accept(personas, item, day, hour=10):
    case = make_case(personas, item, received_at=at(day, hour))
    return services.accept_case(actor=personas.clerk, case=case, at=at(day, hour, 5))


def rate(personas, case, day, level):
    return Rating.objects.create(
        case=case,
        act="accepted",
        act_at=at(day),
        hall=case.hall,
        window=case.window,
        staff=personas.clerk,
        level=level,
        channel="window",
        rated_at=at(day, 11),
    )


def alert(personas, case, code, day):
    r = rule(code)
    return Alert.objects.create(
        rule=r,
        level=r.level,
        case=case,
        hall=case.hall,
        department=case.department,
        responsible=personas.handler,
        breach_key=f"report-test:{next(_n)}",
        raised_at=at(day, 12),
    )


@pytest.fixture
def june(personas, time_machine):
    """Cases of June 2026 in hall CG (promised item: 10 promised / 20 legal working days;
    Dragon Boat, Friday 19 June, is a holiday):

    A  received and accepted Mon 1 June, decided (granted) Wed 10 June: due 15 June
       (promised) and 29 June (legal), so early against both; 7 working days used
    B  accepted Tue 2 June, due 16 June, still open at the month's end: overdue
    C  accepted Mon 29 June, due 13 July: open, not overdue
    D  received Wed 3 June, refused the same day
    E  immediate, handled Thu 4 June: on time against both dates, 0 minutes
    F  received Fri 29 May, accepted Mon 1 June, due 15 June: open and overdue
    G  accepted Fri 5 June (due 22 June), suspended Mon 8 June, still suspended at the
       month's end: its clock stopped before the due date, so not overdue
    ratings in June: 5, 4, 1 (one bad); alerts in June: a fee red card, a yellow card
    """
    p = personas
    item = make_item(p.department, [p.hall], name="机动车转移登记")
    quick = make_immediate_item(p.department, [p.hall], name="补领机动车号牌")
    time_machine.move_to(at("2026-05-29", 18), tick=False)
    f = make_case(p, item, received_at=at("2026-05-29"))
    time_machine.move_to(at("2026-06-01", 18), tick=False)
    a = accept(p, item, "2026-06-01")
    f = services.accept_case(actor=p.clerk, case=f, at=at("2026-06-01", 11))
    time_machine.move_to(at("2026-06-02", 18), tick=False)
    b = accept(p, item, "2026-06-02")
    time_machine.move_to(at("2026-06-03", 18), tick=False)
    d = make_case(p, item, received_at=at("2026-06-03"))
    services.refuse_case(
        actor=p.clerk, case=d, reason="不属于本机关职权范围", at=at("2026-06-03", 10, 30)
    )
    time_machine.move_to(at("2026-06-04", 18), tick=False)
    e = make_case(p, quick)
    e = services.handle_immediately(actor=p.clerk, case=e, certificate_number="BL-1")
    time_machine.move_to(at("2026-06-05", 18), tick=False)
    g = accept(p, item, "2026-06-05")
    time_machine.move_to(at("2026-06-08", 18), tick=False)
    g = services.suspend_case(
        actor=p.handler, case=g, kind="testing", reason="送检", max_days=20, at=at("2026-06-08")
    )
    time_machine.move_to(at("2026-06-09", 18), tick=False)
    a = run_steps(p, a)
    time_machine.move_to(at("2026-06-10", 18), tick=False)
    a = services.conclude_case(
        actor=p.clerk, case=a, result="granted", certificate_number="JD-1", at=at("2026-06-10")
    )
    time_machine.move_to(at("2026-06-29", 18), tick=False)
    c = accept(p, item, "2026-06-29")
    rate(p, a, "2026-06-10", 5)
    rate(p, e, "2026-06-04", 4)
    rate(p, b, "2026-06-02", 1)
    alert(p, a, "fee_mismatch", "2026-06-10")
    alert(p, b, "case_overdue", "2026-06-17")
    time_machine.move_to(at("2026-07-01", 18), tick=False)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g, "item": item, "quick": quick}
