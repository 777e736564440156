"""A rating of a case that came from a queue ticket links to the ticket too: recorded with
it, shown on the tablet's thanks, the status page's part and the ticket's own page; the
demo's ratings are linked after the demo's tickets are written."""

import io

from django.test import Client
from django.urls import reverse

from onewindow.cases import services as case_services
from onewindow.cases.models import CaseEvent
from onewindow.cases.tests.factories import make_case
from onewindow.floor import services as floor
from onewindow.floor.models import QueueCategory
from onewindow.ratings import services, tablet
from onewindow.ratings.demo import link_demo_ratings_to_tickets
from onewindow.ratings.models import Rating

from .factories import immediate_service


def served_from_ticket(personas, immediate_item):
    """A visitor takes A001, the clerk calls it, starts a case from it and concludes the
    immediate item: returns (ticket, case, the act)."""
    line = QueueCategory.objects.create(hall=personas.hall, letter="A", name="综合")
    ticket = floor.issue_ticket(hall=personas.hall, category=line)
    floor.sign_in(actor=personas.clerk, window=personas.window)
    floor.call_next(actor=personas.clerk)
    ticket = floor.prepare_case(actor=personas.clerk)
    case = make_case(personas, immediate_item, intake_key=ticket.intake_key)
    floor.link_case(case)
    case = case_services.handle_immediately(
        actor=personas.clerk, case=case, certificate_number="补证-002", window=personas.window
    )
    floor.finish(actor=personas.clerk)
    ticket.refresh_from_db()
    assert ticket.case == case and ticket.status == "done"
    return ticket, case, case.events.get(kind=CaseEvent.Kind.CONCLUDED)


def test_a_rating_of_a_case_from_a_ticket_links_to_the_ticket(personas, immediate_item, monday):
    ticket, case, act = served_from_ticket(personas, immediate_item)
    rating = services.rate(event=act, level=5, channel="window")
    rating.refresh_from_db()
    assert rating.ticket == ticket and rating.case == case
    assert list(ticket.ratings.all()) == [rating]


def test_a_rating_of_a_walk_in_case_has_no_ticket(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    assert services.rate(event=act, level=4, channel="window").ticket is None


def test_the_tablet_the_status_page_and_the_ticket_page_show_the_link(
    personas, immediate_item, monday
):
    ticket, case, act = served_from_ticket(personas, immediate_item)
    pad = Client()
    pad.cookies[tablet.COOKIE] = tablet.cookie_value(personas.window.pk)
    thanks = pad.post("/rate/window/", {"event": act.pk, "level": 5}, HTTP_HX_REQUEST="true")
    assert thanks.status_code == 200
    assert 'id="rating-ticket"' in thanks.content.decode() and "A001" in thanks.content.decode()
    assert Rating.objects.get().ticket == ticket
    url = reverse("ratings_public:case", args=[case.number]) + f"?code={case.query_code}"
    part = Client().get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="ow-rating-ticket"' in part and "A001" in part
    page = Client().get(f"/floor/t/{ticket.token}/").content.decode()
    assert 'id="ticket-rating"' in page and "非常满意" in page


def test_the_demo_links_its_ratings_to_the_tickets_written_after_them(
    personas, immediate_item, monday
):
    ticket, _case, act = served_from_ticket(personas, immediate_item)
    _walk_in, other_act = immediate_service(personas, immediate_item, applicant_name="李四")
    for event in (act, other_act):  # as the demo writes them: without the link
        Rating.objects.create(event=event, case_id=event.case_id, act=event.kind,
                              act_at=event.at, hall=event.hall, window=event.window,
                              staff=event.actor, level=5, channel="qr")  # fmt: skip
    out = io.StringIO()
    assert link_demo_ratings_to_tickets(stdout=out) == 1
    assert Rating.objects.get(event=act).ticket == ticket
    assert Rating.objects.get(event=other_act).ticket is None
    assert "1" in out.getvalue()
    assert link_demo_ratings_to_tickets() == 0
