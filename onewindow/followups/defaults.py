"""The supervision rules of the follow-ups (plain data), seeded by migration 0002 and
topped up after every migrate (also after a test flush), as supervision seeds its own."""

# code, name, English name, level, threshold, params, sort order
RULES = [
    (
        "followup_callback_overdue",
        "差评未按时回访",
        "Bad rating not called back in time",
        "yellow",
        0,
        {},
        300,
    ),
    (
        "followup_fix_overdue",
        "差评整改逾期",
        "Bad-rating fix past its due date",
        "yellow",
        0,
        {},
        310,
    ),
    (
        "followup_fix_long_overdue",
        "差评整改严重逾期",
        "Bad-rating fix long past its due date",
        "red",
        5,
        {},
        320,
    ),
]


def seed_rules(Rule, using: str = "default") -> int:
    """Create the follow-up rules that are missing (`Rule` may be a historical model);
    rules the office edited are left alone."""
    existing = set(Rule.objects.using(using).values_list("code", flat=True))
    missing = [
        Rule(
            code=code,
            name=name,
            name_en=name_en,
            level=level,
            threshold=threshold,
            params=params,
            enabled=True,
            sort_order=order,
        )
        for code, name, name_en, level, threshold, params, order in RULES
        if code not in existing
    ]
    Rule.objects.using(using).bulk_create(missing)
    return len(missing)


def seed_rules_after_migrate(sender, apps=None, using="default", **kwargs) -> None:
    """post_migrate: top up the rules (also after a test flush emptied the table)."""
    from django.apps import apps as global_apps
    from django.db import connections, router

    try:
        Rule = (apps or global_apps).get_model("supervision", "Rule")
    except LookupError:
        return
    if not router.allow_migrate_model(using, Rule):
        return
    if Rule._meta.db_table not in connections[using].introspection.table_names():
        return
    seed_rules(Rule, using)
