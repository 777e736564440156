"""The one rule that scopes data to a user's halls.

Every list and object lookup of hall-owned data goes through ``visible_to(user)``, a
QuerySet method built from :class:`HallScopedQuerySet`. Centre administrators, the
supervision office and superusers see every hall; everybody else sees the halls they
belong to; anonymous users see nothing.
"""

from __future__ import annotations

from django.db import models


def visible_hall_ids(user) -> set[int] | None:
    """Hall ids the user may see, or None when the user sees all halls."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.sees_all_halls:
        return None
    return user.hall_id_set


def sees_hall(user, hall_id: int) -> bool:
    """Whether the user may see what belongs to this hall (the rule of `visible_to`, for
    one row already read)."""
    ids = visible_hall_ids(user)
    return ids is None or hall_id in ids


class HallScopedQuerySet(models.QuerySet):
    """A QuerySet whose rows belong to a hall through ``hall_lookup``."""

    hall_lookup = "hall"
    hall_lookup_is_many = False

    def visible_to(self, user):
        ids = visible_hall_ids(user)
        if ids is None:
            return self
        if not ids:
            return self.none()
        qs = self.filter(**{f"{self.hall_lookup}__in": ids})
        # A many-valued lookup (an item handled by several halls) would repeat rows.
        return qs.distinct() if self.hall_lookup_is_many else qs
