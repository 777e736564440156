"""Seed the official holiday arrangements 2004-2026 from the chinesecalendar package.

Later years are entered by an administrator when the State Council publishes them.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    days = []
    for day, holiday in constants.holidays.items():
        if day.year not in existing:
            days.append(CalendarDay(day=day, kind="holiday", name=_name(holiday)))
    for day, holiday in constants.workdays.items():
        if day.year not in existing:
            days.append(CalendarDay(day=day, kind="workday", name=_name(holiday)))
    CalendarDay.objects.bulk_create(days, batch_size=500)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="seeded") for y in range(years[0], years[-1] + 1) if y not in existing]
    )


CHINESE_NAMES = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "national_day": "国庆节",
    "mid_autumn_festival": "中秋节",
    "anti_fascist_70th_day": "抗战胜利70周年纪念日",
}


def _name(holiday) -> str:
    from chinese_calendar import constants

    for key, member in constants.Holiday.__members__.items():
        if holiday in (member, member.value):
            return CHINESE_NAMES.get(key, str(member.value))
    return str(holiday or "")


def unseed(apps, schema_editor):
    apps.get_model("workdays", "CalendarDay").objects.all().delete()
    apps.get_model("workdays", "CalendarYear").objects.filter(source="seeded").delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
