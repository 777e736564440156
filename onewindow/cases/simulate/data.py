"""Made-up but plausible texts and names for simulated cases (no real person's data)."""

from datetime import date, timedelta

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌宇浩凯婷雪琳晨欣怡梓涵子轩佳睿思远志鹏海燕嘉俊晓东春梅德胜永福金凤"
TRADE_NAMES = "华宏达兴泰鑫盛恒通隆丰源瑞祥顺昌富康诚信德远创新科润"
INDUSTRIES = (
    "纺织",
    "机械",
    "化工",
    "物流",
    "贸易",
    "建设工程",
    "电子科技",
    "食品",
    "冶金",
    "港务",
    "汽车销售",
    "餐饮管理",
)
ORG_FORMS = ("有限公司", "有限公司", "股份有限公司", "合伙企业")
# Region codes of resident IDs: mostly Zhangjiagang, some neighbours and migrants.
REGIONS = (
    "320582",
    "320582",
    "320582",
    "320581",
    "320583",
    "320585",
    "320506",
    "320282",
    "342401",
    "412723",
)
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

REFUSAL_REASONS = (
    "申请事项不属于本机关职权范围，请向有关行政机关申请。",
    "申请人不具备申请资格。",
    "申请事项依法不需要取得行政许可。",
    "申请材料存在虚假内容。",
)
REJECTION_REASONS = (
    "经审查，申请人不符合法定条件，不予许可。",
    "现场核查不符合要求，不予许可。",
)
WITHDRAWAL_REASON = "申请人申请撤回。"
VOID_REASON = "申请人重复申请，本件作废。"
FORWARD_REASON = "不属于本机关办理，已转有权机关办理。"
REMEDIES = (
    "如不服本决定，可在收到之日起六十日内申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
)
OPINIONS = {
    "pass": "材料齐全，符合要求，拟同意。",
    "approve": "同意。",
    "reject": "不符合法定条件，不同意。",
}
EXTENSION_REASONS = ("需现场核查，经批准延长审批时限。", "涉及多个部门会签，经批准延长办理时限。")
SUSPENSION_REASONS = {
    "expert_review": "组织专家评审，所需时间不计入办理时限。",
    "testing": "委托检验检测，所需时间不计入办理时限。",
    "appraisal": "委托鉴定评估，所需时间不计入办理时限。",
    "hearing": "依申请举行听证，所需时间不计入办理时限。",
    "quarantine": "检疫，所需时间不计入办理时限。",
    "tender": "招标，所需时间不计入办理时限。",
    "auction": "拍卖，所需时间不计入办理时限。",
}
GAPS_PROMISE = "申请人书面承诺在规定期限内补齐容缺材料，逾期未补齐的自愿承担相应责任。"
CORRECTION_TEXT_ITEM = "申请表填写不完整，请补充完整后重新提交。"


def applicants(rng):
    """20,000 people and 3,000 companies with valid resident IDs and credit codes and made-up
    names, drawn from ``rng`` (the order of the draws is part of a seed's year)."""
    from onewindow.lib.idnumbers import credit_code_check_char, resident_id_check_char

    people = []
    for _ in range(20000):
        name = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))
        )
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        people.append(("person", name, first17 + resident_id_check_char(first17), "", phone))
    orgs = []
    for _ in range(3000):
        trade = "".join(rng.choice(TRADE_NAMES) for _ in range(2))
        name = f"张家港{trade}{rng.choice(INDUSTRIES)}{rng.choice(ORG_FORMS)}"
        first17 = (
            "91" + rng.choice(REGIONS) + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
        )
        contact = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        orgs.append(
            ("organisation", name, first17 + credit_code_check_char(first17), contact, phone)
        )
    return people, orgs
