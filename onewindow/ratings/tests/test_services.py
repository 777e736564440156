"""Rating a service act: which events are acts, and every refusal of `rate`."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from onewindow.audit.models import AuditEntry
from onewindow.cases import services as case_services
from onewindow.cases.models import CaseEvent
from onewindow.ratings import services
from onewindow.ratings.models import Rating
from onewindow.ratings.signals import rating_recorded

from .factories import accepted, immediate_service

K = CaseEvent.Kind


def codes(exc) -> dict:
    return {field: [e.code for e in errs] for field, errs in exc.value.error_dict.items()}


def test_it_rates_an_immediate_service_once_with_who_served_and_where(
    personas, immediate_item, monday
):
    case, act = immediate_service(personas, immediate_item)
    rating = services.rate(event=act, level=5, channel="window")
    rating.refresh_from_db()
    assert rating.case == case and rating.event == act and rating.act == K.CONCLUDED
    assert rating.staff == personas.clerk and rating.window == personas.window
    assert rating.hall == personas.hall and rating.act_at == act.at
    entry = AuditEntry.objects.get(action="rating.recorded")
    assert entry.object_id == str(rating.pk) and entry.after["level"] == 5


def test_an_immediate_service_is_one_act_its_acceptance_is_not_rated_apart(
    personas, immediate_item, monday
):
    case, act = immediate_service(personas, immediate_item)
    acceptance = case.events.get(kind=K.ACCEPTED)
    assert list(services.unrated_acts(case)) == [act]
    assert not services.is_service_act(acceptance)
    assert acceptance not in services.service_acts()
    with pytest.raises(ValidationError) as exc:
        services.rate(event=acceptance, level=5, channel="window")
    assert codes(exc) == {"event": ["no_act"]}
    assert not Rating.objects.exists()


def test_a_promised_case_is_rated_at_acceptance_conclusion_and_delivery(personas, item, monday):
    from onewindow.cases.tests.factories import run_steps

    case, acceptance = accepted(personas, item)
    assert list(services.unrated_acts(case)) == [acceptance]
    services.rate(event=acceptance, level=4, channel="status")
    assert list(services.unrated_acts(case)) == []
    case = run_steps(personas, case)
    case = case_services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="苏E-1"
    )
    case = case_services.deliver_case(actor=personas.clerk, case=case, method="window")
    kinds = [e.kind for e in services.unrated_acts(case)]
    assert kinds == [K.CONCLUDED, K.DELIVERED]
    # Steps, assignments and the receipt are no service acts.
    received = case.events.get(kind=K.RECEIVED)
    with pytest.raises(ValidationError):
        services.rate(event=received, level=5, channel="status")


def test_it_refuses_a_second_rating_of_the_same_act(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    services.rate(event=act, level=5, channel="window")
    with pytest.raises(ValidationError) as exc:
        services.rate(event=act, level=1, channel="qr", reasons=["attitude"], comment="差")
    assert codes(exc) == {"event": ["already_rated"]}
    assert Rating.objects.get().level == 5
    assert AuditEntry.objects.filter(action="rating.recorded").count() == 1


@pytest.mark.parametrize("level", [0, 6, -1, "", "abc", None, "3.5"])
def test_it_refuses_a_level_outside_one_to_five(personas, immediate_item, monday, level):
    _case, act = immediate_service(personas, immediate_item)
    with pytest.raises(ValidationError) as exc:
        services.rate(event=act, level=level, channel="window")
    assert "level" in exc.value.error_dict
    assert not Rating.objects.exists()


def test_a_bad_rating_needs_a_reason_from_the_list_and_a_comment(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    with pytest.raises(ValidationError) as exc:
        services.rate(event=act, level=2, channel="window")
    assert set(exc.value.error_dict) == {"reasons", "comment"}
    with pytest.raises(ValidationError) as exc:
        services.rate(event=act, level=1, channel="window", reasons=["rude"], comment="x")
    assert set(exc.value.error_dict) == {"reasons"}
    with pytest.raises(ValidationError) as exc:
        services.rate(event=act, level=1, channel="window", reasons=["attitude"], comment="  ")
    assert set(exc.value.error_dict) == {"comment"}
    assert not Rating.objects.exists()
    rating = services.rate(
        event=act,
        level=1,
        channel="window",
        reasons=["attitude", "long_wait", "attitude"],
        comment="  等了一个小时  ",
    )
    assert rating.reasons == ["attitude", "long_wait"] and rating.comment == "等了一个小时"
    assert rating.is_bad


def test_a_good_rating_keeps_no_reasons(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    rating = services.rate(event=act, level=4, channel="window", reasons=["other"])
    assert rating.reasons == []


def test_it_finds_no_act_for_an_event_that_did_not_happen(personas, monday):
    for value in (999999, "abc", None, ""):
        with pytest.raises(ValidationError) as exc:
            services.find_act(value)
        assert codes(exc) == {"event": ["no_act"]}


def test_it_refuses_an_unknown_channel(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    with pytest.raises(ValidationError) as exc:
        services.rate(event=act, level=5, channel="phone")
    assert "channel" in exc.value.error_dict


def test_it_sends_rating_recorded_in_the_transaction(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)
    seen = []

    def receiver(sender, rating, request, **kwargs):
        seen.append((rating.pk, rating.is_bad, connection.in_atomic_block))

    rating_recorded.connect(receiver)
    try:
        rating = services.rate(
            event=act, level=2, channel="window", reasons=["slow"], comment="太慢"
        )
    finally:
        rating_recorded.disconnect(receiver)
    assert seen == [(rating.pk, True, True)]


def test_a_failing_receiver_leaves_no_rating(personas, immediate_item, monday):
    _case, act = immediate_service(personas, immediate_item)

    def receiver(sender, rating, **kwargs):
        raise RuntimeError("follow-up could not be opened")

    rating_recorded.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            services.rate(event=act, level=1, channel="qr", reasons=["other"], comment="差")
    finally:
        rating_recorded.disconnect(receiver)
    assert not Rating.objects.exists()
    assert not AuditEntry.objects.filter(action="rating.recorded").exists()
