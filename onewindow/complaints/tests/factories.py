"""Complaints for tests, through the real services."""

from __future__ import annotations

from onewindow.complaints import services


def make_complaint(personas, **kwargs):
    """A complaint from the portal about the personas' hall."""
    values = {
        "category": "attitude",
        "channel": "web",
        "content": "窗口工作人员态度生硬，不解释就让我回去。",
        "hall": personas.hall,
        "complainant_name": "李四",
        "complainant_phone": "13912345678",
    }
    values.update(kwargs)
    return services.register(**values)


def take_to(personas, complaint, status: str, handler=None):
    """Move a complaint along its life cycle as the office and its handler would."""
    handler = handler or personas.manager
    order = ["registered", "assigned", "investigating", "answered", "closed"]
    c = complaint
    c.refresh_from_db()
    while order.index(c.status) < order.index(status):
        if c.status == "registered":
            c = services.assign(actor=personas.supervisor, complaint=c, handler=handler)
        elif c.status == "assigned":
            c = services.start_investigation(actor=handler, complaint=c)
        elif c.status == "investigating":
            if c.findings_at is None:
                c = services.record_findings(
                    actor=handler,
                    complaint=c,
                    finding="partly_valid",
                    staff_action="talk",
                    note="查看录像，工作人员解释不够耐心。",
                )
            c = services.answer(actor=handler, complaint=c, text="经核实，已对工作人员提醒谈话。")
        elif c.status == "answered":
            c = services.close(actor=personas.supervisor, complaint=c)
    return c
