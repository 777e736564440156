"""Seed the supervision rules (docs/DOMAIN.md, section 10). The supervision office edits them later.

The rows are data (names, level, threshold); what each code checks is in
onewindow/supervision/services/checks.py. Existing rows are left alone.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from onewindow.supervision.defaults import seed_rules

    seed_rules(apps.get_model("supervision", "Rule"))


def unseed(apps, schema_editor):
    from onewindow.supervision.defaults import DEFAULT_RULES

    Rule = apps.get_model("supervision", "Rule")
    Rule.objects.filter(code__in=[r[0] for r in DEFAULT_RULES], alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
