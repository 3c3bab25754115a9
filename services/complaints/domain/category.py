"""What a complaint is about (Open311 service codes), how urgent it is, and how the resident rated it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.errors import InvalidCommand


@dataclass(frozen=True)
class Category:
    """One kind of complaint: its Open311 service code, zh-CN name, group and what construction calls it."""

    code: str
    name: str
    description: str
    group: str
    # quality / safety complaints about a project open an inspection task in construction.
    construction: str | None = None
    keywords: tuple[str, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category("noise", "噪声扰民", "夜间或午休时段施工噪声、机械噪声", "环境", keywords=("噪声", "噪音", "夜间施工")),
    Category("dust", "扬尘污染", "施工扬尘、渣土未覆盖、道路遗撒", "环境", keywords=("扬尘", "渣土", "灰尘")),
    Category("safety_hazard", "安全隐患", "脚手架、坑槽、临电、高空坠物等危及人身财产安全", "质量安全", "safety",
             ("安全", "隐患", "坑", "脚手架")),
    Category("work_quality", "施工质量", "漏水、开裂、管道不通、材料以次充好", "质量安全", "quality",
             ("质量", "漏水", "开裂")),
    Category("blocked_access", "占道堵塞消防通道", "施工占用出入口、堵塞消防通道", "通行",
             keywords=("消防通道", "堵", "占道")),
    Category("utility_outage", "停水停电停气停暖", "施工造成停水、停电、停气、停暖", "民生保障",
             keywords=("停水", "停电", "停气", "停暖")),
    Category("schedule", "工期进度", "停工、拖延、未按公示时间施工", "进度", keywords=("工期", "停工", "拖延")),
    Category("worker_conduct", "施工人员行为", "施工人员态度、违规作业、扰民行为", "管理",
             keywords=("态度", "施工人员")),
    Category("other", "其他", "以上类别之外的诉求", "其他"),
)
BY_CODE = {c.code: c for c in CATEGORIES}


class Urgency(StrEnum):
    """How fast the answer is owed (DOMAIN.md: emergency 2 h, consultation 1 working day)."""

    EMERGENCY = "emergency"
    NORMAL = "normal"
    CONSULTATION = "consultation"


URGENCY_ZH = {Urgency.EMERGENCY: "紧急", Urgency.NORMAL: "一般", Urgency.CONSULTATION: "咨询"}


class Rating(StrEnum):
    """The resident's word on the outcome (满意 / 基本满意 / 不满意)."""

    SATISFIED = "satisfied"
    BASICALLY = "basically_satisfied"
    NOT_SATISFIED = "not_satisfied"


RATING_ZH = {Rating.SATISFIED: "满意", Rating.BASICALLY: "基本满意", Rating.NOT_SATISFIED: "不满意"}


class Channel(StrEnum):
    """The way in."""

    HOTLINE = "hotline"
    WEB = "web"
    OPEN311 = "open311"


CHANNEL_ZH = {Channel.HOTLINE: "热线电话", Channel.WEB: "网上投诉", Channel.OPEN311: "311 接口"}

STATE_ZH = {"received": "已受理", "acknowledged": "已签收", "assigned": "办理中", "responded": "已答复",
            "resolved": "待评价", "closed": "已办结", "merged": "已合并"}
ASSIGNEE_ZH = {"contractor": "施工单位", "street_office": "街道办事处", "department": "职能部门"}
LEVEL_ZH = {"reminder": "催办", "supervision": "督办", "public_notice": "通报"}


def category(code: str) -> Category:
    """The category of a service code, or a 422 listing the known ones."""
    try:
        return BY_CODE[code]
    except KeyError:
        known = "、".join(f"{c.code}（{c.name}）" for c in CATEGORIES)
        raise InvalidCommand(f"投诉类别“{code}”不存在。可选：{known}", code="unknown_category") from None
