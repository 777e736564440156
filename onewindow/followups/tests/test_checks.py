"""E-supervision of the follow-ups: an overdue call back or fix raises one card, in the
owner's inbox and on the desk; done, it raises none again."""

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse

from onewindow.followups import services
from onewindow.followups.checks import CHECKS
from onewindow.followups.defaults import RULES, seed_rules_after_migrate
from onewindow.supervision.models import Alert, Rule
from onewindow.supervision.services.checks import CHECKS as SUPERVISION_CHECKS
from onewindow.supervision.services.scan import scan

from .factories import at, make_rating

pytestmark = pytest.mark.django_db

CODES = [r[0] for r in RULES]


def test_the_rules_exist_and_the_scanner_knows_their_checks():
    assert set(Rule.objects.filter(code__in=CODES).values_list("code", flat=True)) == set(CODES)
    for code in CODES:
        assert SUPERVISION_CHECKS[code] is CHECKS[code]
        assert Rule.objects.get(code=code).spec is CHECKS[code]


def test_the_rules_come_back_after_a_flush_and_edited_ones_stay():
    Rule.objects.filter(code="followup_fix_overdue").delete()
    Rule.objects.filter(code="followup_callback_overdue").update(threshold=2)
    seed_rules_after_migrate(sender=None, apps=apps, using="default")
    assert Rule.objects.filter(code__in=CODES).count() == len(CODES)
    assert Rule.objects.get(code="followup_callback_overdue").threshold == 2


def test_a_late_call_back_gets_one_yellow_card_for_its_owner(clock, personas, item, client):
    fu = services.open_for(make_rating(personas, item))  # call back due Tuesday 3 March
    clock.move_to(at("2026-03-03", 23, 59))
    scan()
    assert not Alert.objects.filter(rule__code="followup_callback_overdue").exists()
    clock.move_to(at("2026-03-04", 0, 5))
    scan()
    alert = Alert.objects.get(rule__code="followup_callback_overdue")
    assert alert.level == "yellow" and alert.case == fu.case and alert.subject_id == fu.pk
    assert alert.responsible == personas.manager and alert.hall == personas.hall
    assert alert.due_date == dt.date(2026, 3, 3)
    assert f"#{fu.pk}" in alert.summary
    # In the owner's inbox and on the desk.
    client.force_login(personas.manager)
    assert alert.summary in client.get(reverse("supervision:inbox")).content.decode()
    client.force_login(personas.supervisor)
    desk = client.get(reverse("supervision:desk")).content.decode()
    assert str(alert.rule) in desk
    # Scanned again (full or not), and after the call back: no second card.
    scan(full=True)
    services.call_back(actor=personas.manager, followup=fu, note="已回访")
    clock.move_to(at("2026-03-05"))
    scan(full=True)
    assert Alert.objects.filter(rule__code="followup_callback_overdue").count() == 1


def test_a_call_back_in_time_raises_nothing(clock, personas, item):
    fu = services.open_for(make_rating(personas, item))
    services.call_back(actor=personas.manager, followup=fu, note="已回访")
    clock.move_to(at("2026-03-10"))
    scan()
    assert not Alert.objects.filter(rule__code__in=CODES).exists()


def test_a_late_fix_gets_a_yellow_then_a_red_card(clock, personas, item):
    fu = services.open_for(make_rating(personas, item))
    fu = services.call_back(actor=personas.manager, followup=fu, note="已回访")
    fu = services.reassign(actor=personas.manager, followup=fu, owner=personas.clerk)
    fu = services.fix_by(actor=personas.clerk, followup=fu, plan="整改", due=dt.date(2026, 3, 4))
    clock.move_to(at("2026-03-05"))
    scan()
    yellow = Alert.objects.get(rule__code="followup_fix_overdue")
    assert yellow.responsible == personas.clerk and yellow.due_date == dt.date(2026, 3, 4)
    assert not Alert.objects.filter(rule__code="followup_fix_long_overdue").exists()
    clock.move_to(at("2026-03-12"))  # 5 working days past the due date
    scan()
    red = Alert.objects.get(rule__code="followup_fix_long_overdue")
    assert red.level == "red"
    services.mark_fixed(actor=personas.clerk, followup=fu, note="已整改")
    clock.move_to(at("2026-03-20"))
    scan(full=True)
    assert Alert.objects.filter(rule__code__in=CODES).count() == 2


def test_a_disabled_rule_raises_nothing(clock, personas, item):
    Rule.objects.filter(code="followup_callback_overdue").update(enabled=False)
    services.open_for(make_rating(personas, item))
    clock.move_to(at("2026-03-06"))
    scan()
    assert not Alert.objects.filter(rule__code="followup_callback_overdue").exists()
