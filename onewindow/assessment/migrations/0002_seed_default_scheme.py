"""The default scheme, seeded as the scheme of 2026 (later years start as a copy of the
latest earlier one, `services.create_scheme`). The layout is written out here so that
this migration stays what it was when the default changes."""

from django.db import migrations

LAYOUT = [
    ("image", 10, [
        ("environment", "环境整洁与统一标识", 50, "manual", ""),
        ("dress", "着装规范与挂牌上岗", 50, "manual", ""),
    ]),
    ("disclosure", 10, [
        ("guides", "事项、依据、流程与办事指南公开", 60, "manual", ""),
        ("fees", "收费公开与按公开标准收费", 40, "automatic", "fee_anomalies"),
    ]),
    ("window", 25, [
        ("in_time", "承诺时限内办结率", 50, "automatic", "cases_in_time"),
        ("within_legal", "法定时限内办结率", 30, "automatic", "cases_within_legal"),
        ("authorised", "窗口授权到位", 20, "manual", ""),
    ]),
    ("conduct", 15, [
        ("records", "行为规范记录", 60, "automatic", "conduct_records"),
        ("discipline", "工作纪律检查", 40, "manual", ""),
    ]),
    ("social", 20, [
        ("satisfaction", "好差评满意率", 40, "automatic", "satisfaction"),
        ("followups", "差评整改及时率", 20, "automatic", "followups_in_time"),
        ("complaints_in_time", "投诉按时答复率", 20, "automatic", "complaints_in_time"),
        ("valid_complaints", "有效投诉", 20, "automatic", "valid_complaints"),
    ]),
    ("assessment", 10, [
        ("monthly_reports", "办件月报按时报送", 40, "automatic", "monthly_reports"),
        ("meeting_decisions", "联席会议决定落实", 30, "automatic", "meeting_decisions"),
        ("training", "培训与持证上岗", 30, "automatic", "training"),
    ]),
    ("e_supervision", 10, [
        ("cards", "电子监察黄牌、红牌", 100, "automatic", "cards"),
    ]),
]  # fmt: skip


def seed(apps, schema_editor):
    Scheme = apps.get_model("assessment", "AssessmentScheme")
    Block = apps.get_model("assessment", "Block")
    Indicator = apps.get_model("assessment", "Indicator")
    if Scheme.objects.filter(year=2026).exists():
        return
    scheme = Scheme.objects.create(year=2026, bonus_cap=3)
    for n, (code, weight, inds) in enumerate(LAYOUT):
        block = Block.objects.create(scheme=scheme, code=code, weight=weight, order=n)
        for k, (c, name, w, m, s) in enumerate(inds):
            Indicator.objects.create(
                block=block, code=c, name=name, weight=w, method=m, source=s, order=k
            )


def unseed(apps, schema_editor):
    apps.get_model("assessment", "AssessmentScheme").objects.filter(
        year=2026, locked_at__isnull=True, adjustments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_scheme_scores_inspections")]

    operations = [migrations.RunPython(seed, unseed)]
