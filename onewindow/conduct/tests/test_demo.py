"""The demo's observers and their year: every hall visited, every outcome, idempotent."""

import io

import pytest

from onewindow.complaints.models import Complaint
from onewindow.conduct.demo import load_demo_conduct
from onewindow.conduct.models import ConductRecord, Finding, ObserverProfile, Visit
from onewindow.halls.models import Hall

pytestmark = pytest.mark.django_db


def test_the_demo_year_of_visits():
    from onewindow.demo.organisation import DEMO_PASSWORD, load_organisation

    load_organisation()
    out = io.StringIO()
    logins = load_demo_conduct(stdout=out, password=DEMO_PASSWORD)
    assert 6 <= len(logins) <= 10
    assert ObserverProfile.objects.serving().count() == len(logins)
    observer = ObserverProfile.objects.get(user__username="jdy_zhou").user
    assert observer.check_password(DEMO_PASSWORD)
    assert observer.has_perm("conduct.record_visits")

    visits = Visit.objects.all()
    assert 24 <= visits.count() <= 48
    assert set(visits.values_list("hall", flat=True)) == set(
        Hall.objects.active().values_list("pk", flat=True)
    )
    findings = Finding.objects.all()
    negative = findings.filter(kind=Finding.Kind.NEGATIVE)
    assert findings.filter(kind=Finding.Kind.POSITIVE).count() > 2 * negative.count()
    statuses = set(negative.values_list("status", flat=True))
    assert statuses == {"pending", "complaint", "recorded", "dismissed"}
    complaints = Complaint.objects.filter(channel=Complaint.Channel.OBSERVER)
    assert complaints.count() == negative.filter(status="complaint").count()
    assert all(f.complaint_id for f in negative.filter(status="complaint"))
    # handled through the complaints services as far as their age allows
    assert complaints.filter(status=Complaint.Status.CLOSED).exists()
    assert complaints.filter(finding=Complaint.Finding.VALID).exists()
    assert ConductRecord.objects.count() == negative.filter(status="recorded").count()
    assert "conduct:" in out.getvalue() and "jdy_zhou" in out.getvalue()

    counts = (Visit.objects.count(), Finding.objects.count(), Complaint.objects.count())
    load_demo_conduct(password=DEMO_PASSWORD)
    assert (Visit.objects.count(), Finding.objects.count(), Complaint.objects.count()) == counts
