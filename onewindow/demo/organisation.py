"""The demo organisation: Zhangjiagang's centre, the first 8 sub-centres (seed), departments, staff."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.accounts.services import save_staff
from onewindow.halls.models import Department, Hall, OpeningHours, Window

DEMO_PASSWORD = "OneWindow2026"


@dataclass(frozen=True)
class SubCentre:
    code: str
    department_code: str
    department: str
    department_en: str
    hall: str
    hall_en: str
    windows: int


# The city every demo name starts with.
CITY = "张家港市"
CENTRE = ("ZX", "张家港市行政服务中心", "Zhangjiagang Administrative Service Centre")

# The eight department halls that became sub-centres (seed: 市公安局车辆管理所等8个分中心).
SUB_CENTRES = [
    SubCentre(
        "CG",
        "GA",
        "市公安局",
        "Public Security Bureau",
        "市公安局车辆管理所分中心",
        "Vehicle Registration Sub-centre",
        12,
    ),
    SubCentre(
        "LB",
        "LB",
        "市劳动和社会保障局",
        "Labour and Social Security Bureau",
        "市劳动保障局分中心",
        "Labour and Social Security Sub-centre",
        10,
    ),
    SubCentre(
        "MZ",
        "MZ",
        "市民政局",
        "Civil Affairs Bureau",
        "市民政局分中心",
        "Civil Affairs Sub-centre",
        6,
    ),
    SubCentre(
        "DS",
        "DS",
        "市地方税务局",
        "Local Taxation Bureau",
        "市地税局分中心",
        "Local Taxation Sub-centre",
        10,
    ),
    SubCentre(
        "FC",
        "FC",
        "市房产管理局",
        "Housing Administration Bureau",
        "市房产局分中心",
        "Housing Sub-centre",
        10,
    ),
    SubCentre(
        "TD",
        "TD",
        "市土地储备中心",
        "Land Reserve Centre",
        "市土地储备中心分中心",
        "Land Reserve Sub-centre",
        4,
    ),
    SubCentre(
        "RH",
        "RH",
        "中国人民银行张家港市支行",
        "People's Bank of China Zhangjiagang Branch",
        "人民银行分中心",
        "Central Bank Branch Sub-centre",
        4,
    ),
    SubCentre(
        "GJJ",
        "GJJ",
        "市住房公积金管理中心",
        "Housing Provident Fund Centre",
        "市公积金管理中心分中心",
        "Housing Provident Fund Sub-centre",
        8,
    ),
]

# Departments with windows in the centre itself, and the oversight bodies (as units, not
# hard-coded roles: agency names change over time).
CENTRE_DEPARTMENTS = [
    ("FGW", "市发展和改革委员会", "Development and Reform Commission"),
    ("SCJ", "市市场监督管理局", "Market Regulation Administration"),
    ("ZJJ", "市住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("JTJ", "市交通运输局", "Transport Bureau"),
    ("WJW", "市卫生健康委员会", "Health Commission"),
    ("JYJ", "市教育局", "Education Bureau"),
    ("ZRZY", "市自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("HBJ", "市生态环境局", "Ecology and Environment Bureau"),
    ("WTLJ", "市文体广电和旅游局", "Culture, Sports, Radio, TV and Tourism Bureau"),
    ("SWJ", "市水务局", "Water Affairs Bureau"),
    ("NYJ", "市农业农村局", "Agriculture and Rural Affairs Bureau"),
    ("SWU", "市商务局", "Commerce Bureau"),
    ("CGJ", "市城市管理局", "Urban Management Bureau"),
    ("YJJ", "市应急管理局", "Emergency Management Bureau"),
    ("SFJ", "市司法局", "Justice Bureau (legal review)"),
    ("CZJ", "市财政局", "Finance Bureau (fee review)"),
    (
        "JW",
        "市纪委监委（效能办）",
        "Discipline Inspection and Supervision Commission (efficiency office)",
    ),
    ("XZFW", "市行政服务中心管理办公室", "Administrative Service Centre Office"),
]


# The centre departments that have windows in the centre (the first of the list above).
CENTRE_WINDOW_DEPARTMENTS = 14
# Login suffix and role of the staff of each centre department.
CENTRE_ROLES = (
    ("clerk", Role.WINDOW_CLERK),
    ("handler", Role.HANDLER),
    ("reviewer", Role.REVIEWER),
    ("approver", Role.APPROVER),
)
# Made-up staff names: common surnames and given names (no real person is meant).
STAFF_SURNAMES = (
    "陈刘杨黄吴徐朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚陆顾"
)
STAFF_GIVEN = (
    "建国", "丽华", "志强", "秀英", "海燕", "晓东", "文斌", "春梅", "国平", "红霞", "伟", "静",
    "敏", "磊", "婷", "洁", "俊杰", "雪梅", "玉兰", "卫东", "晓燕", "志明", "立新", "亚男",
    "慧敏", "雅琴", "振华", "国强", "桂芳", "佳怡", "思远", "子涵", "浩然", "一鸣", "欣然", "梦瑶",
    "宇航", "嘉伟", "晨曦", "丹", "勇", "萍", "凯", "琳", "斌", "娟", "涛", "颖",
)  # fmt: skip


def staff_names() -> list[str]:
    """Distinct plausible names in a fixed order, so that every load gives each login the
    same name: surname i with given name (i * 7 + j) walks the pairs without repeating."""
    names, seen = [], set()
    for j in range(len(STAFF_GIVEN)):
        for i, surname in enumerate(STAFF_SURNAMES):
            name = surname + STAFF_GIVEN[(i * 7 + j) % len(STAFF_GIVEN)]
            if name not in seen:
                seen.add(name)
                names.append(name)
    return names


def city_prefixed(name: str) -> str:
    """A municipal body's full name: "市公安局" is "张家港市公安局" (its 市 is the city's
    own), not "张家港市市公安局"."""
    return CITY + name.removeprefix("市")


def _hours(hall: Hall, saturday: bool = False) -> None:
    from datetime import time

    OpeningHours.objects.filter(hall=hall).delete()
    days = range(6) if saturday else range(5)
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(
                hall=hall,
                weekday=d,
                opens=time(9, 0) if d == 5 else time(8, 30),
                closes=time(12, 0) if d == 5 else time(17, 30),
            )
            for d in days
        ]
    )


@transaction.atomic
def load_organisation(stdout=None) -> dict[str, list[str]]:
    """Create or update the demo halls, departments, windows and staff. Idempotent."""
    centre, _ = Hall.objects.update_or_create(
        code=CENTRE[0],
        defaults={
            "name": CENTRE[1],
            "name_en": CENTRE[2],
            "kind": Hall.Kind.CENTRE,
            "sort_order": 0,
            "address": "张家港市人民中路 1 号",
            "phone": "0512-12345",
        },
    )
    _hours(centre, saturday=True)
    departments = {}
    for code, name, name_en in CENTRE_DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    for n, sc in enumerate(SUB_CENTRES, start=1):
        dept, _ = Department.objects.update_or_create(
            code=sc.department_code, defaults={"name": sc.department, "name_en": sc.department_en}
        )
        departments[sc.department_code] = dept
        hall, _ = Hall.objects.update_or_create(
            code=sc.code,
            defaults={
                "name": sc.hall,
                "name_en": sc.hall_en,
                "kind": Hall.Kind.SUB_CENTRE,
                "parent": centre,
                "department": dept,
                "sort_order": n,
                "address": f"{city_prefixed(sc.department)}服务大厅",
                "phone": f"0512-5868{n:04d}",
            },
        )
        _hours(hall, saturday=sc.code == "CG")
        for number in range(1, sc.windows + 1):
            Window.objects.update_or_create(
                hall=hall, number=number, defaults={"department": dept, "name": ""}
            )
    # Centre windows: two per centre department that serves the public.
    number = 1
    for code, _name, _en in CENTRE_DEPARTMENTS[:CENTRE_WINDOW_DEPARTMENTS]:
        for _ in range(2):
            Window.objects.update_or_create(
                hall=centre, number=number, defaults={"department": departments[code]}
            )
            number += 1

    accounts: dict[str, list[str]] = {}
    # Hash the shared demo password once: hashing is deliberately slow (PBKDF2).
    password_hash = make_password(DEMO_PASSWORD)

    def staff(username, full_name, halls, roles, dept_code):
        user = User.objects.filter(username=username).first() or User(username=username)
        user.full_name = full_name
        user.department = departments.get(dept_code)
        user.is_active = True
        user.password = password_hash
        save_staff(actor=None, user=user, halls=halls, roles=roles)
        accounts.setdefault(", ".join(str(Role(r).label) for r in roles), []).append(username)

    staff("admin", "王建华", [centre], [Role.CENTRE_ADMIN, Role.HALL_MANAGER], "XZFW")
    staff("jiancha", "李明", [centre], [Role.SUPERVISOR], "JW")
    staff("fazhi", "赵静", [centre], [Role.LEGAL_REVIEWER], "SFJ")
    staff("shoufei", "钱芳", [centre], [Role.FEE_REVIEWER], "CZJ")
    staff("guanchayuan", "孙强", [centre], [Role.CONDUCT_OBSERVER], "XZFW")
    names = iter(staff_names())
    # The centre: for each department with windows there, a clerk, a handler, a reviewer
    # and an approver (a step goes to a person of the item's department in the hall). The
    # market regulator, the busiest, has the shortest logins.
    for code, _name, _en in CENTRE_DEPARTMENTS[:CENTRE_WINDOW_DEPARTMENTS]:
        prefix = "zx" if code == "SCJ" else f"zx_{code.lower()}"
        for suffix, role in CENTRE_ROLES:
            staff(f"{prefix}_{suffix}", next(names), [centre], [role], code)
    for sc in SUB_CENTRES:
        hall = Hall.objects.get(code=sc.code)
        p = sc.code.lower()
        dept = sc.department_code
        staff(f"{p}_manager", next(names), [hall], [Role.HALL_MANAGER], dept)
        staff(f"{p}_clerk", next(names), [hall], [Role.WINDOW_CLERK], dept)
        staff(f"{p}_clerk2", next(names), [hall], [Role.WINDOW_CLERK, Role.HANDLER], dept)
        staff(f"{p}_handler", next(names), [hall], [Role.HANDLER], dept)
        staff(f"{p}_reviewer", next(names), [hall], [Role.REVIEWER], dept)
        staff(f"{p}_approver", next(names), [hall], [Role.APPROVER], dept)
    if stdout:
        stdout.write(
            f"organisation: {Hall.objects.count()} halls, {Department.objects.count()} departments, "
            f"{Window.objects.count()} windows, {User.objects.count()} staff"
        )
    return accounts
