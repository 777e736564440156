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
