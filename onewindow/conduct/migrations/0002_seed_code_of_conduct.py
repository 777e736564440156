"""The staff code of conduct (统一人员行为规范) every hall works to, as the centre publishes it.

The centre administrator edits it afterwards; this migration only writes clauses that are
not there yet, and taking it back removes only clauses no finding or record uses.
"""

from django.db import migrations

# (code, chapter, chapter_en, text, text_en)
CLAUSES = [
    ("1.1", "仪容仪表", "Appearance",
     "按规定统一着装，佩戴工作证（胸牌），服装整洁，不穿拖鞋、短裤上岗。",
     "Wear the uniform and the staff badge; dress neatly; no slippers or shorts at work."),
    ("1.2", "仪容仪表", "Appearance",
     "仪表端庄，坐姿端正，不在窗口内饮食、化妆、吸烟。",
     "Keep a proper bearing; do not eat, make up or smoke at the window."),
    ("2.1", "文明用语", "Courteous language",
     "使用普通话和文明用语，做到来有迎声、问有答声、走有送声。",
     "Speak Mandarin and courteously: greet each visitor, answer each question, see them off."),
    ("2.2", "文明用语", "Courteous language",
     "不说生硬、冷漠、推诿、训斥的服务忌语，不与办事群众争吵。",
     "Never speak curtly, coldly or dismissively; never argue with a visitor."),
    ("3.1", "首问负责", "First contact responsible",
     "首位接待的工作人员对来访人负责到底：属本岗位职责的当即办理，不属于的引导至相关窗口。",
     "Whoever is asked first answers for it: handles it if it is theirs, "
     "otherwise takes the visitor to the right window."),
    ("3.2", "一次性告知", "Tell everything at once",
     "对申请材料不齐全或不符合法定形式的，一次性书面告知需要补正的全部内容。",
     "When materials are incomplete or not in legal form, say in writing, once, "
     "everything that must be supplied."),
    ("3.3", "限时办结", "Within the time limit",
     "在承诺时限内办结事项，即办件当场办结，不得无故拖延。",
     "Conclude every case within the promised time; immediate items on the spot; "
     "no delay without cause."),
    ("3.4", "服务公开", "Openness",
     "公开办事依据、条件、程序、时限、收费标准和监督电话，不得违规收费。",
     "Publish the basis, conditions, procedure, time limit, fees and the complaint line; "
     "charge nothing beyond them."),
    ("4.1", "窗口纪律", "Window discipline",
     "按时上下班，不迟到早退，工作时间不擅自离岗、串岗、空岗。",
     "Be on time; never leave, swap or empty the post during working hours without leave."),
    ("4.2", "窗口纪律", "Window discipline",
     "工作时间不玩手机游戏、不上网聊天购物、不看与工作无关的书报视频。",
     "No phone games, chatting, shopping online, or reading and watching unrelated to work "
     "during working hours."),
    ("4.3", "窗口纪律", "Window discipline",
     "临时离开窗口须放置暂停服务提示牌并告知去向，保持窗口有序。",
     "When stepping away, put up the 'service paused' sign and say where you are."),
    ("4.4", "窗口纪律", "Window discipline",
     "窗口台面整洁，不摆放与工作无关的物品。",
     "Keep the counter tidy, with nothing on it unrelated to the work."),
    ("5.1", "作风建设", "Work style",
     "不得推诿扯皮、刁难群众，不得对符合条件的申请拒不受理。",
     "Never pass the buck or make things hard for visitors; never refuse an application "
     "that meets the conditions."),
    ("5.2", "作风建设", "Work style",
     "不得以任何理由让群众往返多次跑腿，能网上办、就近办的主动告知。",
     "Never make people come back again and again; tell them when an item can be done "
     "online or nearby."),
    ("5.3", "作风建设", "Work style",
     "服从窗口统一管理，接受中心的考核和群众的评议监督。",
     "Accept the centre's management of the windows, its assessment and the public's "
     "ratings and supervision."),
    ("6.1", "廉洁自律", "Integrity",
     "不得吃拿卡要，不收受办事人的礼品、礼金、消费卡，不接受宴请。",
     "Never ask for or take anything: no gifts, money, shopping cards or meals "
     "from applicants."),
    ("6.2", "廉洁自律", "Integrity",
     "不得利用职务之便为本人或他人谋取私利，不得违规指定中介机构。",
     "Never use the post for private gain; never steer applicants to an agency."),
    ("6.3", "廉洁自律", "Integrity",
     "严守工作秘密，不泄露办事人的个人信息和商业秘密。",
     "Keep applicants' personal data and business secrets confidential."),
    ("7.1", "安全与环境", "Safety and order",
     "维护大厅秩序，引导群众有序排队，优先照顾老年人、残疾人等特殊群体。",
     "Keep order in the hall, guide the queue, and serve the elderly and disabled first."),
    ("7.2", "安全与环境", "Safety and order",
     "遇突发情况及时报告并按预案处置，不得围观或置之不理。",
     "Report any incident at once and act on the plan; never stand by or ignore it."),
]


def seed(apps, schema_editor):
    ConductClause = apps.get_model("conduct", "ConductClause")
    for n, (code, chapter, chapter_en, text, text_en) in enumerate(CLAUSES, start=1):
        ConductClause.objects.get_or_create(
            code=code,
            defaults={
                "chapter": chapter,
                "chapter_en": chapter_en,
                "text": text,
                "text_en": text_en,
                "sort": n * 10,
            },
        )


def unseed(apps, schema_editor):
    ConductClause = apps.get_model("conduct", "ConductClause")
    ConductClause.objects.filter(
        code__in=[c[0] for c in CLAUSES], findings=None, records=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("conduct", "0001_conduct")]

    operations = [migrations.RunPython(seed, unseed)]
