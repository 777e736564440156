"""The actions called directly: who may do what, the transitions, what is written."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

from onewindow.audit.models import AuditEntry
from onewindow.supervision import services
from onewindow.supervision.defaults import DEFAULT_RULES, seed_rules_after_migrate
from onewindow.supervision.models import Alert, AlertEvent, Level, Rule
from onewindow.supervision.services.scan import scan

from .factories import make_alert, make_case, make_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(personas):
    return make_alert(personas, responsible=personas.handler)


def test_it_walks_an_alert_through_its_life_cycle(personas, alert):
    services.explain_alert(actor=personas.handler, alert=alert, note="  材料补交延误  ")
    alert = services.uphold_alert(actor=personas.supervisor, alert=alert, note="延误无正当理由")
    assert alert.status == Alert.Status.UPHELD
    assert alert.answer_note == "材料补交延误"  # trimmed
    assert alert.decided_by == personas.supervisor and alert.decision_note == "延误无正当理由"
    events = list(alert.events.values_list("kind", "from_status", "to_status"))
    assert events == [
        ("raised", "", "raised"),
        ("explained", "raised", "explained"),
        ("upheld", "explained", "upheld"),
    ]
    actions = AuditEntry.objects.filter(action__startswith="alert.").order_by("seq")
    assert list(actions.values_list("action", flat=True)) == [
        "alert.explained",
        "alert.upheld",
    ]


def test_it_lets_the_office_decide_an_alert_nobody_answered(personas, alert):
    services.close_alert(actor=personas.supervisor, alert=alert, note="误报：系统时钟错误")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED and alert.answered_at is None


def test_it_refuses_a_second_answer_and_a_second_decision(personas, alert):
    services.correct_alert(actor=personas.manager, alert=alert, note="已整改")
    with pytest.raises(services.WrongState):
        services.explain_alert(actor=personas.handler, alert=alert, note="再说明")
    services.close_alert(actor=personas.supervisor, alert=alert, note="关闭")
    with pytest.raises(services.WrongState) as exc:
        services.uphold_alert(actor=personas.supervisor, alert=alert, note="又认定")
    assert exc.value.status == 409
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED
    assert alert.events.count() == 3


@pytest.mark.parametrize("who", ["clerk", "reviewer", "outsider", "supervisor", "admin"])
def test_it_lets_only_the_responsible_person_or_the_hall_manager_answer(personas, alert, who):
    with pytest.raises(services.NotAllowed) as exc:
        services.explain_alert(actor=getattr(personas, who), alert=alert, note="说明")
    assert exc.value.status == 403
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED


@pytest.mark.parametrize("who", ["handler", "manager", "admin", "clerk"])
def test_it_lets_only_the_supervision_office_decide(personas, alert, who):
    for action in (services.close_alert, services.uphold_alert):
        with pytest.raises(services.NotAllowed):
            action(actor=getattr(personas, who), alert=alert, note="决定")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED
    assert not AuditEntry.objects.filter(action__startswith="alert.").exists()


@pytest.mark.parametrize("note", ["", "   ", "\n"])
def test_it_requires_a_note_for_every_action(personas, alert, note):
    with pytest.raises(services.NoteRequired):
        services.explain_alert(actor=personas.handler, alert=alert, note=note)
    with pytest.raises(services.NoteRequired) as exc:
        services.close_alert(actor=personas.supervisor, alert=alert, note=note)
    assert exc.value.status == 400
    assert AlertEvent.objects.filter(alert=alert).count() == 1


def test_it_tells_who_may_see_the_desk(personas):
    allowed = {
        p
        for p in ("supervisor", "admin", "manager")
        if services.can_view_desk(getattr(personas, p))
    }
    assert allowed == {"supervisor", "admin", "manager"}
    for who in ("clerk", "handler", "reviewer", "approver", "legal", "fee", "outsider"):
        assert not services.can_view_desk(getattr(personas, who))


def test_it_updates_a_rule_and_audits_it(personas):
    rule = Rule.objects.get(code="case_overdue")
    services.update_rule(
        actor=personas.supervisor, rule=rule, enabled=False, level=Level.FLAG, threshold=3
    )
    rule.refresh_from_db()
    assert (rule.enabled, rule.level, rule.threshold) == (False, Level.FLAG, 3)
    assert AuditEntry.objects.get(action="supervision_rule.updated").after["threshold"] == 3


@pytest.mark.parametrize(
    ("level", "threshold"), [("purple", 1), ("red", -1), ("red", None), ("red", 366)]
)
def test_it_refuses_a_bad_rule_and_changes_nothing(personas, level, threshold):
    rule = Rule.objects.get(code="case_overdue")
    with pytest.raises(ValidationError):
        services.update_rule(
            actor=personas.supervisor, rule=rule, enabled=True, level=level, threshold=threshold
        )
    rule.refresh_from_db()
    assert (rule.level, rule.threshold) == (Level.YELLOW, 0)


def test_it_refuses_rule_changes_from_others(personas):
    rule = Rule.objects.get(code="case_overdue")
    with pytest.raises(services.NotAllowed):
        services.update_rule(
            actor=personas.manager, rule=rule, enabled=False, level="red", threshold=0
        )
    assert Rule.objects.get(code="case_overdue").enabled


def test_it_keeps_rules_without_a_threshold_without_one(personas):
    rule = Rule.objects.get(code="extension_without_approver")
    services.update_rule(
        actor=personas.supervisor, rule=rule, enabled=True, level="yellow", threshold=9
    )
    assert Rule.objects.get(code="extension_without_approver").threshold is None


def test_it_tops_up_missing_default_rules_after_migrate_and_keeps_edited_ones():
    Rule.objects.filter(code="fee_mismatch").delete()
    Rule.objects.filter(code="case_overdue").update(threshold=4)
    seed_rules_after_migrate(sender=None, apps=apps, using="default")
    own = [code for code, *_rest in DEFAULT_RULES]  # other apps add rules of their own
    assert Rule.objects.filter(code__in=own).count() == len(DEFAULT_RULES)
    assert Rule.objects.get(code="case_overdue").threshold == 4
    Rule.objects.filter(code="fee_mismatch").delete()
    seed_rules_after_migrate(sender=None, using="default")  # as `flush` sends it: no state
    assert Rule.objects.filter(code="fee_mismatch").exists()


def test_it_gives_sqlite_its_planner_statistics(personas, version):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its own statistics")
    make_step(make_case(personas, version), assignee=personas.handler)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    scan(full=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        tables = {row[0] for row in cursor.fetchall()}
    assert {"cases_case", "cases_casestep"} <= tables


def test_it_lists_the_cards_of_a_case_newest_first(personas, alert):
    second = make_alert(personas, alert.case, code="legal_overdue")
    assert services.cards_for_case(alert.case) == [second, alert]


def test_the_warning_migration_moves_the_shipped_rules_and_leaves_edited_ones():
    from importlib import import_module

    migration = import_module("onewindow.supervision.migrations.0003_warning_level")
    as_first_shipped = {
        "step_due_soon": (Level.YELLOW, 1),
        "case_due_soon": (Level.YELLOW, 1),
        "case_overdue": (Level.RED, 0),
        "legal_overdue": (Level.FLAG, 0),
    }
    for code, (level, threshold) in as_first_shipped.items():
        Rule.objects.filter(code=code).update(level=level, threshold=threshold)
    # Edited by the office: a longer warning time, a grace before the card; switched off
    # (enabled is not a level: the rule still moves).
    Rule.objects.filter(code="case_due_soon").update(threshold=2)
    Rule.objects.filter(code="case_overdue").update(threshold=3)
    Rule.objects.filter(code="step_due_soon").update(enabled=False)

    def levels():
        return {r.code: (r.level, r.threshold) for r in Rule.objects.all()}

    before = levels()
    migration.warnings_first(apps, None)
    after = levels()
    assert after["step_due_soon"] == (Level.WARNING, 0)
    assert after["legal_overdue"] == (Level.RED, 0)
    assert after["case_due_soon"] == (Level.YELLOW, 2)  # edited: left alone
    assert after["case_overdue"] == (Level.RED, 3)  # edited: left alone
    assert not Rule.objects.get(code="step_due_soon").enabled
    unchanged = set(before) - {"step_due_soon", "legal_overdue"}
    assert {code: after[code] for code in unchanged} == {code: before[code] for code in unchanged}
    migration.warnings_first(apps, None)  # once more: nothing moves again
    assert levels() == after


def test_the_warning_migration_gives_the_shipped_rules_the_new_defaults():
    from importlib import import_module

    migration = import_module("onewindow.supervision.migrations.0003_warning_level")
    shipped = {code: (level, threshold) for code, _n, _e, level, threshold, _p in DEFAULT_RULES}
    for code, (_old_level, _old_threshold, level, threshold) in migration.MOVED.items():
        assert shipped[code] == (level, threshold)
    for code, (old_level, old_threshold, _level, _threshold) in migration.MOVED.items():
        Rule.objects.filter(code=code).update(level=old_level, threshold=old_threshold)
    migration.warnings_first(apps, None)
    assert {
        r.code: (r.level, r.threshold) for r in Rule.objects.filter(code__in=shipped)
    } == shipped
