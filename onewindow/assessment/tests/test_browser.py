"""The ranking page in a real browser: the charts are drawn and the halls listed in order."""

import pytest

from conftest import login
from onewindow.assessment import services
from onewindow.assessment.models import Indicator
from onewindow.factories import make_hall, make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def personas_tx(db):
    return make_personas()


def test_the_ranking_page_draws_its_charts_and_lists_the_halls_in_order(
    page, live_server, personas_tx
):
    p = personas_tx
    third = make_hall("JG", parent=p.centre, name="金港分中心")
    scheme = services.create_scheme(actor=p.admin, year=2025)
    env = Indicator.objects.get(block__scheme=scheme, code="environment")
    for hall, points in ((p.hall, "3"), (third, "1")):
        services.record_adjustment(
            actor=p.supervisor, scheme=scheme, hall=hall, indicator_id=str(env.pk),
            kind="deduction", points=points, reason="环境不整洁", note="现场记录",
        )  # fmt: skip
    login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/staff/assessment/?year=2025")
    page.wait_for_selector("#chart-total[data-ready='1']")
    for code in (
        "image",
        "disclosure",
        "window",
        "conduct",
        "social",
        "assessment",
        "e_supervision",
    ):
        assert page.locator(f"#chart-{code}[data-ready='1'] canvas").count() == 1
    rows = page.locator("#ranking tbody tr")
    assert [rows.nth(i).get_attribute("data-hall") for i in range(rows.count())] == [
        "MZ",
        "JG",
        "CG",
    ]
    # 97 less the 4 points of the monthly reports (weight 10 × 40 %): none handed in
    assert rows.nth(2).locator("td").nth(2).inner_text() == "93.00"
    assert "2025年分中心考核" in page.locator("#assessment-title").inner_text()
