"""The default scheme (plain data): block code and weight, then its indicators as
(code, name, weight out of the block's 100, method, automatic source)."""

DEFAULT_BONUS_CAP = 3

DEFAULT_SCHEME = [
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
