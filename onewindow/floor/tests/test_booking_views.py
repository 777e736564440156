"""The appointment pages of the portal, the kiosk's check-in, pairing and rate limits,
the hall manager's kiosk page, and the appointment API."""

import json

import pytest
import time_machine
from django.test import Client

from onewindow.audit.models import AuditEntry
from onewindow.cases.tests.factories import at, make_item, resident_id
from onewindow.floor import appointments, kiosks
from onewindow.floor.models import Appointment, KioskDevice, Ticket

from .factories import make_kiosk, open_hours, pair_client

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def client_of(user=None, language="zh-hans"):
    c = Client()
    c.cookies["django_language"] = language
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def bookable(personas, floor):
    """Line A of CG covers one item and takes one appointment per 30-minute slot; CG
    opens Monday to Friday 9:00–12:00."""
    open_hours(personas.hall)
    item = make_item(personas.department, [personas.hall], name="机动车转移登记")
    line = floor["A"]
    line.items.set([item])
    line.slot_capacity = 1
    line.save()
    return {"line": line, "item": item}


def form(bookable, **fields):
    return {"item": bookable["item"].implementation_code, "hall": "CG", "day": "2026-03-03",
            "slot": "2026-03-03T09:30", "name": "张三", "id_number": resident_id(),
            "phone": PHONE, **fields}  # fmt: skip


def test_a_citizen_books_looks_up_and_cancels_on_the_portal(personas, bookable, monday):
    c = client_of()
    page = c.get("/floor/appointments/").content.decode()
    assert "预约" in page and "机动车转移登记" in page
    code = bookable["item"].implementation_code
    page = c.get(f"/floor/appointments/?item={code}&hall=CG&day=2026-03-03").content.decode()
    assert 'data-slot="2026-03-03T09:00"' in page and "1 个名额" in page
    r = c.post("/floor/appointments/", form(bookable))
    appointment = Appointment.objects.get()
    assert r.status_code == 302 and r["Location"] == (
        f"/floor/appointments/{appointment.token}/?new=1"
    )
    page = c.get(r["Location"]).content.decode()
    assert appointment.number in page and appointment.code in page and "已预约" in page
    assert "data:image/svg+xml" in page and "08:30" in page  # check-in opens an hour early
    r = c.post("/floor/appointments/find/", {"number": appointment.number, "code": "x"})
    assert r.status_code == 404 and "查询码" in r.content.decode()
    r = c.post("/floor/appointments/find/",
               {"number": appointment.number, "code": appointment.code})  # fmt: skip
    assert r["Location"] == f"/floor/appointments/{appointment.token}/"
    c.post(f"/floor/appointments/{appointment.token}/cancel/")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert "已取消" in c.get(f"/floor/appointments/{appointment.token}/").content.decode()
    assert c.get("/floor/appointments/nosuch/").status_code == 404


def test_the_booking_page_speaks_english_too(personas, bookable, monday):
    c = client_of(language="en")
    code = bookable["item"].implementation_code
    page = c.get(f"/floor/appointments/?item={code}&hall=CG&day=2026-03-03").content.decode()
    assert "Book an appointment" in page and "1 place" in page
    r = c.post("/floor/appointments/", form(bookable, slot="2026-03-02T09:00", day="2026-03-02"))
    assert r.status_code == 400 and "This time has passed" in r.content.decode()


def test_bad_bookings_are_refused_in_chinese_and_keep_what_was_typed(personas, bookable, monday):
    c = client_of()
    assert c.post("/floor/appointments/", form(bookable)).status_code == 302
    number = resident_id()
    cases = [
        (form(bookable, id_number=number, name="李四"), 409, "已约满"),
        (form(bookable, slot="2026-03-02T09:00", day="2026-03-02"), 400, "已过"),
        (form(bookable, slot="2026-03-07T09:00", day="2026-03-07"), 400, "不办公"),
        (form(bookable, slot="2026-03-30T09:00", day="2026-03-30"), 400, "天以内"),
        (form(bookable, slot="soon"), 400, "请选择"),
        (form(bookable, slot="2026-03-03T10:00", id_number="32058219900307"), 400, "身份证"),
        (form(bookable, slot="2026-03-03T10:00", phone="1"), 400, "电话"),
    ]
    for data, status, text in cases:
        r = c.post("/floor/appointments/", data)
        body = r.content.decode()
        assert (r.status_code, text in body) == (status, True), (data, r.status_code, body[:3000])
    # nothing lost: what the visitor typed is still in the form
    r = c.post("/floor/appointments/", form(bookable, id_number=number, name="李四"))
    assert 'value="李四"' in r.content.decode() and f'value="{number}"' in r.content.decode()
    assert Appointment.objects.count() == 1
    page = c.get(
        f"/floor/appointments/?item={bookable['item'].implementation_code}&hall=CG&day=2026-03-07"
    )
    assert "不办公" in page.content.decode()
    page = c.get(
        f"/floor/appointments/?item={bookable['item'].implementation_code}&hall=CG&day=2027-03-02"
    )
    assert "2027 年的放假安排尚未公布" in page.content.decode()


def test_the_kiosk_needs_pairing_and_a_revoked_kiosk_is_refused(personas, floor, monday):
    c = client_of()
    r = c.get("/floor/CG/kiosk/")
    assert r.status_code == 403 and "未与大厅配对" in r.content.decode()
    r = c.post("/floor/CG/kiosk/", {"category": "A"})
    assert r.status_code == 403 and Ticket.objects.count() == 0
    assert c.get("/floor/kiosks/pair/forged/").status_code == 404
    device = pair_client(c, personas.hall)
    assert KioskDevice.objects.get().paired_at is not None
    assert c.post("/floor/CG/kiosk/", {"category": "A"}).status_code == 302
    # paired with CG: the kiosk of another hall is not this device
    assert c.get(f"/floor/{personas.other_hall.code}/kiosk/").status_code == 403
    device.revoked_at = at("2026-03-02", 9)
    device.save()
    assert c.post("/floor/CG/kiosk/", {"category": "A"}).status_code == 403
    assert Ticket.objects.count() == 1
    # a forged cookie (the key of another device) is refused
    other = make_kiosk(personas.hall, "二号机")
    c.cookies[kiosks.COOKIE] = json.dumps({"k": other.pk})
    assert c.get("/floor/CG/kiosk/").status_code == 403


def test_the_kiosk_limits_tickets_per_device_and_per_id_number(personas, floor, monday, settings):
    settings.FLOOR_KIOSK_LIMITS = {"device": (3, 60), "id_number": (1, 600)}
    c = client_of()
    pair_client(c, personas.hall)
    number = resident_id()
    assert c.post("/floor/CG/kiosk/", {"category": "A", "id_number": number}).status_code == 302
    r = c.post("/floor/CG/kiosk/", {"category": "B", "id_number": number})
    assert r.status_code == 429 and "该身份证号码短时间内取号过多" in r.content.decode()
    assert c.post("/floor/CG/kiosk/", {"category": "A"}).status_code == 302
    r = c.post("/floor/CG/kiosk/", {"category": "A"})
    assert r.status_code == 429 and "取号过于频繁" in r.content.decode()
    assert Ticket.objects.count() == 2
    other = client_of()
    pair_client(other, personas.hall, "二号机")  # another kiosk has its own count
    assert other.post("/floor/CG/kiosk/", {"category": "A"}).status_code == 302
    with time_machine.travel(at("2026-03-02", 10, 2), tick=False):  # a new window
        assert c.post("/floor/CG/kiosk/", {"category": "A"}).status_code == 302


def test_the_kiosk_checks_in_an_appointment_once(personas, bookable, monday):
    appointment = appointments.book(category=bookable["line"], starts_at=at("2026-03-02", 10, 30),
                                    name="张三", id_number=resident_id(), phone=PHONE)  # fmt: skip
    c = client_of()
    pair_client(c, personas.hall)
    r = c.post("/floor/CG/kiosk/check-in/", {"number": "99999999"})
    assert r.status_code == 400 and "没有此号码的预约" in r.content.decode()
    r = c.post("/floor/CG/kiosk/check-in/", {"number": appointment.number})
    ticket = Ticket.objects.get()
    assert r["Location"] == f"/floor/t/{ticket.token}/slip/?kiosk=1"
    assert ticket.priority == Ticket.Priority.APPOINTMENT
    r = c.post("/floor/CG/kiosk/check-in/", {"number": appointment.number})
    assert r.status_code == 409 and "签到" in r.content.decode()
    assert ticket.number in r.content.decode() and Ticket.objects.count() == 1
    assert client_of().post("/floor/CG/kiosk/check-in/", {"number": "1"}).status_code == 403


def test_the_hall_manager_adds_pairs_and_revokes_kiosks(personas, floor):
    manager = client_of(personas.manager)
    assert client_of(personas.clerk).get("/floor/kiosks/").status_code == 403
    r = manager.post("/floor/kiosks/", {"hall": "CG", "name": ""})
    assert r.status_code == 400 and KioskDevice.objects.count() == 0
    r = manager.post("/floor/kiosks/", {"hall": "CG", "name": "入口取号机"})
    device = KioskDevice.objects.get()
    assert r.status_code == 302 and device.hall == personas.hall
    assert AuditEntry.objects.filter(action="kiosk.added").count() == 1
    page = manager.get("/floor/kiosks/").content.decode()
    link = page.split(f'data-kiosk="{device.pk}"')[0].rsplit('href="', 1)[1].split('"')[0]
    kiosk = client_of()
    assert "入口取号机" in kiosk.get(link).content.decode()
    assert kiosk.get("/floor/CG/kiosk/").status_code == 200
    manager.post(f"/floor/kiosks/{device.pk}/revoke/")
    assert AuditEntry.objects.filter(action="kiosk.revoked").count() == 1
    assert kiosk.get("/floor/CG/kiosk/").status_code == 403
    assert kiosk.get(link).status_code == 404  # a revoked kiosk cannot be paired again
    outsider = make_kiosk(personas.other_hall)
    assert manager.post(f"/floor/kiosks/{outsider.pk}/revoke/").status_code == 404


def test_the_appointment_api(personas, bookable, monday):
    c = client_of()
    r = c.get("/api/v1/floor/appointments/slots?hall=CG&category=A&day=2026-03-03")
    assert r.status_code == 200 and len(r.json()) == 6 and r.json()[0]["free"] == 1
    r = c.get("/api/v1/floor/appointments/slots?hall=CG&category=A&day=2027-03-02")
    assert r.status_code == 400 and r.json()["code"] == "no_calendar"
    body = {"hall": "CG", "category": "A", "starts_at": "2026-03-03T09:00:00+08:00",
            "name": "张三", "id_number": resident_id(), "phone": PHONE,
            "item": bookable["item"].implementation_code}  # fmt: skip
    r = c.post("/api/v1/floor/appointments", body, content_type="application/json")
    assert r.status_code == 201, r.content
    booked = r.json()
    assert booked["status"] == "booked" and "*" in booked["id_number"]
    again = {**body, "id_number": resident_id()}
    r = c.post("/api/v1/floor/appointments", again, content_type="application/json")
    assert (
        r.status_code == 409 and r.json()["code"] == "slot_full" and "约满" in r.json()["message"]
    )
    assert (
        c.get(f"/api/v1/floor/appointments/{booked['token']}").json()["number"] == booked["number"]
    )
    clerk = client_of(personas.clerk)
    r = clerk.post("/api/v1/floor/appointments/check-in", {"hall": "CG", "number": "12345678"},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "unknown_appointment"
    r = c.post(f"/api/v1/floor/appointments/{booked['token']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = c.post(f"/api/v1/floor/appointments/{booked['token']}/cancel")
    assert r.status_code == 409 and r.json()["code"] == "not_now"
    today = {**body, "starts_at": "2026-03-02T10:30:00+08:00"}
    booked = c.post("/api/v1/floor/appointments", today, content_type="application/json").json()
    r = clerk.post("/api/v1/floor/appointments/check-in", {"hall": "CG", "number": booked["number"]},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["priority"] == "appointment"
    r = clerk.post("/api/v1/floor/appointments/check-in", {"hall": "CG", "number": booked["number"]},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "already_checked_in"
