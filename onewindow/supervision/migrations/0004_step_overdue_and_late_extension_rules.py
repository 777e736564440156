"""Add the rules `step_overdue` (a yellow card for a step past its own due date) and
`extension_after_legal_due` (a red card for an extension approved too late) to a database
seeded before they existed (docs/DOMAIN.md section 10).

A database migrated from scratch already has them (0002 seeds every default rule); here
each is created only where it is missing, listed after the rule it belongs with.
"""

from django.db import migrations

# code: the rule it is listed after
NEW = {"step_overdue": "case_overdue", "extension_after_legal_due": "extension_without_approver"}


def add_rules(apps, schema_editor):
    from onewindow.supervision.defaults import DEFAULT_RULES

    Rule = apps.get_model("supervision", "Rule")
    for code, after_code in NEW.items():
        if Rule.objects.filter(code=code).exists():
            continue
        _code, name, name_en, level, threshold, params = next(
            r for r in DEFAULT_RULES if r[0] == code
        )
        after = Rule.objects.filter(code=after_code).values_list("sort_order", flat=True).first()
        Rule.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            level=level,
            threshold=threshold,
            params=params,
            enabled=True,
            sort_order=(after or 100) + 5,
        )


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    Rule.objects.filter(code__in=NEW, alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_warning_level")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
