"""The demo's assessment: the simulated year with deductions, bonuses and inspections."""

import io

from onewindow.assessment.demo import demo_year, load_demo_assessment
from onewindow.assessment.models import Adjustment, AssessmentScheme, Inspection, InspectionFinding
from onewindow.demo.organisation import load_organisation


def test_the_demo_assesses_its_year_once(db):
    load_organisation(stdout=io.StringIO())
    out = io.StringIO()
    load_demo_assessment(stdout=out)
    year = demo_year()
    scheme = AssessmentScheme.objects.get(year=year)
    assert Adjustment.objects.filter(scheme=scheme, kind="deduction").count() == 6
    assert Adjustment.objects.filter(scheme=scheme, kind="bonus").count() == 2
    assert all(a.evidence_note for a in Adjustment.objects.all())
    assert Inspection.objects.filter(date__year=year).count() == 6
    states = set(InspectionFinding.objects.values_list("status", flat=True))
    assert states == {"open", "fixed", "verified"}
    assert f"assessment {year}" in out.getvalue()
    load_demo_assessment(stdout=io.StringIO())
    assert Adjustment.objects.count() == 8 and Inspection.objects.count() == 6
