import datetime as dt

from onewindow.meetings import services


def make_meetings_world(p) -> dict:
    """A meeting the personas' hall attended with one decision of that hall."""
    meeting = services.create_meeting(
        actor=p.admin, title="联席会议", held_on=dt.date(2026, 3, 2), agenda="议程",
        halls=[p.centre, p.hall],
    )  # fmt: skip
    decision = services.add_decision(
        actor=p.admin, meeting=meeting, text="整改", owner_hall=p.hall,
        due_on=dt.date(2026, 3, 31),
    )  # fmt: skip
    return {"meeting_pk": meeting.pk, "decision_pk": decision.pk, "decision_action": "progress"}
