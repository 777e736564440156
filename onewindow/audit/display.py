"""The audit log as people read it: a snapshot (the JSON kept with a row) as labelled
fields, and people by their full names instead of their ids or user names."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Keys of the snapshots the apps record, and their labels. A key not listed is shown
# as written, with spaces for underscores.
LABELS = {
    "status": gettext_lazy("Status"),
    "version": gettext_lazy("Version"),
    "promised_due_date": gettext_lazy("Promised due date"),
    "legal_due_date": gettext_lazy("Legal due date"),
    "due_provisional": gettext_lazy("Provisional due dates"),
    "current_assignee": gettext_lazy("With"),
    "result": gettext_lazy("Result"),
    "username": gettext_lazy("User name"),
    "full_name": gettext_lazy("Full name"),
    "is_active": gettext_lazy("Active"),
    "department": gettext_lazy("Department"),
    "halls": gettext_lazy("Halls"),
    "roles": gettext_lazy("Roles"),
    "document": gettext_lazy("Document"),
    "round": gettext_lazy("Round"),
    "attachment": gettext_lazy("Scan"),
    "opinion": gettext_lazy("Opinion"),
    "version_in_force": gettext_lazy("Version in force"),
    "items": gettext_lazy("Items"),
    "days": gettext_lazy("Days"),
}
# Keys whose value is a user's id: shown as the person's full name.
PEOPLE = {"current_assignee", "assignee", "actor", "approver", "requested_by", "user"}


def _value(value, people: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(_value(v, people) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v, people)}" for k, v in value.items())
    return str(value)


def fields(snapshot, people: dict) -> list[tuple[str, str]]:
    """(label, value) for each key of a snapshot (a non-dict value as one unlabelled
    field)."""
    if snapshot in (None, {}, ""):
        return []
    if not isinstance(snapshot, dict):
        return [("", _value(snapshot, people))]
    shown = []
    for key, value in snapshot.items():
        label = str(LABELS.get(key, key.replace("_", " ")))
        if key in PEOPLE and isinstance(value, int) and not isinstance(value, bool):
            shown.append((label, people.get(value, f"#{value}")))
        else:
            shown.append((label, _value(value, people)))
    return shown


def describe(entries) -> None:
    """Give each entry ``actor_shown`` (the actor's full name) and ``before_fields`` /
    ``after_fields``, reading the people they name in one query."""
    entries = list(entries)
    ids = {
        value
        for e in entries
        for snapshot in (e.before, e.after)
        if isinstance(snapshot, dict)
        for key, value in snapshot.items()
        if key in PEOPLE and isinstance(value, int) and not isinstance(value, bool)
    }
    ids |= {e.actor_id for e in entries if e.actor_id}
    # A user's str() is the name people know them by (the full name where there is one).
    people = {user.pk: str(user) for user in get_user_model().objects.filter(pk__in=ids)}
    for e in entries:
        e.actor_shown = people.get(e.actor_id) or e.actor_name or "—"
        e.before_fields = fields(e.before, people)
        e.after_fields = fields(e.after, people)
