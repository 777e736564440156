"""The rating pages: the tablet, the status page's part, the QR link, the staff pages;
every bad input answered with a translated message and nothing written."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.cases.rating_links import rating_token
from onewindow.factories import make_window
from onewindow.ratings import tablet
from onewindow.ratings.models import Rating, RatingRequest, StaffCard

from .factories import accepted, immediate_service

WINDOW_URL = "/rate/window/"


def tablet_client(window) -> Client:
    client = Client()
    client.cookies[tablet.COOKIE] = tablet.cookie_value(window.pk)
    return client


def post_json(client, **data):
    response = client.post(WINDOW_URL, data)
    return response, json.loads(response.content)


# ------------------------------------------------------------------ pairing


def test_a_hall_manager_pairs_a_tablet_with_a_signed_link(personas, monday):
    manager = Client()
    manager.force_login(personas.manager)
    page = manager.get(reverse("ratings:tablets"))
    assert page.status_code == 200
    link = next(r["url"] for r in page.context["rows"] if r["window"] == personas.window)
    other_window = make_window(personas.other_hall, 1)
    assert all(r["window"] != other_window for r in page.context["rows"])

    device = Client()
    assert device.get(WINDOW_URL).status_code == 403
    response = device.get(link)
    assert response.status_code == 200
    cookie = response.cookies[tablet.COOKIE]
    assert cookie["samesite"] == "Strict" and cookie["httponly"]
    page = device.get(WINDOW_URL)
    assert page.status_code == 200 and page.context["window"] == personas.window


def test_an_expired_or_forged_pairing_link_pairs_nothing(personas, monday):
    token = tablet.pairing_token(personas.window)
    device = Client()
    with time_machine.travel(dt.timedelta(minutes=16)):
        response = device.get(reverse("ratings_public:pair", args=[token]))
    assert response.status_code == 404 and tablet.COOKIE not in response.cookies
    response = device.get(reverse("ratings_public:pair", args=[token[:-2] + "xx"]))
    assert response.status_code == 404


def test_a_forged_window_cookie_is_no_pairing(personas, monday):
    device = Client()
    device.cookies[tablet.COOKIE] = f'{{"w": {personas.window.pk}}}'
    assert device.get(WINDOW_URL).status_code == 403
    assert device.get(reverse("ratings_public:window_act")).status_code == 403


# ------------------------------------------------------------------ the tablet


def test_the_clerks_act_appears_on_the_tablet_with_the_staff_card(personas, immediate_item, monday):
    StaffCard.objects.create(staff=personas.clerk, number="CG-007")
    device = tablet_client(personas.window)
    idle = device.get(reverse("ratings_public:window_act"))
    assert b'id="tablet-idle"' in idle.content
    _case, act = immediate_service(personas, immediate_item)
    shown = device.get(reverse("ratings_public:window_act"))
    body = shown.content.decode()
    assert 'id="tablet-act"' in body and f'value="{act.pk}"' in body
    assert "窗口小王" in body and "CG-007" in body
    # A minute later the tablet is back to its welcome screen.
    with time_machine.travel(dt.timedelta(seconds=61)):
        assert b'id="tablet-idle"' in device.get(reverse("ratings_public:window_act")).content


def test_the_tablet_rates_its_windows_act_in_json(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    response, data = post_json(tablet_client(personas.window), event=act.pk, level=5)
    assert response.status_code == 201
    rating = Rating.objects.get()
    assert data == {"rating": rating.pk, "level": 5} and rating.channel == "window"
    assert rating.window == personas.window and rating.staff == personas.clerk


def test_the_tablet_answers_htmx_with_the_thanks_and_then_rests(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    device = tablet_client(personas.window)
    response = device.post(WINDOW_URL, {"event": act.pk, "level": 4}, HTTP_HX_REQUEST="true")
    assert b'id="tablet-thanks"' in response.content
    assert b'id="tablet-idle"' in device.get(reverse("ratings_public:window_act")).content


def test_a_tablet_never_rates_another_windows_act(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    other = make_window(personas.hall, 2)
    response, data = post_json(tablet_client(other), event=act.pk, level=5)
    assert response.status_code == 400 and "event" in data["errors"]
    assert b'id="tablet-idle"' in tablet_client(other).get("/rate/window/act/").content
    assert not Rating.objects.exists()


def test_the_tablet_refuses_an_old_act(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    with time_machine.travel(dt.timedelta(minutes=11)):
        response, data = post_json(tablet_client(personas.window), event=act.pk, level=5)
    assert response.status_code == 400 and not Rating.objects.exists()


def test_an_unpaired_tablet_cannot_post(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    response, data = post_json(Client(), event=act.pk, level=5)
    assert response.status_code == 403 and "tablet" in data["errors"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"level": 0}, "level"),
        ({"level": 6}, "level"),
        ({"level": "x"}, "level"),
        ({"level": 1}, "reasons"),
        ({"level": 2, "reasons": "attitude"}, "comment"),
        ({"level": 2, "reasons": "bogus", "comment": "x"}, "reasons"),
    ],
)
def test_the_tablet_refuses_bad_input_in_chinese(personas, immediate_item, monday, data, field):
    _case, act = immediate_service(personas, immediate_item)
    audit = AuditEntry.objects.count()
    response, body = post_json(tablet_client(personas.window), event=act.pk, **data)
    assert response.status_code == 400 and field in body["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["errors"][field][0])
    assert not Rating.objects.exists() and AuditEntry.objects.count() == audit


def test_the_tablet_refuses_a_second_rating_and_an_act_that_did_not_happen(
    personas, immediate_item, monday
):
    _case, act = immediate_service(personas, immediate_item)
    device = tablet_client(personas.window)
    assert post_json(device, event=act.pk, level=5)[0].status_code == 201
    response, body = post_json(device, event=act.pk, level=3)
    assert response.status_code == 400 and "已经评价" in body["errors"]["event"][0]
    response, body = post_json(device, event=act.pk + 1000, level=3)
    assert response.status_code == 400 and "event" in body["errors"]
    assert Rating.objects.get().level == 5


def test_the_clerk_asks_again_and_the_act_returns_to_the_tablet(personas, immediate_item, monday):
    case, act = immediate_service(personas, immediate_item)
    device = tablet_client(personas.window)
    with time_machine.travel(dt.timedelta(minutes=20)):
        assert b"tablet-idle" in device.get("/rate/window/act/").content
        clerk = Client()
        clerk.force_login(personas.clerk)
        page = clerk.get(reverse("cases:detail", args=[case.number]))
        assert b'id="ask-rating"' in page.content
        response = clerk.post(reverse("ratings:ask", args=[case.number]))
        assert response.status_code == 302
        assert RatingRequest.objects.get().event == act
        assert AuditEntry.objects.filter(action="rating.requested").exists()
        assert f'value="{act.pk}"'.encode() in device.get("/rate/window/act/").content
        assert post_json(device, event=act.pk, level=5)[0].status_code == 201
        # Nothing left to rate: the clerk is told so, nothing written.
        response = clerk.post(reverse("ratings:ask", args=[case.number]), follow=True)
        assert "没有" in response.content.decode()
        assert RatingRequest.objects.count() == 1


def test_another_halls_clerk_cannot_ask_for_a_rating(personas, immediate_item, monday):
    case, _act = immediate_service(personas, immediate_item)
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.post(reverse("ratings:ask", args=[case.number])).status_code == 404
    assert not RatingRequest.objects.exists()


# ------------------------------------------------------- the status page's part


def test_the_status_page_loads_the_rating_part_apart(personas, item, monday):
    case, acceptance = accepted(personas, item)
    page = Client().get(f"/status/{case.number}/?code={case.query_code}")
    url = reverse("ratings_public:case", args=[case.number]) + f"?code={case.query_code}"
    assert url.encode() in page.content
    part = Client().get(url, HTTP_HX_REQUEST="true")
    assert part.status_code == 200 and f'id="act-{acceptance.pk}"'.encode() in part.content
    assert b'name="level"' in part.content


def test_a_citizen_rates_from_the_status_page_with_the_query_code(personas, item, monday):
    case, acceptance = accepted(personas, item)
    url = reverse("ratings_public:case", args=[case.number])
    response = Client().post(
        url,
        {
            "code": case.query_code,
            "event": acceptance.pk,
            "level": 1,
            "reasons": ["unclear_materials", "many_trips"],
            "comment": "<script>alert('x')</script>",
        },
    )
    assert response.status_code == 200
    rating = Rating.objects.get()
    assert rating.channel == "status" and rating.comment == "<script>alert('x')</script>"
    body = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "<script>alert(" not in body
    assert "材料要求不清" in body


def test_another_persons_case_without_its_query_code_is_refused(personas, item, monday):
    case, acceptance = accepted(personas, item)
    url = reverse("ratings_public:case", args=[case.number])
    for code in ("", "WRONGCOD"):
        response = Client().post(url, {"code": code, "event": acceptance.pk, "level": 5})
        assert response.status_code == 404
        assert "查询码" in response.content.decode()
    assert Client().get(url).status_code == 404
    assert not Rating.objects.exists()


def test_an_act_of_another_case_is_refused_on_this_cases_page(personas, item, monday):
    case, _acceptance = accepted(personas, item)
    _other, other_act = accepted(personas, item, applicant_name="李四")
    url = reverse("ratings_public:case", args=[case.number])
    response = Client().post(url, {"code": case.query_code, "event": other_act.pk, "level": 5})
    assert response.status_code == 400 and not Rating.objects.exists()


# ------------------------------------------------------------ the QR link


def test_the_qr_link_rates_its_act_once(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    url = reverse("ratings_public:token", args=[rating_token(act.pk)])
    assert b'id="qr-form"' in Client().get(url).content
    assert Client().post(url, {"level": 4}).status_code == 200
    assert Rating.objects.get().channel == "qr"
    response = Client().post(url, {"level": 1, "reasons": "other", "comment": "改主意"})
    assert response.status_code == 400 and "已经评价" in response.content.decode()
    assert Rating.objects.get().level == 4


def test_a_forged_or_unknown_token_rates_nothing(personas, immediate_item, monday):
    from django.core import signing

    _case, act = immediate_service(personas, immediate_item)
    forged = signing.dumps({"e": act.pk}, salt="something else")
    for token in (forged, rating_token(act.pk + 999), "abc"):
        url = reverse("ratings_public:token", args=[token])
        response = Client().post(url, {"level": 5})
        assert response.status_code == 404 and "无效" in response.content.decode()
    assert not Rating.objects.exists()


def test_the_tablet_poll_costs_few_queries(
    personas, immediate_item, monday, django_assert_max_num_queries
):
    immediate_service(personas, immediate_item)
    device = tablet_client(personas.window)
    with django_assert_max_num_queries(4):
        device.get("/rate/window/act/")


def test_the_tablets_rating_costs_few_queries(personas, immediate_item, monday):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _case, act = immediate_service(personas, immediate_item)
    device = tablet_client(personas.window)
    with CaptureQueriesContext(connection) as queries:
        response, _data = post_json(device, event=act.pk, level=5)
    assert response.status_code == 201
    # the act; savepoints, the insert; the audit chain's head (locked), its row, the head again
    # and the case's queue ticket, so the rating links to it too
    assert len(queries) <= 10, [q["sql"][:60] for q in queries]
