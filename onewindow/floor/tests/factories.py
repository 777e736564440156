"""Lines of the personas' hall (CG) for the floor's tests."""

from onewindow.factories import make_window
from onewindow.floor.models import QueueCategory


def make_line(hall, letter="A", name="机动车业务", *, windows=(), items=(), **fields):
    line = QueueCategory.objects.create(hall=hall, letter=letter, name=name, **fields)
    line.windows.set(windows)
    line.items.set(items)
    return line


def make_floor(personas):
    """Two lines and three windows in CG: A (every window), B (window 2 only)."""
    hall = personas.hall
    w2 = make_window(hall, 2, personas.department)
    w3 = make_window(hall, 3, personas.department)
    a = make_line(hall, "A", "机动车业务", name_en="Vehicles")
    b = make_line(hall, "B", "驾驶证业务", name_en="Licences", windows=[w2])
    return {"A": a, "B": b, "w1": personas.window, "w2": w2, "w3": w3}


def make_kiosk(hall, name="入口取号机"):
    from onewindow.floor.models import KioskDevice

    return KioskDevice.objects.create(hall=hall, name=name)


def pair_client(client, hall, name="入口取号机"):
    """Pair a test client as a kiosk of the hall through the real pairing link."""
    from onewindow.floor import kiosks

    device = make_kiosk(hall, name)
    response = client.get(f"/floor/kiosks/pair/{kiosks.pairing_token(device)}/")
    assert response.status_code == 200, response.status_code
    return device


def open_hours(hall, weekdays=range(5), opens=(9, 0), closes=(12, 0)):
    """The hall opens on these weekdays (default Monday to Friday, 9:00–12:00)."""
    import datetime as dt

    from onewindow.halls.models import OpeningHours

    OpeningHours.objects.bulk_create(
        [OpeningHours(hall=hall, weekday=d, opens=dt.time(*opens), closes=dt.time(*closes))
         for d in weekdays]
    )  # fmt: skip
