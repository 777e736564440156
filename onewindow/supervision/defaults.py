"""The rules the platform starts with (docs/DOMAIN.md, section 10). Plain data: no Django imports.

Seeded by migration 0002 and topped up after every migrate (a rule added here in a later
release appears without a new data migration; a rule the office edited is left alone).
"""

# code, name, English name, level, threshold, params
DEFAULT_RULES = [
    # Warnings (预警) before the due date; a step's on its due day only, so that a 1-day
    # step is not warned about the moment it is assigned.
    ("step_due_soon", "环节临近办理时限", "Step due soon", "warning", 0, {}),
    ("case_due_soon", "办件临近承诺时限", "Case due soon", "warning", 1, {}),
    ("case_overdue", "办件超过承诺时限", "Case past its promised limit", "yellow", 0, {}),
    ("step_overdue", "环节超过办理时限", "Step past its due date", "yellow", 0, {}),
    ("legal_overdue", "办件超过法定时限", "Case past its legal limit", "red", 0, {}),
    (
        "refusal_without_reason",
        "不予受理未说明理由",
        "Not accepted without a reason",
        "red",
        None,
        {},
    ),
    (
        "intake_overdue",
        "收件后逾期未告知或决定",
        "No notice or decision within 5 working days of receipt",
        "red",
        5,
        {},
    ),
    (
        "late_correction_notice",
        "补正告知超过期限",
        "Late correction notice",
        "red",
        5,
        {"count": "working_days"},
    ),
    (
        "fee_mismatch",
        "收费与公示标准不符",
        "Fee differs from the published standard",
        "red",
        0,
        {"allow_waiver": True},
    ),
    ("suspension_too_long", "特别程序超过允许时长", "Suspension longer than allowed", "red", 0, {}),
    (
        "extension_without_approver",
        "延长时限未经批准",
        "Extension without an approver",
        "red",
        None,
        {"self_approval_counts": True},
    ),
    (
        "extension_after_legal_due",
        "超过法定时限后延长",
        "Extension approved after the legal due date",
        "red",
        None,
        {},
    ),
    ("late_delivery", "超期送达", "Result delivered late", "red", 10, {}),
    ("not_delivered", "办结后逾期未送达", "Result not delivered in time", "red", 10, {}),
    (
        "concluded_without_acceptance",
        "未受理即办结",
        "Concluded without acceptance",
        "red",
        None,
        {},
    ),
]


def seed_rules(Rule, using: str = "default") -> int:
    """Create the default rules that are missing (`Rule` may be a historical model)."""
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
            sort_order=(i + 1) * 10,
        )
        for i, (code, name, name_en, level, threshold, params) in enumerate(DEFAULT_RULES)
        if code not in existing
    ]
    Rule.objects.using(using).bulk_create(missing)
    return len(missing)


def seed_rules_after_migrate(sender, apps=None, using="default", **kwargs) -> None:
    """post_migrate: top up the default rules (also after a test flush emptied the table)."""
    from django.apps import apps as global_apps
    from django.db import connections, router

    try:
        # `apps` is the migration state after `migrate`; `flush` sends no state.
        Rule = (apps or global_apps).get_model("supervision", "Rule")
    except LookupError:  # migrated back to zero
        return
    if not router.allow_migrate_model(using, Rule):
        return
    if Rule._meta.db_table not in connections[using].introspection.table_names():
        return  # `flush` of a database where this app is not migrated
    seed_rules(Rule, using)
