"""The rules of the catalogue services: validation, review flow, publication, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onewindow.audit.models import AuditEntry
from onewindow.catalogue import services
from onewindow.catalogue.models import ItemVersion, ReviewRecord, ServiceItem

from .factories import make_content, make_item, make_published, publish_item

Status = ItemVersion.Status
pytestmark = pytest.mark.django_db


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_it_creates_an_item_with_a_first_draft(personas):
    version = make_item(
        personas.department, [personas.hall], code="CG-0001", actor=personas.manager
    )
    assert version.number == 1
    assert version.status == Status.DRAFT
    assert version.item.latest_version == version
    assert version.item.published_version is None
    assert version.materials.count() == 2
    assert version.steps.count() == 3
    assert version.fees.count() == 1
    assert list(version.halls.all()) == [personas.hall]
    assert version.created_by == personas.manager
    record = version.reviews.get()
    assert (record.stage, record.decision, record.reviewer) == (
        "drafted",
        "create",
        personas.manager,
    )
    audit = AuditEntry.objects.get(action="catalogue.item_created")
    assert audit.actor == personas.manager
    assert audit.hall == personas.hall
    assert audit.after["implementation_code"] == "CG-0001"


def test_it_stores_pinyin_initials_and_pinyin(personas):
    version = make_item(personas.department, [personas.hall], name="机动车注册登记")
    assert version.pinyin_initials == "JDCZCDJ"
    assert version.pinyin == "jidongchezhucedengji"


def test_it_refuses_a_promised_limit_above_the_legal_limit(personas):
    with pytest.raises(ValidationError) as exc:
        make_item(personas.department, [personas.hall], legal=5, promised=6)
    assert "promised_limit_days" in errors_of(exc)
    assert not ServiceItem.objects.exists()


def test_it_refuses_an_immediate_item_with_a_promised_limit(personas):
    with pytest.raises(ValidationError) as exc:
        make_item(personas.department, [personas.hall], immediate=True, promised=3)
    assert "promised_limit_days" in errors_of(exc)


def test_it_refuses_an_immediate_item_whose_steps_take_days(personas):
    steps = [{"name": "审核", "role": "reviewer", "limit_days": 2}]
    with pytest.raises(ValidationError) as exc:
        make_item(personas.department, [personas.hall], immediate=True, steps=steps)
    assert "审核" in errors_of(exc)["steps"][0]
    assert not ServiceItem.objects.exists()


def test_it_refuses_steps_that_take_longer_than_the_promised_limit(personas):
    steps = [
        {"name": "受理", "role": "handler", "limit_days": 3},
        {"name": "审批", "role": "approver", "limit_days": 3},
    ]
    with pytest.raises(ValidationError) as exc:
        make_item(personas.department, [personas.hall], promised=5, steps=steps)
    assert "steps" in errors_of(exc)


def test_it_refuses_a_promised_item_with_no_promised_days(personas):
    with pytest.raises(ValidationError) as exc:
        make_item(personas.department, [personas.hall], promised=0, steps=[])
    assert "promised_limit_days" in errors_of(exc)


def test_it_refuses_an_item_without_legal_basis(personas):
    with pytest.raises(ValidationError) as exc:
        make_item(personas.department, [personas.hall], legal_basis="   ")
    assert "legal_basis" in errors_of(exc)
    assert not AuditEntry.objects.filter(action__startswith="catalogue.").exists()


def test_it_refuses_a_fee_without_basis(personas):
    content = make_content([personas.hall])
    content.fees[0]["basis"] = ""
    with pytest.raises(ValidationError) as exc:
        services.create_item(
            actor=None,
            implementation_code="X1",
            catalogue_code="000000000001",
            department=personas.department,
            content=content,
        )
    assert "fees" in errors_of(exc)


def test_it_refuses_an_item_without_halls(personas):
    with pytest.raises(ValidationError) as exc:
        services.create_item(
            actor=None,
            implementation_code="X1",
            catalogue_code="000000000001",
            department=personas.department,
            content=make_content([]),
        )
    assert "halls" in errors_of(exc)


def test_it_refuses_a_bad_catalogue_code_and_a_duplicate_implementation_code(personas):
    make_item(personas.department, [personas.hall], code="DUP-1")
    with pytest.raises(ValidationError) as exc:
        make_item(personas.department, [personas.hall], code="DUP-1", catalogue_code="123")
    assert set(errors_of(exc)) >= {"implementation_code", "catalogue_code"}
    assert ServiceItem.objects.count() == 1


def test_it_refuses_a_hall_manager_assigning_another_hall(personas):
    with pytest.raises(ValidationError) as exc:
        make_item(personas.department, [personas.other_hall], actor=personas.manager)
    assert "halls" in errors_of(exc)


def test_it_lets_a_hall_manager_keep_a_hall_they_do_not_run(personas):
    version = make_item(personas.department, [personas.hall, personas.centre], actor=personas.admin)
    content = make_content([personas.hall, personas.centre], name="机动车注册登记（改）")
    saved = services.save_draft(actor=personas.manager, version=version, content=content)
    assert saved.name == "机动车注册登记（改）"
    with pytest.raises(ValidationError):
        services.save_draft(
            actor=personas.manager, version=version, content=make_content([personas.hall])
        )


def test_it_refuses_editors_without_the_permission(personas):
    with pytest.raises(PermissionDenied):
        make_item(personas.department, [personas.hall], actor=personas.clerk)


def test_it_saves_a_draft_replacing_its_parts(personas):
    version = make_item(personas.department, [personas.hall])
    content = make_content([personas.hall, personas.centre], name="机动车转移登记", fees=2)
    content.materials = content.materials[:1]
    services.save_draft(actor=personas.admin, version=version, content=content)
    version.refresh_from_db()
    assert version.name == "机动车转移登记"
    assert version.pinyin_initials == "JDCZYDJ"
    assert version.materials.count() == 1
    assert [f.position for f in version.fees.all()] == [1, 2]
    assert set(version.halls.all()) == {personas.hall, personas.centre}
    assert version.reviews.filter(
        stage="drafted", decision="save", reviewer=personas.admin
    ).exists()
    audit = AuditEntry.objects.get(action="catalogue.draft_saved")
    assert audit.before["name"] == "机动车注册登记"
    assert audit.after["name"] == "机动车转移登记"


def test_it_refuses_editing_a_version_in_review(personas):
    version = make_item(personas.department, [personas.hall])
    services.submit_for_review(actor=personas.manager, version=version)
    with pytest.raises(ValidationError):
        services.save_draft(
            actor=personas.manager, version=version, content=make_content([personas.hall])
        )


def test_it_moves_a_version_through_legal_and_fee_review_to_publication(personas):
    version = make_item(personas.department, [personas.hall], fees=1)
    services.submit_for_review(actor=personas.manager, version=version)
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW
    services.legal_review(actor=personas.legal, version=version, passed=True, opinion="依据充分")
    version.refresh_from_db()
    assert version.status == Status.FEE_REVIEW
    services.fee_review(actor=personas.fee, version=version, passed=True)
    version.refresh_from_db()
    assert version.status == Status.APPROVED
    services.publish(actor=personas.admin, version=version)
    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    assert version.published_at is not None
    assert version.item.published_version == version
    steps = [(r.stage, r.decision, r.reviewer) for r in version.reviews.order_by("at", "id")]
    assert steps == [
        ("drafted", "create", None),
        ("submitted", "submit", personas.manager),
        ("legal", "pass", personas.legal),
        ("fee", "pass", personas.fee),
        ("published", "publish", personas.admin),
    ]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "catalogue.item_created",
        "catalogue.submitted",
        "catalogue.legal_passed",
        "catalogue.fee_passed",
        "catalogue.published",
    ]


def test_it_skips_fee_review_for_a_version_without_fees(personas):
    version = make_item(personas.department, [personas.hall], fees=0)
    services.submit_for_review(actor=personas.manager, version=version)
    services.legal_review(actor=personas.legal, version=version, passed=True)
    version.refresh_from_db()
    assert version.status == Status.APPROVED
    with pytest.raises(ValidationError) as exc:
        services.fee_review(actor=personas.fee, version=version, passed=True)
    assert exc.value.code == "no_fees"


def test_it_returns_a_version_with_an_opinion_and_accepts_it_again(personas):
    version = make_item(personas.department, [personas.hall])
    services.submit_for_review(actor=personas.manager, version=version)
    services.legal_review(
        actor=personas.legal, version=version, passed=False, opinion="设定依据条款不准确"
    )
    version.refresh_from_db()
    assert version.status == Status.RETURNED
    record = version.reviews.get(stage="legal")
    assert (record.decision, record.opinion, record.reviewer) == (
        "return",
        "设定依据条款不准确",
        personas.legal,
    )
    assert (
        AuditEntry.objects.get(action="catalogue.legal_returned").after["opinion"]
        == "设定依据条款不准确"
    )
    services.save_draft(
        actor=personas.manager, version=version, content=make_content([personas.hall])
    )
    services.submit_for_review(actor=personas.manager, version=version)
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW


def test_it_refuses_a_return_without_opinion(personas):
    version = make_item(personas.department, [personas.hall])
    services.submit_for_review(actor=personas.manager, version=version)
    with pytest.raises(ValidationError) as exc:
        services.legal_review(actor=personas.legal, version=version, passed=False, opinion=" ")
    assert "opinion" in errors_of(exc)
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW


def test_it_lets_the_fee_reviewer_return_a_version(personas):
    version = make_item(personas.department, [personas.hall], fees=2)
    services.submit_for_review(actor=personas.manager, version=version)
    services.legal_review(actor=personas.legal, version=version, passed=True)
    services.fee_review(actor=personas.fee, version=version, passed=False, opinion="收费标准已调整")
    version.refresh_from_db()
    assert version.status == Status.RETURNED
    assert AuditEntry.objects.filter(action="catalogue.fee_returned").count() == 1


def test_it_refuses_reviews_by_the_wrong_role(personas):
    version = make_item(personas.department, [personas.hall])
    services.submit_for_review(actor=personas.manager, version=version)
    with pytest.raises(PermissionDenied):
        services.legal_review(actor=personas.fee, version=version, passed=True)
    with pytest.raises(PermissionDenied):
        services.legal_review(actor=personas.manager, version=version, passed=True)
    services.legal_review(actor=personas.legal, version=version, passed=True)
    with pytest.raises(PermissionDenied):
        services.fee_review(actor=personas.legal, version=version, passed=True)


def test_it_refuses_a_review_out_of_turn(personas):
    version = make_item(personas.department, [personas.hall])
    with pytest.raises(ValidationError) as exc:
        services.legal_review(actor=personas.legal, version=version, passed=True)
    assert exc.value.code == "bad_transition"
    with pytest.raises(ValidationError):
        services.fee_review(actor=personas.fee, version=version, passed=True)


def test_it_refuses_publishing_without_legal_review(personas):
    version = make_item(personas.department, [personas.hall])
    for step in (None, "submit"):
        if step:
            services.submit_for_review(actor=personas.manager, version=version)
        with pytest.raises(ValidationError) as exc:
            services.publish(actor=personas.admin, version=version)
        assert exc.value.code == "no_legal_review"
        assert "legal review" in exc.value.messages[0] or "合法性审查" in exc.value.messages[0]
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW
    assert not AuditEntry.objects.filter(action="catalogue.published").exists()


def test_it_refuses_publishing_before_the_fees_are_verified(personas):
    version = make_item(personas.department, [personas.hall], fees=1)
    services.submit_for_review(actor=personas.manager, version=version)
    services.legal_review(actor=personas.legal, version=version, passed=True)
    with pytest.raises(ValidationError) as exc:
        services.publish(actor=personas.admin, version=version)
    assert exc.value.code == "no_fee_review"


def test_it_refuses_publishing_an_approved_version_whose_legal_pass_is_missing(personas):
    # Defence in depth: a status set by hand does not replace the legal office's decision.
    version = make_item(personas.department, [personas.hall], fees=0)
    services.submit_for_review(actor=personas.manager, version=version)
    ItemVersion.objects.filter(pk=version.pk).update(status=Status.APPROVED)
    with pytest.raises(ValidationError) as exc:
        services.publish(actor=personas.admin, version=version)
    assert exc.value.code == "no_legal_review"


def test_it_keeps_the_published_version_in_force_until_the_new_one_is_published(personas):
    v1 = make_published(personas.department, [personas.hall], name="婚姻登记")
    item = v1.item
    v2 = services.new_draft_from_published(actor=personas.manager, item=item)
    assert v2.number == 2
    assert v2.status == Status.DRAFT
    assert v2.name == v1.name
    assert v2.materials.count() == v1.materials.count()
    assert list(v2.steps.values_list("name", "limit_days")) == list(
        v1.steps.values_list("name", "limit_days")
    )
    assert list(v2.fees.values_list("name", "basis")) == list(v1.fees.values_list("name", "basis"))
    assert set(v2.halls.all()) == set(v1.halls.all())
    item.refresh_from_db()
    assert item.published_version == v1
    assert item.latest_version == v2
    assert ItemVersion.objects.published().get(item=item) == v1
    assert AuditEntry.objects.filter(action="catalogue.draft_created").count() == 1
    services.save_draft(
        actor=personas.manager, version=v2, content=make_content([personas.hall], name="结婚登记")
    )
    v1.refresh_from_db()
    assert v1.name == "婚姻登记"
    publish_item(v2)
    v1.refresh_from_db()
    item.refresh_from_db()
    assert v1.status == Status.SUPERSEDED
    assert item.published_version == v2
    assert v1.reviews.filter(decision=ReviewRecord.Decision.SUPERSEDE).exists()


def test_it_refuses_a_second_draft_while_one_is_open(personas):
    v1 = make_published(personas.department, [personas.hall])
    services.new_draft_from_published(actor=personas.manager, item=v1.item)
    with pytest.raises(ValidationError) as exc:
        services.new_draft_from_published(actor=personas.manager, item=v1.item)
    assert exc.value.code == "open_version"
    assert v1.item.versions.count() == 2


def test_it_refuses_a_new_draft_of_an_unpublished_item(personas):
    version = make_item(personas.department, [personas.hall])
    with pytest.raises(ValidationError) as exc:
        services.new_draft_from_published(actor=personas.manager, item=version.item)
    assert exc.value.code == "unpublished"


def test_it_refuses_publishing_twice(personas):
    version = make_published(personas.department, [personas.hall])
    with pytest.raises(ValidationError):
        services.publish(actor=personas.admin, version=version)


def test_the_database_keeps_one_version_in_force_per_item(personas):
    from django.db import IntegrityError, transaction

    v1 = make_published(personas.department, [personas.hall])
    v2 = services.new_draft_from_published(actor=None, item=v1.item)
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=v2.pk).update(status=Status.PUBLISHED)
