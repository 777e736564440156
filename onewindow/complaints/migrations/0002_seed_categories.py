"""The categories the platform starts with (the office edits them in the admin); each is
an Open311 service."""

from django.db import migrations

# code, name, English name, description, English description, group, English group, kind
CATEGORIES = [
    (
        "attitude",
        "服务态度",
        "Service attitude",
        "工作人员态度生硬、冷漠、推诿",
        "Staff were rude, indifferent or passed the applicant on",
        "工作作风",
        "Conduct",
        "complaint",
    ),
    (
        "discipline",
        "工作纪律",
        "Work discipline",
        "脱岗、迟到早退、上班时间做与工作无关的事",
        "Staff absent from the window, late, or busy with other things",
        "工作作风",
        "Conduct",
        "complaint",
    ),
    (
        "integrity",
        "廉洁问题",
        "Integrity",
        "吃拿卡要、收受礼品、索取好处",
        "Asking for or accepting gifts or favours",
        "工作作风",
        "Conduct",
        "complaint",
    ),
    (
        "overdue",
        "办理超时",
        "Case overdue",
        "超过承诺时限未办结",
        "A case not concluded within the promised time",
        "办事效率",
        "Efficiency",
        "complaint",
    ),
    (
        "not_accepted",
        "无故不予受理",
        "Refused without reason",
        "符合条件不予受理或未一次性告知",
        "An application refused without reason, or what was missing not told at once",
        "办事效率",
        "Efficiency",
        "complaint",
    ),
    (
        "extra_materials",
        "要求额外材料",
        "Extra documents demanded",
        "要求提供办事指南以外的材料",
        "Documents demanded beyond the published guide",
        "办事效率",
        "Efficiency",
        "complaint",
    ),
    (
        "fees",
        "违规收费",
        "Irregular fees",
        "超标准收费或收取未公布的费用",
        "A fee above the standard or not published",
        "收费",
        "Fees",
        "complaint",
    ),
    (
        "queue",
        "排队等候过长",
        "Long waiting",
        "取号后等候时间过长",
        "Waiting too long after taking a ticket",
        "大厅服务",
        "Hall service",
        "complaint",
    ),
    (
        "facilities",
        "大厅环境与设施",
        "Hall and facilities",
        "环境卫生、设施设备、无障碍服务等问题",
        "Cleanliness, equipment, accessibility",
        "大厅服务",
        "Hall service",
        "complaint",
    ),
    (
        "online",
        "网上办事",
        "Online services",
        "网上申报、查询系统的问题",
        "Problems with online applications and lookups",
        "大厅服务",
        "Hall service",
        "complaint",
    ),
    (
        "consultation",
        "政策咨询",
        "Consultation",
        "办事条件、材料、流程等咨询",
        "Questions on conditions, documents and procedures",
        "咨询建议",
        "Requests",
        "consultation",
    ),
    (
        "suggestion",
        "意见建议",
        "Suggestion",
        "对政务服务的意见和建议",
        "Suggestions to improve the services",
        "咨询建议",
        "Requests",
        "suggestion",
    ),
    (
        "help",
        "求助",
        "Request for help",
        "办事遇到困难需要帮助",
        "Help needed with an application",
        "咨询建议",
        "Requests",
        "help",
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "ComplaintCategory")
    for sort, (code, name, name_en, desc, desc_en, group, group_en, kind) in enumerate(
        CATEGORIES, start=1
    ):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "description": desc,
                "description_en": desc_en,
                "group": group,
                "group_en": group_en,
                "kind": kind,
                "sort": sort * 10,
                "active": True,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("complaints", "ComplaintCategory").objects.filter(
        code__in=[c[0] for c in CATEGORIES], complaints__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_complaints")]

    operations = [migrations.RunPython(seed, unseed)]
