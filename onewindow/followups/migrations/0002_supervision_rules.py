"""Create the supervision rules of the follow-ups (followups/defaults.py): overdue call
backs and fixes are carded like overdue cases."""

from django.db import migrations


def add_rules(apps, schema_editor):
    from onewindow.followups.defaults import seed_rules

    seed_rules(apps.get_model("supervision", "Rule"), schema_editor.connection.alias)


def remove_rules(apps, schema_editor):
    from onewindow.followups.defaults import RULES

    Rule = apps.get_model("supervision", "Rule")
    Rule.objects.filter(code__in=[r[0] for r in RULES], alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_followups_and_hall_settings"),
        ("supervision", "0004_step_overdue_and_late_extension_rules"),
    ]

    operations = [migrations.RunPython(add_rules, remove_rules)]
