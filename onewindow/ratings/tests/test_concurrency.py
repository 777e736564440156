"""Two raters of the same act at the same moment: one rating stands, the other is told.

On PostgreSQL the raters really send at once (threads, each with its own connection);
the unique event column turns the slower one away, and `rate` answers it as a second
rating. SQLite serialises writers, so there the second rating is refused in turn
(`test_services.test_it_refuses_a_second_rating_of_the_same_act`).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from onewindow.audit.models import AuditEntry
from onewindow.cases.models import CaseEvent
from onewindow.cases.tests.test_concurrency import _run_together
from onewindow.ratings import services
from onewindow.ratings.models import Rating

from .factories import immediate_service

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_keeps_exactly_one_of_four_raters_sending_at_once(personas, immediate_item):
    _case, act = immediate_service(personas, immediate_item)

    def rate(i):
        event = CaseEvent.objects.select_related("case", "hall").get(pk=act.pk)
        channel = ("window", "status", "qr", "window")[i]
        return services.rate(event=event, level=(5, 4, 3, 5)[i], channel=channel)

    results = _run_together(4, rate)
    kept = [r for r in results if isinstance(r, Rating)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(kept) == 1 and len(refused) == 3, results
    assert all(r.error_dict["event"][0].code == "already_rated" for r in refused)
    assert Rating.objects.get().pk == kept[0].pk
    assert AuditEntry.objects.filter(action="rating.recorded").count() == 1
