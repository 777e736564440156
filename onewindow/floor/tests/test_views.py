"""The floor's pages: kiosk, ticket, slip, display screen, the window console, and a case
started from a called ticket."""

import pytest
from django.test import Client

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import make_item, resident_id
from onewindow.floor import services
from onewindow.floor.models import Ticket, WindowSession

from .factories import pair_client

pytestmark = pytest.mark.django_db


def client_of(user=None):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def test_the_kiosk_issues_a_ticket_and_shows_its_slip(personas, floor, monday):
    c = client_of()
    pair_client(c, personas.hall)
    page = c.get("/floor/CG/kiosk/")
    assert page.status_code == 200
    assert "机动车业务" in page.content.decode() and 'value="B"' in page.content.decode()
    r = c.post("/floor/CG/kiosk/", {"category": "A", "id_number": resident_id()})
    ticket = Ticket.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/floor/t/{ticket.token}/slip/?kiosk=1")
    slip = c.get(r["Location"]).content.decode()
    assert "A001" in slip and "58mm" in slip and "data:image/svg+xml" in slip
    assert "前面还有 0 人" in slip
    status = c.get(f"/floor/t/{ticket.token}/").content.decode()
    assert "A001" in status and "等候中" in status


def test_the_kiosk_refuses_bad_input_in_chinese(personas, floor, monday):
    c = client_of()
    pair_client(c, personas.hall)
    r = c.post("/floor/CG/kiosk/", {"category": "Z"})
    assert r.status_code == 400 and "请选择" in r.content.decode()
    r = c.post("/floor/CG/kiosk/", {"category": "A", "id_number": "32058219900307"})
    assert r.status_code == 400 and "身份证" in r.content.decode()
    floor["A"].daily_limit_per_id = 1
    floor["A"].save()
    number = resident_id()
    assert c.post("/floor/CG/kiosk/", {"category": "A", "id_number": number}).status_code == 302
    r = c.post("/floor/CG/kiosk/", {"category": "A", "id_number": number})
    assert r.status_code == 409 and "今天已取" in r.content.decode()
    assert Ticket.objects.count() == 1
    assert c.get("/floor/NOPE/kiosk/").status_code == 404
    assert c.get("/floor/t/unknown/").status_code == 404


def test_the_display_shows_a_call_on_its_next_poll(
    personas, floor, monday, django_capture_on_commit_callbacks
):
    services.issue_ticket(hall=personas.hall, category=floor["A"])
    c = client_of()
    assert c.get("/floor/CG/display/").status_code == 200
    before = c.get("/floor/CG/display/live/").content.decode()
    assert "请 A001" not in before
    services.sign_in(actor=personas.clerk, window=floor["w1"])
    # the cached fragment is dropped when the call commits
    assert c.get("/floor/CG/display/live/").content.decode() == before
    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(actor=personas.clerk, window=floor["w1"])
    after = c.get("/floor/CG/display/live/").content.decode()
    assert "请 A001 号到 1 号窗口" in after
    assert 'data-letter="A"' in after


def test_the_console_signs_in_calls_and_signs_out(personas, floor, monday):
    services.issue_ticket(hall=personas.hall, category=floor["A"])
    c = client_of(personas.clerk)
    page = c.get("/floor/console/").content.decode()
    assert "签到" in page
    w1 = floor["w1"].pk
    assert c.post("/floor/console/sign-in/", {"window": w1}).status_code == 302
    assert c.post("/floor/console/call/", {"window": w1}).status_code == 302
    page = c.get("/floor/console/").content.decode()
    assert 'id="current-number">A001<' in page
    assert c.post("/floor/console/done/", {"window": w1}).status_code == 302
    assert c.post("/floor/console/sign-out/", {"window": w1}).status_code == 302
    assert Ticket.objects.get().status == "done"
    assert not WindowSession.objects.open().exists()


def test_the_console_refuses_a_window_one_is_not_at(personas, floor, monday):
    services.issue_ticket(hall=personas.hall, category=floor["A"])
    services.sign_in(actor=personas.clerk, window=floor["w1"])
    c = client_of(personas.clerk)
    r = c.post("/floor/console/call/", {"window": floor["w2"].pk})
    assert r.status_code == 409 and "未在此窗口签到" in r.content.decode()
    assert Ticket.objects.get().status == "waiting"
    c2 = client_of(personas.manager)
    r = c2.post("/floor/console/sign-in/", {"window": floor["w1"].pk})
    assert r.status_code == 409 and "窗口小王" in r.content.decode()


def test_the_console_turns_away_who_may_not_serve(personas, floor):
    assert client_of().get("/floor/console/").status_code == 302
    assert client_of(personas.handler).get("/floor/console/").status_code == 403
    r = client_of(personas.outsider).post("/floor/console/sign-in/", {"window": floor["w1"].pk})
    assert r.status_code == 403
    assert not WindowSession.objects.exists()


def test_a_case_started_from_a_called_ticket_is_prefilled_and_linked(
    personas, floor, monday, django_capture_on_commit_callbacks
):
    item = make_item(personas.department, [personas.hall], name="机动车转移登记")
    floor["A"].items.set([item])
    number = resident_id()
    ticket = services.issue_ticket(hall=personas.hall, category=floor["A"], id_number=number)
    services.sign_in(actor=personas.clerk, window=floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    c = client_of(personas.clerk)
    r = c.post("/floor/console/start-case/", {"window": floor["w1"].pk})
    assert r.status_code == 302
    assert r["Location"] == f"/staff/cases/workbench/?hall=CG&item={item.implementation_code}"
    form = c.get(r["Location"]).content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "serving" and ticket.intake_key
    assert f'value="{ticket.intake_key}"' in form and number in form
    # used once: a second intake form gets a fresh key and no number
    again = c.get(r["Location"]).content.decode()
    assert ticket.intake_key not in again and number not in again
    with_ticket = {
        "intake_key": ticket.intake_key,
        "window": floor["w1"].pk,
        "applicant_kind": "person",
        "applicant_name": "张三",
        "applicant_id_number": number,
        "contact_phone": "13812345678",
        "action": "receive",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(r["Location"], with_ticket)
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get()
    ticket.refresh_from_db()
    assert ticket.case == case


def test_the_demo_loader_gives_each_hall_its_lines(personas, floor):
    from onewindow.floor.demo import load_demo_floor
    from onewindow.floor.models import QueueCategory

    load_demo_floor()
    load_demo_floor()  # idempotent
    line = QueueCategory.objects.get(hall=personas.other_hall, letter="A")
    assert line.name == "民政局" and list(line.windows.values_list("number", flat=True)) == [1]
    assert QueueCategory.objects.filter(hall=personas.hall).count() == 2


def test_the_console_pauses_transfers_marks_no_shows_and_rejoins(personas, floor, monday):
    services.issue_ticket(hall=personas.hall, category=floor["A"])
    services.issue_ticket(hall=personas.hall, category=floor["A"])
    floor["A"].no_show_after_calls = 2
    floor["A"].save()
    c = client_of(personas.clerk)
    w1 = floor["w1"].pk
    c.post("/floor/console/sign-in/", {"window": w1})
    r = c.post("/floor/console/pause/", {"window": w1, "reason": ""})
    assert r.status_code == 400 and "请说明" in r.content.decode()
    c.post("/floor/console/pause/", {"window": w1, "reason": "午休"})
    page = c.get("/floor/console/").content.decode()
    assert "午休" in page and 'id="resume"' in page and 'id="call-next"' not in page
    c.post("/floor/console/resume/", {"window": w1})
    c.post("/floor/console/call/", {"window": w1})
    r = c.post("/floor/console/no-show/", {"window": w1})
    assert r.status_code == 409 and "需叫号 2 次" in r.content.decode()
    c.post("/floor/console/recall/", {"window": w1})
    assert c.post("/floor/console/no-show/", {"window": w1}).status_code == 302
    c.post("/floor/console/call/", {"window": w1})
    r = c.post(
        "/floor/console/transfer/",
        {"window": w1, "category": floor["B"].pk, "reason": "驾照业务"},
    )
    assert r.status_code == 302
    a1, a2 = Ticket.objects.order_by("seq")
    assert (a1.status, a2.status, a2.category) == ("no_show", "transferred", floor["B"])
    assert c.post("/floor/console/rejoin/", {"window": w1, "number": "A001"}).status_code == 302
    a1.refresh_from_db()
    assert a1.status == "waiting" and a1.rejoined
    assert c.post("/floor/console/nonsense/", {"window": w1}).status_code == 404


def test_the_ticket_page_names_the_window_once_called(personas, floor, monday):
    ticket = services.issue_ticket(hall=personas.hall, category=floor["A"])
    services.sign_in(actor=personas.clerk, window=floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    c = client_of()
    page = c.get(f"/floor/t/{ticket.token}/").content.decode()
    assert "请到 1 号窗口" in page
    fragment = c.get(f"/floor/t/{ticket.token}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "请到 1 号窗口" in fragment
