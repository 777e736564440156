"""Receiving, correcting, accepting and refusing at the window (the services)."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEntry
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CorrectionNotice

from .factories import (
    at,
    credit_code,
    make_accepted_case,
    make_case,
    make_item,
    material_id,
    required_ids,
    resident_id,
    with_wrong_check_char,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def receive(personas, item, **overrides):
    kwargs = dict(
        actor=personas.clerk,
        hall=personas.hall,
        item=item,
        applicant_kind="person",
        applicant_name="李四",
        applicant_id_number=resident_id(),
        contact_phone="13912345678",
        provided_material_ids=required_ids(item),
    )
    kwargs.update(overrides)
    return services.receive_case(**kwargs)


# ------------------------------------------------------------------ receive


def test_it_receives_a_case_with_its_checklist_and_number(personas, item, monday):
    case = receive(personas, item, window=personas.window)
    assert case.status == Case.Status.RECEIVED and case.version == 1
    assert case.number == "CG202603020001"
    assert len(case.query_code) == 8
    assert case.item_version == item.published_version and case.department == personas.department
    assert case.accepted_on is None and case.promised_due_date is None
    materials = {m.name: m.provided for m in case.materials.all()}
    assert materials["申请表"] is True and materials["委托书"] is False
    assert list(case.events.values_list("seq", "kind")) == [(1, "received")]
    entry = AuditEntry.objects.get(action="case.received")
    assert entry.object_id == str(case.pk) and entry.hall == personas.hall
    assert case.applicant_id_number not in str(
        entry.after
    )  # personal numbers masked in the audit log


def test_it_receives_an_organisation_with_its_credit_code(personas, item, monday):
    code = credit_code()
    case = receive(
        personas,
        item,
        applicant_kind="organisation",
        applicant_name="张家港某某汽车贸易有限公司",
        applicant_id_number=code.lower(),
    )
    assert case.applicant_id_number == code


def test_it_accepts_ids_typed_with_full_width_characters(personas, item, monday):
    number = resident_id()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert receive(personas, item, applicant_id_number=wide).applicant_id_number == number


@pytest.mark.parametrize(
    ("kind", "number", "fragment"),
    [
        ("person", with_wrong_check_char(resident_id()), "check character"),
        ("person", "32058219900307123", "18 characters"),
        ("person", "320582199013071234", "birth date"),
        ("organisation", with_wrong_check_char(credit_code()), "check character"),
        ("organisation", "91320582MA1XXXX0IO", "capital letters"),
        ("organisation", resident_id(), "check character"),
    ],
)
def test_it_refuses_a_bad_id_or_credit_code(personas, item, monday, kind, number, fragment):
    with pytest.raises(services.InvalidInput) as exc:
        receive(personas, item, applicant_kind=kind, applicant_id_number=number)
    assert exc.value.code == "invalid"
    assert fragment in exc.value.errors["applicant_id_number"]
    assert (
        not Case.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="case.").exists()
    )


def test_it_checks_phone_name_and_window(personas, item, monday):
    other_window = personas.other_hall.windows.get()
    with pytest.raises(services.InvalidInput) as exc:
        receive(personas, item, contact_phone="12345", applicant_name="  ", window=other_window)
    assert set(exc.value.errors) == {"contact_phone", "applicant_name", "window"}
    for phone, stored in [
        ("0512-58681234", "0512-58681234"),
        ("+86 139 1234 5678", "13912345678"),
        ("58681234", "58681234"),
    ]:
        assert receive(personas, item, contact_phone=phone).contact_phone == stored


def test_it_receives_only_published_items_of_the_hall(personas, item, monday):
    version = item.published_version
    elsewhere = make_item(personas.other_department, [personas.other_hall])
    with pytest.raises(services.InvalidInput) as exc:
        receive(personas, elsewhere)
    assert "not handled" in exc.value.errors["item"]
    version.status = version.Status.SUPERSEDED
    version.save()
    with pytest.raises(services.InvalidInput) as exc:
        receive(personas, item)
    assert "not published" in exc.value.errors["item"]


def test_it_refuses_materials_of_another_item(personas, item, monday):
    other = make_item(personas.department, [personas.hall])
    with pytest.raises(services.InvalidInput) as exc:
        receive(personas, item, provided_material_ids=required_ids(other))
    assert "provided_material_ids" in exc.value.errors


def test_it_lets_only_staff_of_the_hall_receive(personas, item, monday):
    for actor in (personas.outsider, personas.supervisor, personas.legal):
        with pytest.raises(services.NotPermitted):
            receive(personas, item, actor=actor)
    assert not Case.objects.exists()


# ------------------------------------------------------------------ accept


def test_it_accepts_and_starts_the_clock_and_the_first_step(personas, item, monday):
    case = make_case(personas, item)
    case = services.accept_case(actor=personas.clerk, case=case, expected_version=1)
    assert case.status == Case.Status.ACCEPTED and case.version == 2
    assert case.accepted_on == dt.date(2026, 3, 2)
    assert (case.promised_due_date, case.legal_due_date) == (
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 30),
    )
    assert not case.due_provisional
    step = case.current_step
    assert (step.position, step.role, step.assignee) == (1, "handler", personas.handler)
    assert step.due_date == dt.date(2026, 3, 5)  # the step's own 3 working days
    assert case.current_assignee == personas.handler
    assert list(case.events.values_list("seq", "kind")) == [
        (1, "received"),
        (2, "accepted"),
        (3, "step_assigned"),
    ]
    accepted = case.events.get(kind="accepted")
    assert (accepted.actor, accepted.hall, accepted.from_status, accepted.to_status) == (
        personas.clerk,
        personas.hall,
        "received",
        "accepted",
    )
    assert accepted.data["promised_due_date"] == "2026-03-16"
    assert AuditEntry.objects.filter(action="case.accepted", object_id=str(case.pk)).count() == 1


def test_it_marks_deadlines_running_into_an_unpublished_year_provisional(
    personas, item, time_machine
):
    time_machine.move_to(at("2026-12-21"), tick=False)
    case = make_accepted_case(personas, item)
    assert case.due_provisional and case.events.get(kind="accepted").data["provisional"] is True


def test_it_will_not_accept_with_required_materials_missing(personas, item, monday):
    case = make_case(personas, item, provided=[material_id(item, "申请表")])
    with pytest.raises(services.InvalidInput) as exc:
        services.accept_case(actor=personas.clerk, case=case)
    assert "居民身份证" in exc.value.errors["provided_material_ids"]
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED and case.version == 1 and case.events.count() == 1


def test_it_refuses_with_a_written_reason_only(personas, item, monday):
    case = make_case(personas, item)
    with pytest.raises(services.InvalidInput) as exc:
        services.refuse_case(actor=personas.clerk, case=case, reason="   ")
    assert "reason" in exc.value.errors
    case = services.refuse_case(actor=personas.clerk, case=case, reason="不属于本机关职权范围")
    assert case.status == Case.Status.REFUSED and case.refusal_reason == "不属于本机关职权范围"
    assert "行政复议" in case.remedies
    event = case.events.last()
    assert (event.kind, event.reason, event.from_status, event.to_status) == (
        "refused",
        "不属于本机关职权范围",
        "received",
        "refused",
    )
    with pytest.raises(services.TransitionNotAllowed):
        services.accept_case(actor=personas.clerk, case=case)


# ------------------------------------------------------------- accept with gaps


def test_it_accepts_with_gaps_for_materials_that_may_follow(personas, item, monday):
    insurance = material_id(item, "交通事故责任强制保险凭证")
    case = make_case(personas, item, provided=[i for i in required_ids(item) if i != insurance])
    case = services.accept_with_gaps(
        actor=personas.clerk,
        case=case,
        missing_material_ids=[insurance],
        gaps_due_date=dt.date(2026, 3, 9),
        promise="本人承诺3月9日前补交",
        expected_version=1,
    )
    assert case.status == Case.Status.ACCEPTED and case.gaps_due_date == dt.date(2026, 3, 9)
    assert case.materials.get(material_id=insurance).to_follow
    assert [e.kind for e in case.events.all()][1:3] == ["accepted_with_gaps", "accepted"]
    # It cannot be granted while the material is still to follow.
    case = _run_steps(personas, case)
    with pytest.raises(services.InvalidInput) as exc:
        services.conclude_case(
            actor=personas.clerk, case=case, result="granted", certificate_number="苏E12345"
        )
    assert "容缺" in exc.value.errors["result"]
    case = services.supply_correction(
        actor=personas.clerk, case=case, provided_material_ids=[insurance]
    )
    assert case.gaps_due_date is None and case.status == Case.Status.ACCEPTED
    assert case.events.last().kind == "gaps_supplied"
    assert (
        services.conclude_case(
            actor=personas.clerk, case=case, result="granted", certificate_number="苏E12345"
        ).status
        == "concluded"
    )


def test_it_keeps_gaps_to_minor_materials_with_a_promise_and_a_date(personas, item, monday):
    form_id = material_id(item, "申请表")
    insurance = material_id(item, "交通事故责任强制保险凭证")
    case = make_case(
        personas, item, provided=[i for i in required_ids(item) if i not in (form_id, insurance)]
    )
    with pytest.raises(services.InvalidInput) as exc:
        services.accept_with_gaps(
            actor=personas.clerk,
            case=case,
            missing_material_ids=[form_id],
            gaps_due_date=dt.date(2026, 3, 9),
            promise="x",
        )
    assert "may not follow later" in exc.value.errors["missing_material_ids"]
    with pytest.raises(services.InvalidInput) as exc:
        services.accept_with_gaps(
            actor=personas.clerk,
            case=case,
            missing_material_ids=[insurance],
            gaps_due_date=dt.date(2026, 3, 9),
            promise="x",
        )
    assert "申请表" in exc.value.errors["missing_material_ids"]
    with pytest.raises(services.InvalidInput) as exc:
        services.accept_with_gaps(
            actor=personas.clerk,
            case=case,
            missing_material_ids=[insurance],
            gaps_due_date=dt.date(2026, 2, 27),
            promise="",
        )
    assert {"gaps_due_date", "promise"} <= set(exc.value.errors)
    case.refresh_from_db()
    assert (
        case.status == Case.Status.RECEIVED and not case.materials.filter(to_follow=True).exists()
    )


# ------------------------------------------------------------------ corrections


def test_it_lists_everything_missing_on_the_first_notice(personas, item, monday):
    case = make_case(personas, item, provided=[material_id(item, "申请表")])
    case = services.issue_correction_notice(
        actor=personas.clerk, case=case, items=["申请表签名不全"], expected_version=1
    )
    assert case.status == Case.Status.CORRECTION
    notice = case.corrections.get()
    names = [i["name"] for i in notice.items]
    assert names[0] == "申请表签名不全"
    assert {"居民身份证", "机动车登记证书", "交通事故责任强制保险凭证"} <= set(
        names
    )  # added: everything missing
    assert "委托书" not in names  # optional
    assert [i["key"] for i in notice.items] == [f"1.{n}" for n in range(1, len(names) + 1)]
    assert notice.due_by == dt.date(2026, 3, 9) and not notice.late
    event = case.events.last()
    assert event.kind == "correction_issued" and event.data["round"] == 1


def test_it_allows_a_later_notice_only_for_what_is_still_missing_or_derived(personas, item, monday):
    case = make_case(personas, item, provided=[material_id(item, "申请表")])
    case = services.issue_correction_notice(
        actor=personas.clerk, case=case, items=[{"name": "申请表签名不全"}]
    )
    first = {i["name"]: i for i in case.corrections.get().items}
    provided = [i for i in required_ids(item) if i != material_id(item, "机动车登记证书")]
    case = services.supply_correction(
        actor=personas.clerk,
        case=case,
        provided_material_ids=provided,
        expected_version=case.version,
    )
    assert case.status == Case.Status.RECEIVED
    assert case.corrections.get().supplied_at is not None
    # Something that was there to check the first time cannot be added now.
    with pytest.raises(services.InvalidInput) as exc:
        services.issue_correction_notice(actor=personas.clerk, case=case, items=["委托书日期有误"])
    assert "earlier notice" in exc.value.errors["items"]
    with pytest.raises(services.InvalidInput):
        services.issue_correction_notice(
            actor=personas.clerk, case=case, items=[material_id(item, "委托书")]
        )
    assert case.corrections.count() == 1
    # Still missing from round 1 (added by itself), and a problem derived from a round 1 item.
    case = services.issue_correction_notice(
        actor=personas.clerk,
        case=case,
        items=[
            {
                "derived_from": first["居民身份证"]["key"],
                "name": "身份证复印件不清晰",
                "note": "请重新复印",
            }
        ],
    )
    second = case.corrections.get(round=2)
    by_name = {i["name"]: i for i in second.items}
    assert set(by_name) == {"身份证复印件不清晰", "机动车登记证书"}
    assert by_name["身份证复印件不清晰"]["derived_from"] == first["居民身份证"]["key"]
    assert by_name["机动车登记证书"]["derived_from"] == first["机动车登记证书"]["key"]


def test_it_counts_a_late_notice_as_acceptance_on_receipt(personas, item, monday):
    case = make_case(personas, item, provided=[material_id(item, "申请表")])
    monday.move_to(at("2026-03-10"))  # 6 working days after receipt: too late
    case = services.issue_correction_notice(actor=personas.clerk, case=case, items=[])
    notice = case.corrections.get()
    assert notice.late and notice.due_by == dt.date(2026, 3, 9)
    monday.move_to(at("2026-03-12"))
    case = services.supply_correction(
        actor=personas.clerk, case=case, provided_material_ids=required_ids(item)
    )
    case = services.accept_case(actor=personas.clerk, case=case)
    assert case.accepted_on == dt.date(2026, 3, 2)  # 行政许可法 第三十二条: accepted on receipt
    assert case.promised_due_date == dt.date(2026, 3, 16)
    assert case.events.get(kind="accepted").data["deemed_on_receipt"] is True


def test_it_counts_an_acceptance_after_5_working_days_from_receipt(personas, item, monday):
    """Received 03-02, no notice, accepted 03-23: the clock runs from 03-02 (due 03-16,
    not 04-07), with the reason kept on the event."""
    case = make_case(personas, item)
    monday.move_to(at("2026-03-23"))
    case = services.accept_case(actor=personas.clerk, case=case)
    assert (case.accepted_on, case.acceptance_deemed) == (dt.date(2026, 3, 2), True)
    assert case.promised_due_date == dt.date(2026, 3, 16)
    event = case.events.get(kind="accepted")
    assert event.data["deemed_on_receipt"] is True and "第三十二条" in event.reason


def test_it_accepts_on_the_day_when_decided_within_5_working_days(personas, item, monday):
    case = make_case(personas, item)
    monday.move_to(at("2026-03-09"))  # the 5th working day after receipt
    case = services.accept_case(actor=personas.clerk, case=case)
    assert (case.accepted_on, case.acceptance_deemed) == (dt.date(2026, 3, 9), False)
    assert case.events.get(kind="accepted").reason == ""


def test_it_counts_a_second_period_from_the_return_of_the_papers(personas, item, monday):
    """A notice in time; papers back 03-04; accepted after 5 more working days: deemed
    accepted on the day the papers came back."""
    case = make_case(personas, item, provided=[material_id(item, "申请表")])
    case = services.issue_correction_notice(actor=personas.clerk, case=case, items=[])
    monday.move_to(at("2026-03-04"))
    case = services.supply_correction(
        actor=personas.clerk, case=case, provided_material_ids=required_ids(item)
    )
    monday.move_to(at("2026-03-11"))  # the 5th working day after 03-04
    assert services.accept_case(actor=personas.clerk, case=case).accepted_on == dt.date(2026, 3, 11)
    other = make_case(personas, item, provided=[material_id(item, "申请表")])
    other = services.issue_correction_notice(actor=personas.clerk, case=other, items=[])
    other = services.supply_correction(
        actor=personas.clerk, case=other, provided_material_ids=required_ids(item)
    )
    monday.move_to(at("2026-03-19"))  # 6 working days after the papers came back (03-11)
    other = services.accept_case(actor=personas.clerk, case=other)
    assert (other.accepted_on, other.acceptance_deemed) == (dt.date(2026, 3, 11), True)


def test_it_keeps_the_time_of_a_refusal(personas, item, monday):
    case = services.refuse_case(actor=personas.clerk, case=make_case(personas, item), reason="x")
    assert case.refused_at == services.common.now()


def test_it_refuses_a_notice_without_items_and_bad_materials(personas, item, monday):
    case = make_case(personas, item)
    with pytest.raises(services.InvalidInput) as exc:
        services.issue_correction_notice(actor=personas.clerk, case=case, items=[])
    assert "at least one" in exc.value.errors["items"]
    with pytest.raises(services.InvalidInput):
        services.issue_correction_notice(actor=personas.clerk, case=case, items=[999999])
    assert not CorrectionNotice.objects.exists()


def test_it_can_refuse_while_waiting_for_a_correction(personas, item, monday):
    case = make_case(personas, item, provided=[])
    case = services.issue_correction_notice(actor=personas.clerk, case=case, items=[])
    with pytest.raises(services.TransitionNotAllowed):
        services.accept_case(actor=personas.clerk, case=case)
    case = services.refuse_case(actor=personas.clerk, case=case, reason="逾期未补正")
    assert case.status == Case.Status.REFUSED


# ----------------------------------------------------------- immediate items


def test_it_handles_an_immediate_item_in_one_visit(personas, immediate_item, monday):
    case = make_case(personas, immediate_item)
    case = services.handle_immediately(
        actor=personas.clerk,
        case=case,
        certificate_number="补字001",
        fee_charged="10",
        expected_version=1,
    )
    assert case.status == Case.Status.CONCLUDED and case.result == Case.Result.GRANTED
    assert case.accepted_on == case.promised_due_date == case.legal_due_date == dt.date(2026, 3, 2)
    assert (case.outcome_promised, case.outcome_legal) == ("on_time", "on_time")
    assert case.minutes_used == 0 and case.working_days_used == 0
    assert case.steps.count() == 0 and case.current_assignee == personas.clerk
    assert [e.kind for e in case.events.all()] == [
        "received",
        "accepted",
        "concluded",
        "fee_charged",
    ]
    fee = immediate_item.published_version.fees.get()
    assert case.events.last().data == {
        "charged": "10.00",
        "standard": "10.00",
        "lines": [
            {
                "fee": fee.pk,
                "name": fee.name,
                "waived": False,
                "reduced": False,
                "extra_copies": 0,
                "due": "10.00",
            }
        ],
    }
    assert [(line.fee, line.due) for line in case.fee_lines.all()] == [(fee, fee.amount)]
    assert AuditEntry.objects.filter(action="case.handled_immediately").count() == 1


def test_it_handles_only_immediate_items_at_once(personas, item, immediate_item, monday):
    with pytest.raises(services.TransitionNotAllowed):
        services.handle_immediately(
            actor=personas.clerk, case=make_case(personas, item), certificate_number="x"
        )
    case = make_case(personas, immediate_item)
    with pytest.raises(services.InvalidInput) as exc:
        services.handle_immediately(actor=personas.clerk, case=case)
    assert "certificate number" in exc.value.errors["certificate_number"]
    case.refresh_from_db()
    assert case.status == "received" and case.accepted_on is None and case.events.count() == 1


def test_it_measures_an_immediate_case_in_minutes(personas, immediate_item, monday):
    case = make_accepted_case(personas, immediate_item)
    monday.move_to(at("2026-03-02", 10, 25))
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="补字002"
    )
    assert case.minutes_used == 25


def _run_steps(personas, case):
    from .factories import run_steps

    return run_steps(personas, case)


def test_it_attaches_scans_with_an_event_but_no_new_version(personas, item, monday):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case(personas, item)
    scan = services.attach_scan(
        actor=personas.clerk,
        case=case,
        upload=SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png"),
        material_id=material_id(item, "居民身份证"),
    )
    case.refresh_from_db()
    assert case.version == 1 and scan.case_material.name == "居民身份证" and scan.size == 28
    assert case.events.last().kind == CaseEvent.Kind.ATTACHED
    assert CaseMaterial.objects.filter(case=case).count() == 5


def test_it_records_only_materials_that_were_to_follow(personas, item, monday):
    insurance = material_id(item, "交通事故责任强制保险凭证")
    case = make_accepted_case(personas, item)
    with pytest.raises(services.TransitionNotAllowed):
        services.supply_correction(
            actor=personas.clerk, case=case, provided_material_ids=[insurance]
        )
    case = make_case(personas, item, provided=[i for i in required_ids(item) if i != insurance])
    case = services.accept_with_gaps(
        actor=personas.clerk,
        case=case,
        missing_material_ids=[insurance],
        gaps_due_date=dt.date(2026, 3, 9),
        promise="补交",
    )
    with pytest.raises(services.InvalidInput) as exc:
        services.supply_correction(actor=personas.clerk, case=case, provided_material_ids=[])
    assert "Tick" in exc.value.errors["provided_material_ids"]
    with pytest.raises(services.InvalidInput) as exc:
        services.supply_correction(
            actor=personas.clerk, case=case, provided_material_ids=[material_id(item, "委托书")]
        )
    assert "were to follow" in exc.value.errors["provided_material_ids"]
    with pytest.raises(services.InvalidInput):
        services.supply_correction(actor=personas.clerk, case=case, provided_material_ids=["abc"])
    case.refresh_from_db()
    assert (
        case.gaps_due_date == dt.date(2026, 3, 9)
        and case.materials.get(material_id=insurance).to_follow
    )


def test_it_refuses_a_receipt_time_in_the_future_and_an_unknown_kind(personas, item, monday):
    with pytest.raises(services.InvalidInput) as exc:
        receive(personas, item, received_at=at("2026-03-03"), applicant_kind="robot")
    assert {"received_at", "applicant_kind"} <= set(exc.value.errors)
    earlier = receive(personas, item, received_at=at("2026-02-27", 16))
    assert earlier.number == "CG202602270001" and earlier.events.get().at == at("2026-02-27", 16)


def test_it_attaches_scans_only_to_the_cases_materials(personas, item, monday):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case(personas, item)
    with pytest.raises(services.InvalidInput):
        services.attach_scan(
            actor=personas.clerk,
            case=case,
            upload=SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n0"),
            material_id=987654,
        )
    with pytest.raises(services.NotPermitted):
        services.attach_scan(
            actor=personas.outsider,
            case=case,
            upload=SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n0"),
        )
    assert not case.attachments.exists()


def test_it_checks_scans_by_size_name_and_content(settings):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from onewindow.cases.uploads import validate_scan

    settings.UPLOAD_MAX_BYTES = 64
    assert (
        validate_scan(SimpleUploadedFile("scan.JPEG", b"\xff\xd8\xff\xe0" + b"0" * 10))
        == "image/jpeg"
    )
    for upload, code in [
        (SimpleUploadedFile("empty.pdf", b""), "empty"),
        (SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100), "too_large"),
        (SimpleUploadedFile("scan.gif", b"GIF89a"), "type"),
        (SimpleUploadedFile("noext", b"%PDF-1.4"), "type"),
        (SimpleUploadedFile("scan.pdf", b"MZ\x90\x00"), "content"),
    ]:
        with pytest.raises(ValidationError) as exc:
            validate_scan(upload)
        assert exc.value.code == code
