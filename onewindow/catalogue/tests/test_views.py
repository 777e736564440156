"""Staff pages: each with its happy path, anonymous, wrong role, other hall and audit row."""

import pytest
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.catalogue import services
from onewindow.catalogue.models import ItemVersion, ServiceItem

from .factories import editor_data, make_content, make_item, make_published

Status = ItemVersion.Status
pytestmark = pytest.mark.django_db


def detail_url(version):
    return reverse("catalogue:detail", args=[version.item.implementation_code])


def in_review(personas, **kwargs):
    version = make_item(personas.department, [personas.hall], **kwargs)
    services.submit_for_review(actor=personas.manager, version=version)
    version.refresh_from_db()
    return version


# ------------------------------------------------------------------------------- item list


def test_it_lists_the_newest_version_of_the_items_of_my_hall(client, personas):
    mine = make_published(personas.department, [personas.hall], name="机动车注册登记")
    services.new_draft_from_published(actor=personas.manager, item=mine.item)
    make_published(personas.other_department, [personas.other_hall], name="结婚登记")
    client.force_login(personas.clerk)
    response = client.get(reverse("catalogue:list"))
    assert response.status_code == 200
    page = list(response.context["page"])
    assert [v.name for v in page] == ["机动车注册登记"]
    assert page[0].number == 2
    assert "结婚登记" not in response.content.decode()


def test_it_lists_every_hall_to_the_centre(client, personas):
    make_published(personas.department, [personas.hall])
    make_published(personas.other_department, [personas.other_hall])
    client.force_login(personas.admin)
    response = client.get(reverse("catalogue:list"))
    assert response.context["page"].paginator.count == 2


def test_it_filters_the_list(client, personas):
    make_published(personas.department, [personas.hall], name="机动车注册登记", fees=1)
    make_published(personas.department, [personas.hall], name="驾驶证补领", immediate=True, fees=0)
    draft = make_item(personas.department, [personas.hall], name="机动车抵押登记")
    client.force_login(personas.admin)

    def names(**query):
        response = client.get(reverse("catalogue:list"), query)
        return sorted(v.name for v in response.context["page"])

    assert names(q="JDC") == ["机动车抵押登记", "机动车注册登记"]
    assert names(immediate="1") == ["驾驶证补领"]
    assert names(fees="1") == ["机动车抵押登记", "机动车注册登记"]
    assert names(status="draft") == [draft.name]
    assert names(hall="MZ") == []
    assert names(department="GA", fees="0") == ["驾驶证补领"]
    assert names(type="99") == sorted(["机动车注册登记", "驾驶证补领", "机动车抵押登记"])


def test_it_lists_with_a_fixed_number_of_queries(client, personas, django_assert_max_num_queries):
    for n in range(3):
        make_published(personas.department, [personas.hall], name=f"事项{n}")
    client.force_login(personas.admin)
    client.get(reverse("catalogue:list"))  # the first request reads the user's access (cached)
    with django_assert_max_num_queries(10):
        client.get(reverse("catalogue:list"))
    for n in range(10):
        make_published(personas.department, [personas.hall, personas.centre], name=f"更多事项{n}")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalogue:list"))
    assert response.context["page"].paginator.count == 13


def test_it_sends_anonymous_users_to_sign_in(client, personas):
    response = client.get(reverse("catalogue:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# ------------------------------------------------------------------------------ item detail


def test_it_shows_the_history_with_reviewer_opinion_and_time(client, personas):
    version = in_review(personas)
    services.legal_review(
        actor=personas.legal, version=version, passed=False, opinion="请补充设定依据条款"
    )
    client.force_login(personas.manager)
    response = client.get(detail_url(version))
    body = response.content.decode()
    assert response.status_code == 200
    assert "请补充设定依据条款" in body
    assert personas.legal.full_name in body
    record = version.reviews.get(stage="legal")
    from django.utils import timezone

    assert timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M") in body
    assert 'data-decision="return"' in body


def test_it_hides_another_halls_item(client, personas):
    version = make_item(personas.department, [personas.hall])
    client.force_login(personas.outsider)
    assert client.get(detail_url(version)).status_code == 404


def test_it_shows_any_item_to_the_legal_office(client, personas):
    version = make_item(personas.other_department, [personas.other_hall])
    client.force_login(personas.legal)
    assert client.get(detail_url(version)).status_code == 200


def test_it_shows_an_older_version_on_request(client, personas):
    v1 = make_published(personas.department, [personas.hall], name="旧名称")
    v2 = services.new_draft_from_published(actor=personas.manager, item=v1.item)
    services.save_draft(
        actor=personas.manager, version=v2, content=make_content([personas.hall], name="新名称")
    )
    client.force_login(personas.manager)
    assert client.get(detail_url(v1)).context["shown"] == v2
    assert client.get(detail_url(v1), {"v": "1"}).context["shown"] == v1


# ------------------------------------------------------------------------------ the editor


def test_it_creates_an_item_from_the_editor(client, personas):
    client.force_login(personas.manager)
    content = make_content([personas.hall], name="机动车变更登记")
    data = editor_data(
        content,
        item={
            "implementation_code": "320582-GA-900",
            "catalogue_code": "010010900000",
            "department": personas.department.pk,
        },
    )
    response = client.post(reverse("catalogue:create"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    item = ServiceItem.objects.get(implementation_code="320582-GA-900")
    version = item.latest_version
    assert version.name == "机动车变更登记"
    assert version.status == Status.DRAFT
    assert version.materials.count() == 2
    assert version.steps.count() == 3
    assert version.fees.count() == 1
    assert AuditEntry.objects.get(action="catalogue.item_created").actor == personas.manager


def test_it_creates_and_submits_in_one_go(client, personas):
    client.force_login(personas.manager)
    data = editor_data(
        make_content([personas.hall]),
        item={
            "implementation_code": "X-1",
            "catalogue_code": "010010900000",
            "department": personas.department.pk,
        },
        submit=True,
    )
    client.post(reverse("catalogue:create"), data)
    assert ServiceItem.objects.get().latest_version.status == Status.LEGAL_REVIEW


def test_it_shows_the_rules_in_the_editor_and_saves_nothing(client, personas):
    client.force_login(personas.manager)
    content = make_content(
        [personas.hall],
        immediate=True,
        steps=[{"name": "审核", "role": "reviewer", "limit_days": 3}],
    )
    content.fees[0]["basis"] = ""
    data = editor_data(
        content,
        item={
            "implementation_code": "X-1",
            "catalogue_code": "010010900000",
            "department": personas.department.pk,
        },
    )
    data["v-legal_limit_days"] = "5"
    data["v-promised_limit_days"] = "8"
    response = client.post(reverse("catalogue:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "promised_limit_days" in form.errors
    fee_form = response.context["formsets"]["fees"].forms[0]
    assert "basis" in fee_form.errors
    assert not ServiceItem.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_shows_the_step_rule_of_immediate_items(client, personas):
    client.force_login(personas.manager)
    content = make_content(
        [personas.hall],
        immediate=True,
        steps=[{"name": "审核", "role": "reviewer", "limit_days": 3}],
    )
    data = editor_data(
        content,
        item={
            "implementation_code": "X-1",
            "catalogue_code": "010010900000",
            "department": personas.department.pk,
        },
    )
    response = client.post(reverse("catalogue:create"), data)
    assert response.status_code == 200
    assert response.context["part_errors"]["steps"]
    assert "审核" in response.context["part_errors"]["steps"][0]
    assert not ServiceItem.objects.exists()


def test_it_refuses_the_editor_to_a_clerk_and_anonymous(client, personas):
    assert client.get(reverse("catalogue:create")).status_code == 302
    client.force_login(personas.clerk)
    assert client.get(reverse("catalogue:create")).status_code == 403


def test_it_edits_a_draft(client, personas):
    version = make_item(personas.department, [personas.hall], name="旧名称")
    client.force_login(personas.manager)
    url = reverse("catalogue:edit", args=[version.item.implementation_code])
    assert client.get(url).status_code == 200
    content = make_content([personas.hall], name="新名称", fees=2)
    response = client.post(url, editor_data(content, version=version))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.name == "新名称"
    assert version.fees.count() == 2
    assert (
        AuditEntry.objects.filter(action="catalogue.draft_saved", actor=personas.manager).count()
        == 1
    )


def test_it_keeps_another_hall_out_of_the_editor(client, personas):
    version = make_item(personas.other_department, [personas.other_hall])
    client.force_login(personas.manager)
    url = reverse("catalogue:edit", args=[version.item.implementation_code])
    assert client.get(url).status_code == 404


def test_it_refuses_a_hall_manager_assigning_another_hall_in_the_editor(client, personas):
    version = make_item(personas.department, [personas.hall])
    client.force_login(personas.manager)
    url = reverse("catalogue:edit", args=[version.item.implementation_code])
    response = client.post(
        url, editor_data(make_content([personas.hall, personas.other_hall]), version=version)
    )
    assert response.status_code == 200
    assert "halls" in response.context["form"].errors
    assert list(version.halls.all()) == [personas.hall]


def test_it_does_not_edit_a_version_in_review(client, personas):
    version = in_review(personas)
    client.force_login(personas.manager)
    response = client.get(reverse("catalogue:edit", args=[version.item.implementation_code]))
    assert response.status_code == 302


# ------------------------------------------------------------------- submit, publish, new draft


def test_it_submits_a_draft(client, personas):
    version = make_item(personas.department, [personas.hall])
    client.force_login(personas.manager)
    response = client.post(reverse("catalogue:submit", args=[version.item.implementation_code, 1]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW
    assert AuditEntry.objects.filter(action="catalogue.submitted", actor=personas.manager).exists()


def test_it_refuses_submit_by_get_wrong_role_and_other_hall(client, personas):
    version = make_item(personas.department, [personas.hall])
    url = reverse("catalogue:submit", args=[version.item.implementation_code, 1])
    client.force_login(personas.manager)
    assert client.get(url).status_code == 405
    client.force_login(personas.clerk)
    assert client.post(url).status_code == 403
    other = make_item(personas.other_department, [personas.other_hall])
    client.force_login(personas.manager)
    assert (
        client.post(
            reverse("catalogue:submit", args=[other.item.implementation_code, 1])
        ).status_code
        == 404
    )
    version.refresh_from_db()
    assert version.status == Status.DRAFT


def test_it_refuses_publishing_without_legal_review_with_a_message(client, personas):
    version = in_review(personas)
    client.force_login(personas.admin)
    response = client.post(
        reverse("catalogue:publish", args=[version.item.implementation_code, 1]), follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert "1" in messages[0]
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW


def test_it_publishes_an_approved_version(client, personas):
    version = in_review(personas, fees=0)
    services.legal_review(actor=personas.legal, version=version, passed=True)
    client.force_login(personas.admin)
    client.post(reverse("catalogue:publish", args=[version.item.implementation_code, 1]))
    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    assert AuditEntry.objects.filter(action="catalogue.published", actor=personas.admin).exists()


def test_it_starts_a_new_draft_of_a_published_item(client, personas):
    v1 = make_published(personas.department, [personas.hall])
    client.force_login(personas.manager)
    response = client.post(reverse("catalogue:new_draft", args=[v1.item.implementation_code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:edit", args=[v1.item.implementation_code])
    v1.item.refresh_from_db()
    assert v1.item.latest_version.number == 2
    assert v1.item.published_version == v1
    assert AuditEntry.objects.filter(
        action="catalogue.draft_created", actor=personas.manager
    ).exists()
    # A second click does not make a third version.
    client.post(reverse("catalogue:new_draft", args=[v1.item.implementation_code]))
    assert v1.item.versions.count() == 2


# --------------------------------------------------------------------------------- reviews


def test_it_lists_the_legal_queue_for_the_legal_office_only(client, personas):
    version = in_review(personas)
    url = reverse("catalogue:legal_queue")
    assert client.get(url).status_code == 302
    client.force_login(personas.manager)
    assert client.get(url).status_code == 403
    client.force_login(personas.fee)
    assert client.get(url).status_code == 403
    client.force_login(personas.legal)
    response = client.get(url)
    assert list(response.context["versions"]) == [version]


def test_it_lists_the_fee_queue_for_the_fee_reviewers_only(client, personas):
    version = in_review(personas, fees=1)
    services.legal_review(actor=personas.legal, version=version, passed=True)
    url = reverse("catalogue:fee_queue")
    client.force_login(personas.legal)
    assert client.get(url).status_code == 403
    client.force_login(personas.fee)
    assert list(client.get(url).context["versions"]) == [version]


def test_it_lists_approved_versions_for_the_editors(client, personas):
    version = in_review(personas, fees=0)
    services.legal_review(actor=personas.legal, version=version, passed=True)
    client.force_login(personas.clerk)
    assert client.get(reverse("catalogue:publish_queue")).status_code == 403
    client.force_login(personas.admin)
    assert list(client.get(reverse("catalogue:publish_queue")).context["versions"]) == [version]


def test_the_legal_office_passes_a_version(client, personas):
    version = in_review(personas, fees=1)
    client.force_login(personas.legal)
    url = reverse("catalogue:review", args=[version.item.implementation_code, 1])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "pass", "opinion": "依据充分"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.FEE_REVIEW
    audit = AuditEntry.objects.get(action="catalogue.legal_passed")
    assert audit.actor == personas.legal
    assert audit.hall == personas.hall


def test_the_legal_office_returns_a_version_only_with_an_opinion(client, personas):
    version = in_review(personas)
    client.force_login(personas.legal)
    url = reverse("catalogue:review", args=[version.item.implementation_code, 1])
    response = client.post(url, {"decision": "return", "opinion": ""})
    assert response.status_code == 200
    assert "opinion" in response.context["form"].errors
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW
    client.post(url, {"decision": "return", "opinion": "时限过长"})
    version.refresh_from_db()
    assert version.status == Status.RETURNED
    assert version.reviews.get(stage="legal").opinion == "时限过长"


def test_the_fee_reviewer_reviews_fees_but_not_the_legal_basis(client, personas):
    version = in_review(personas, fees=1)
    url = reverse("catalogue:review", args=[version.item.implementation_code, 1])
    client.force_login(personas.fee)
    assert client.get(url).status_code == 403
    services.legal_review(actor=personas.legal, version=version, passed=True)
    assert client.get(url).status_code == 200
    client.post(url, {"decision": "pass"})
    version.refresh_from_db()
    assert version.status == Status.APPROVED
    assert AuditEntry.objects.filter(action="catalogue.fee_passed", actor=personas.fee).exists()


def test_it_refuses_the_review_page_to_editors_and_anonymous(client, personas):
    version = in_review(personas)
    url = reverse("catalogue:review", args=[version.item.implementation_code, 1])
    assert client.get(url).status_code == 302
    client.force_login(personas.manager)
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "pass"}).status_code == 403
    version.refresh_from_db()
    assert version.status == Status.LEGAL_REVIEW


def test_it_404s_a_review_of_an_unknown_version(client, personas):
    version = in_review(personas)
    client.force_login(personas.legal)
    assert (
        client.get(
            reverse("catalogue:review", args=[version.item.implementation_code, 7])
        ).status_code
        == 404
    )


# ------------------------------------------------------------------------------ English


def test_every_staff_page_works_in_english(english, personas):
    version = in_review(personas, fees=1)
    english.force_login(personas.admin)
    code = version.item.implementation_code
    for url in [
        reverse("catalogue:list"),
        reverse("catalogue:create"),
        reverse("catalogue:detail", args=[code]),
        reverse("catalogue:statistics"),
        reverse("catalogue:exchange"),
        reverse("catalogue:publish_queue"),
    ]:
        response = english.get(url)
        assert response.status_code == 200, url
        assert 'lang="en"' in response.content.decode()
    english.force_login(personas.legal)
    response = english.get(reverse("catalogue:review", args=[code, 1]))
    assert "Legal review" in response.content.decode()


def test_the_admin_shows_the_catalogue_read_only(client, personas):
    from onewindow.accounts.models import User

    make_published(personas.department, [personas.hall])
    root = User.objects.create_superuser("root", password="x-Long-pass-1")
    client.force_login(root)
    assert client.get(reverse("admin:catalogue_itemversion_changelist")).status_code == 200
    assert client.get(reverse("admin:catalogue_itemversion_add")).status_code == 403


def test_it_refuses_publish_and_new_draft_to_clerks_and_other_halls(client, personas):
    approved = in_review(personas, fees=0)
    services.legal_review(actor=personas.legal, version=approved, passed=True)
    published = make_published(personas.department, [personas.hall], code="GA-P")
    code = approved.item.implementation_code
    client.force_login(personas.clerk)
    assert client.post(reverse("catalogue:publish", args=[code, 1])).status_code == 403
    assert client.post(reverse("catalogue:new_draft", args=["GA-P"])).status_code == 403
    client.force_login(personas.outsider)
    assert client.post(reverse("catalogue:publish", args=[code, 1])).status_code == 403
    other_manager = make_user_manager_of(personas.other_hall)
    client.force_login(other_manager)
    assert client.post(reverse("catalogue:publish", args=[code, 1])).status_code == 404
    assert client.post(reverse("catalogue:new_draft", args=["GA-P"])).status_code == 404
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert published.item.versions.count() == 1


def make_user_manager_of(hall):
    from onewindow.accounts.roles import Role
    from onewindow.factories import make_user

    return make_user("mz_manager", halls=[hall], roles=[Role.HALL_MANAGER])


def test_it_sends_anonymous_users_from_the_detail_to_sign_in(client, personas):
    version = make_item(personas.department, [personas.hall])
    response = client.get(detail_url(version))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_tells_a_reviewer_when_nothing_is_to_review(client, personas):
    version = make_published(personas.department, [personas.hall])
    client.force_login(personas.legal)
    response = client.get(reverse("catalogue:review", args=[version.item.implementation_code, 1]))
    assert response.status_code == 302
    assert response["Location"] == detail_url(version)


def test_the_detail_offers_the_actions_that_fit(client, personas):
    published = make_published(personas.department, [personas.hall])
    client.force_login(personas.manager)
    body = client.get(detail_url(published)).content.decode()
    assert 'id="new-draft"' in body and 'id="submit-version"' not in body
    services.new_draft_from_published(actor=personas.manager, item=published.item)
    body = client.get(detail_url(published)).content.decode()
    assert 'id="new-draft"' not in body
    assert 'id="edit-draft"' in body and 'id="submit-version"' in body
    client.force_login(personas.clerk)
    body = client.get(detail_url(published)).content.decode()
    assert 'id="edit-draft"' not in body and 'id="new-draft"' not in body
