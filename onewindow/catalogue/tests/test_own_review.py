"""Nobody reviews their own item version: the legal and the fee review are done by someone
other than whoever created, changed or submitted the version."""

import pytest
from django.urls import reverse
from django.utils import translation

from onewindow.accounts.roles import Role
from onewindow.audit.models import AuditEntry
from onewindow.catalogue import services
from onewindow.catalogue.models import ItemVersion
from onewindow.factories import make_user

from .factories import make_item

Status = ItemVersion.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def all_rounder(personas):
    """A centre administrator who is also on the legal and the fee review."""
    return make_user(
        "allrounder",
        halls=[personas.centre],
        roles=[Role.CENTRE_ADMIN, Role.LEGAL_REVIEWER, Role.FEE_REVIEWER],
    )


def _refused(action, **kwargs):
    with pytest.raises(services.CatalogueError) as exc, translation.override("en"):
        action(**kwargs)
    assert exc.value.code == "own_version"
    return exc.value.messages[0]


def _review_rows(version, stage):
    return version.reviews.filter(stage=stage).count()


def test_the_author_cannot_pass_their_own_version_in_legal_review(personas, all_rounder):
    version = make_item(personas.department, [personas.hall], actor=all_rounder)
    services.submit_for_review(actor=all_rounder, version=version)
    before = AuditEntry.objects.count()
    message = _refused(services.legal_review, actor=all_rounder, version=version, passed=True)
    assert "review must be done by someone else" in message
    _refused(services.legal_review, actor=all_rounder, version=version, passed=False, opinion="x")
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW
    assert _review_rows(version, "legal") == 0 and AuditEntry.objects.count() == before
    services.legal_review(actor=personas.legal, version=version, passed=True)
    version.refresh_from_db()
    assert version.status == Status.FEE_REVIEW


@pytest.mark.parametrize("part", ["changed", "submitted"])
def test_whoever_changed_or_submitted_the_draft_is_an_author_too(personas, all_rounder, part):
    version = make_item(personas.department, [personas.hall], fees=0, actor=personas.manager)
    if part == "changed":
        content = services.content_of(version)
        content.fields["conditions"] = "材料齐全"
        services.save_draft(actor=all_rounder, version=version, content=content)
        services.submit_for_review(actor=personas.manager, version=version)
    else:
        services.submit_for_review(actor=all_rounder, version=version)
    _refused(services.legal_review, actor=all_rounder, version=version, passed=True)
    assert not services.authored_by(version, personas.legal)
    assert services.authored_by(version, personas.manager)


def test_the_author_cannot_verify_their_own_fees(personas, all_rounder):
    version = make_item(personas.department, [personas.hall], fees=1, actor=all_rounder)
    services.submit_for_review(actor=all_rounder, version=version)
    services.legal_review(actor=personas.legal, version=version, passed=True)
    _refused(services.fee_review, actor=all_rounder, version=version, passed=True)
    version.refresh_from_db()
    assert version.status == Status.FEE_REVIEW and _review_rows(version, "fee") == 0
    services.fee_review(actor=personas.fee, version=version, passed=True)
    version.refresh_from_db()
    assert version.status == Status.APPROVED


def test_the_review_page_refuses_the_author_with_a_translated_message(
    client, personas, all_rounder
):
    version = make_item(personas.department, [personas.hall], actor=all_rounder)
    services.submit_for_review(actor=all_rounder, version=version)
    code = version.item.implementation_code
    client.force_login(all_rounder)
    detail = client.get(reverse("catalogue:detail", args=[code])).content.decode()
    assert 'id="review-version"' not in detail
    url = reverse("catalogue:review", args=[code, version.number])
    page = client.get(url).content.decode()
    assert 'id="own-version"' in page and "由其他人审核" in page
    before = AuditEntry.objects.count()
    response = client.post(url, {"decision": "pass", "opinion": ""})
    assert response.status_code == 200
    assert "您起草或提交了第 1 版" in response.content.decode()
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW and AuditEntry.objects.count() == before
    client.force_login(personas.legal)
    detail = client.get(reverse("catalogue:detail", args=[code])).content.decode()
    assert 'id="review-version"' in detail
    assert 'id="own-version"' not in client.get(url).content.decode()
