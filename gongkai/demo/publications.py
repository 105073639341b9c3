"""The demo's 主动公开 catalogue, 2024 to today.

湛河区司法局 — the agency of the seed report — published in 2024 exactly what its real report says (一（一）: 通过门户网站
主动公开政府信息19条，通过微信公众号发布信息467条) and no 规章 or 行政规范性文件 at all (表二 第（一）项 0/0/0 for both rows):
19 catalogue items on the 门户网站 (6 of them also pushed to the 公众号) and 461 公众号-only posts. 湛河区人民政府 and
湛河区财政局 carry 行政规范性文件 with a lifecycle across 2024–2026 (制发, 已修改 with the amending decision, 已废止 with
the replacing document, 失效 at the end of a trial period) and 政策解读 linked to them; other departments have a few items.

Hand-counted 表二 第（一）项 行政规范性文件 (本年制发/本年废止/现行有效), given a load on or after 2026-03-20:
湛河区人民政府 2024 3/0/3, 2025 2/1/4, 2026 1/1/4; 湛河区财政局 2024 2/0/2, 2025 0/0/2, 2026 1/1/2.

Catalogue items and validity changes go through the services (an audit row each). The hundreds of 公众号 posts are
written in bulk as one imported archive (one audit row for the batch) — still with gap-free 索引号 from the same counter.
Nothing dated after the day of loading is created. The load is skipped when 湛河区司法局 already has a catalogue.

A few 湛河区司法局 items are in the workflow on the day of loading (when its 经办人, 审核人 and 负责人 exist): a draft
past its 条例第二十六条 deadline, a draft due soon, a draft returned by the 审核人 with an opinion, one in 保密审查 with
open scan findings (a fictitious person's 身份证号 and phone), one awaiting the 负责人 after a redaction and a dismissal,
and one approved for publication the next morning.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from gongkai.accounts.models import User
from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.clock.rules import PERIODS, period_end
from gongkai.clock.selectors import current_calendar
from gongkai.demo.data import id_number
from gongkai.publications import services
from gongkai.publications.codebook import (
    Category,
    Channel,
    DeliveryStatus,
    DocKind,
    FindingKind,
    FindingStatus,
    ReviewDecision,
    Status,
    Validity,
)
from gongkai.publications.models import ChannelDelivery, Publication, ScanFinding

__all__ = [
    "MAIN_AGENCY",
    "SEED_PORTAL_ITEMS",
    "SEED_WECHAT_POSTS",
    "SEED_YEAR",
    "PublicationsSummary",
    "plan_posts",
    "publications_load",
]

MAIN_AGENCY = "zhanhe-sfj"
SEED_YEAR = 2024
SEED_PORTAL_ITEMS = 19  # seed report 一（一）：通过门户网站主动公开政府信息19条
SEED_WECHAT_POSTS = 467  # seed report 一（一）：通过微信公众号发布信息467条
# 公众号 posts per year at 湛河区司法局 (the 2024 figure less the 6 portal items also pushed there; 2026 up to today).
WECHAT_ONLY_POSTS = {2024: SEED_WECHAT_POSTS - 6, 2025: 452, 2026: 430}
ACTOR_LABEL = "系统（演示数据）"

P, W = Channel.PORTAL, Channel.WECHAT
N = DocKind.NORMATIVE


@dataclass(frozen=True)
class DemoItem:
    key: str
    agency: str
    published: dt.date
    title: str
    category: Category
    doc_kind: DocKind = DocKind.OTHER
    doc_number: str = ""
    topic: str = ""
    summary: str = ""
    also_wechat: bool = False
    interprets: str | None = None
    effective: dt.date | None = None
    lead_days: int = 3  # 形成日期 this many days before publication (条例第二十六条: within 20 working days)


@dataclass(frozen=True)
class DemoValidity:
    key: str
    validity: Validity
    on: dt.date
    replaced_by: str | None = None


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


SFJ_2024: tuple[DemoItem, ...] = (
    DemoItem("sfj-24-01", MAIN_AGENCY, _d("2024-01-12"), "湛河区司法局2023年政府信息公开工作年度报告", Category.ART20_15, topic="政务公开", also_wechat=True),
    DemoItem("sfj-24-02", MAIN_AGENCY, _d("2024-01-26"), "湛河区司法局机构职能及内设机构", Category.ART20_2, topic="机构职能"),
    DemoItem("sfj-24-03", MAIN_AGENCY, _d("2024-02-05"), "湛河区司法局领导班子成员及分工", Category.ART20_2, topic="机构职能"),
    DemoItem("sfj-24-04", MAIN_AGENCY, _d("2024-02-23"), "湛河区司法局2024年部门预算公开", Category.ART20_7, topic="财政预决算"),
    DemoItem("sfj-24-05", MAIN_AGENCY, _d("2024-03-15"), "湛河区司法局2023年度法治政府建设情况报告", Category.ART20_15, topic="法治政府建设", also_wechat=True),
    DemoItem("sfj-24-06", MAIN_AGENCY, _d("2024-03-29"), "湛河区司法局权责清单（2024年版）", Category.ART20_5, topic="权责清单"),
    DemoItem("sfj-24-07", MAIN_AGENCY, _d("2024-04-18"), "湛河区法律援助事项服务指南", Category.ART20_5, topic="法律援助"),
    DemoItem("sfj-24-08", MAIN_AGENCY, _d("2024-05-10"), "湛河区司法局行政执法事项清单", Category.ART20_6, topic="行政执法"),
    DemoItem("sfj-24-09", MAIN_AGENCY, _d("2024-05-30"), "湛河区司法局2024年“双随机、一公开”抽查事项清单", Category.ART20_6, topic="行政执法"),
    DemoItem("sfj-24-10", MAIN_AGENCY, _d("2024-06-21"), "湛河区公共法律服务实体平台地址及联系方式", Category.LOCAL, topic="公共法律服务", also_wechat=True),
    DemoItem("sfj-24-11", MAIN_AGENCY, _d("2024-07-12"), "湛河区司法局2023年部门决算公开", Category.ART20_7, topic="财政预决算"),
    DemoItem("sfj-24-12", MAIN_AGENCY, _d("2024-08-02"), "湛河区“八五”普法规划中期评估情况", Category.LOCAL, topic="普法依法治理"),
    DemoItem("sfj-24-13", MAIN_AGENCY, _d("2024-08-30"), "湛河区2024年人民调解员培训情况", Category.LOCAL, topic="人民调解", also_wechat=True),
    DemoItem("sfj-24-14", MAIN_AGENCY, _d("2024-09-20"), "湛河区司法局2024年上半年“双随机、一公开”抽查结果", Category.ART20_6, topic="行政执法"),
    DemoItem("sfj-24-15", MAIN_AGENCY, _d("2024-10-18"), "湛河区社区矫正工作开展情况", Category.LOCAL, topic="社区矫正"),
    DemoItem("sfj-24-16", MAIN_AGENCY, _d("2024-11-08"), "湛河区司法局2024年政府集中采购项目实施情况", Category.ART20_9, topic="政府采购"),
    DemoItem("sfj-24-17", MAIN_AGENCY, _d("2024-11-29"), "湛河区2024年“宪法宣传周”活动方案", Category.LOCAL, topic="普法依法治理", also_wechat=True),
    DemoItem("sfj-24-18", MAIN_AGENCY, _d("2024-12-13"), "湛河区法律援助案件办理情况（2024年1—11月）", Category.ART20_11, topic="法律援助", also_wechat=True),
    DemoItem("sfj-24-19", MAIN_AGENCY, _d("2024-12-27"), "湛河区司法局2024年下半年“双随机、一公开”抽查结果", Category.ART20_6, topic="行政执法"),
)  # fmt: skip

SFJ_LATER: tuple[DemoItem, ...] = (
    DemoItem("sfj-25-01", MAIN_AGENCY, _d("2025-01-17"), "湛河区司法局2024年政府信息公开工作年度报告", Category.ART20_15, topic="政务公开", also_wechat=True),
    DemoItem("sfj-25-02", MAIN_AGENCY, _d("2025-02-21"), "湛河区司法局2025年部门预算公开", Category.ART20_7, topic="财政预决算"),
    DemoItem("sfj-25-03", MAIN_AGENCY, _d("2025-03-14"), "湛河区司法局2024年度法治政府建设情况报告", Category.ART20_15, topic="法治政府建设", also_wechat=True),
    DemoItem("sfj-25-04", MAIN_AGENCY, _d("2025-04-25"), "湛河区司法局权责清单（2025年版）", Category.ART20_5, topic="权责清单"),
    DemoItem("sfj-25-05", MAIN_AGENCY, _d("2025-07-11"), "湛河区司法局2024年部门决算公开", Category.ART20_7, topic="财政预决算"),
    DemoItem("sfj-25-06", MAIN_AGENCY, _d("2025-09-19"), "湛河区司法局2025年上半年“双随机、一公开”抽查结果", Category.ART20_6, topic="行政执法"),
    DemoItem("sfj-25-07", MAIN_AGENCY, _d("2025-12-26"), "湛河区司法局2025年下半年“双随机、一公开”抽查结果", Category.ART20_6, topic="行政执法"),
    DemoItem("sfj-26-01", MAIN_AGENCY, _d("2026-01-16"), "湛河区司法局2025年政府信息公开工作年度报告", Category.ART20_15, topic="政务公开", also_wechat=True),
    DemoItem("sfj-26-02", MAIN_AGENCY, _d("2026-02-13"), "湛河区司法局2026年部门预算公开", Category.ART20_7, topic="财政预决算"),
    DemoItem("sfj-26-03", MAIN_AGENCY, _d("2026-03-20"), "湛河区司法局2025年度法治政府建设情况报告", Category.ART20_15, topic="法治政府建设"),
    DemoItem("sfj-26-04", MAIN_AGENCY, _d("2026-06-12"), "湛河区法律援助事项服务指南（2026年修订）", Category.ART20_5, topic="法律援助", also_wechat=True),
    DemoItem("sfj-26-05", MAIN_AGENCY, _d("2026-07-10"), "湛河区司法局2025年部门决算公开", Category.ART20_7, topic="财政预决算"),
)  # fmt: skip

GOV = "zhanhe-gov"
CZJ = "zhanhe-czj"

OTHERS: tuple[DemoItem, ...] = (
    # 湛河区人民政府: 行政规范性文件 and their lifecycle.
    DemoItem("gov-24-05", GOV, _d("2024-03-18"), "平顶山市湛河区人民政府关于印发《湛河区城乡居民临时救助实施办法》的通知", Category.ART20_1, N, "湛政〔2024〕5号", "社会救助", "明确临时救助的对象范围、救助标准、审核审批程序和资金管理。", effective=_d("2024-04-01"), lead_days=10),
    DemoItem("gov-24-11", GOV, _d("2024-07-08"), "平顶山市湛河区人民政府关于印发《湛河区老旧小区改造项目管理办法》的通知", Category.ART20_1, N, "湛政〔2024〕11号", "城乡建设", "规范老旧小区改造项目的申报、实施、验收和长效管理。", effective=_d("2024-08-01"), lead_days=8),
    DemoItem("gov-24-30", GOV, _d("2024-11-22"), "平顶山市湛河区人民政府办公室关于印发《湛河区农村集体经济组织财务管理暂行办法》的通知", Category.ART20_1, N, "湛政办〔2024〕30号", "农业农村", "规范农村集体经济组织财务收支、资产管理和民主理财，试行期至2025年12月31日。", effective=_d("2025-01-01"), lead_days=7),
    DemoItem("gov-24-30-jd", GOV, _d("2024-11-25"), "《湛河区农村集体经济组织财务管理暂行办法》政策解读", Category.ART20_1, topic="农业农村", interprets="gov-24-30", lead_days=1),
    DemoItem("gov-25-12", GOV, _d("2025-05-20"), "平顶山市湛河区人民政府关于印发《湛河区城乡居民临时救助实施办法》的通知", Category.ART20_1, N, "湛政〔2025〕12号", "社会救助", "提高临时救助标准，简化急难型临时救助审批程序，原办法同时废止。", effective=_d("2025-06-01"), lead_days=9),
    DemoItem("gov-25-12-jd", GOV, _d("2025-05-22"), "图解：新修订的《湛河区城乡居民临时救助实施办法》", Category.ART20_1, topic="社会救助", interprets="gov-25-12", lead_days=1),
    DemoItem("gov-25-21", GOV, _d("2025-09-12"), "平顶山市湛河区人民政府关于修改《湛河区老旧小区改造项目管理办法》的决定", Category.ART20_1, N, "湛政〔2025〕21号", "城乡建设", "将加装电梯纳入改造内容，调整居民出资比例。", effective=_d("2025-10-01"), lead_days=6),
    DemoItem("gov-26-04", GOV, _d("2026-03-20"), "平顶山市湛河区人民政府关于印发《湛河区促进就业创业若干措施》的通知", Category.ART20_1, N, "湛政〔2026〕4号", "就业创业", "从创业担保贷款、一次性创业补贴、吸纳就业补贴等方面提出十二条措施。", effective=_d("2026-04-01"), lead_days=10),
    DemoItem("gov-26-04-jd", GOV, _d("2026-03-23"), "《湛河区促进就业创业若干措施》政策解读", Category.ART20_1, topic="就业创业", interprets="gov-26-04", lead_days=1),
    DemoItem("gov-24-plan", GOV, _d("2024-02-02"), "湛河区2024年国民经济和社会发展计划", Category.ART20_3, topic="发展规划", lead_days=15),
    DemoItem("gov-24-stat", GOV, _d("2024-04-12"), "湛河区2023年国民经济和社会发展统计公报", Category.ART20_4, topic="统计信息", lead_days=5),
    DemoItem("gov-25-stat", GOV, _d("2025-04-11"), "湛河区2024年国民经济和社会发展统计公报", Category.ART20_4, topic="统计信息", lead_days=5),
    DemoItem("gov-25-yjya", GOV, _d("2025-06-06"), "湛河区防汛应急预案（2025年修订）", Category.ART20_12, topic="应急管理", lead_days=6),
    # 湛河区财政局
    DemoItem("czj-24-08", CZJ, _d("2024-04-15"), "湛河区财政局关于印发《湛河区区级预算项目绩效管理办法》的通知", Category.ART20_1, N, "湛财〔2024〕8号", "预算管理", "建立预算项目事前绩效评估、绩效目标、运行监控和评价结果应用的全过程管理。", effective=_d("2024-05-01"), lead_days=8),
    DemoItem("czj-24-19", CZJ, _d("2024-09-10"), "湛河区财政局关于印发《湛河区政府采购内部控制管理办法》的通知", Category.ART20_1, N, "湛财〔2024〕19号", "政府采购", "规范采购需求管理、采购活动实施、合同履约验收等环节的内部控制。", effective=_d("2024-10-01"), lead_days=6),
    DemoItem("czj-24-19-jd", CZJ, _d("2024-09-12"), "《湛河区政府采购内部控制管理办法》解读", Category.ART20_1, topic="政府采购", interprets="czj-24-19", lead_days=1),
    DemoItem("czj-24-ys", CZJ, _d("2024-01-30"), "湛河区2024年区级财政预算公开", Category.ART20_7, topic="财政预决算", lead_days=10),
    DemoItem("czj-24-js", CZJ, _d("2024-08-20"), "湛河区2023年区级财政决算公开", Category.ART20_7, topic="财政预决算", lead_days=10),
    DemoItem("czj-25-ys", CZJ, _d("2025-01-28"), "湛河区2025年区级财政预算公开", Category.ART20_7, topic="财政预决算", lead_days=10),
    DemoItem("czj-25-sf", CZJ, _d("2025-03-07"), "湛河区行政事业性收费项目目录清单（2025年）", Category.ART20_8, topic="收费", lead_days=5),
    DemoItem("czj-26-03", CZJ, _d("2026-02-10"), "湛河区财政局关于印发《湛河区区级预算项目绩效管理办法》的通知", Category.ART20_1, N, "湛财〔2026〕3号", "预算管理", "将绩效评价结果与预算安排挂钩，原办法同时废止。", effective=_d("2026-03-01"), lead_days=8),
    DemoItem("czj-26-03-jd", CZJ, _d("2026-02-12"), "一图读懂新版《湛河区区级预算项目绩效管理办法》", Category.ART20_1, topic="预算管理", interprets="czj-26-03", lead_days=1),
    DemoItem("czj-26-ys", CZJ, _d("2026-01-27"), "湛河区2026年区级财政预算公开", Category.ART20_7, topic="财政预决算", lead_days=10),
    # Other departments: a few items each.
    DemoItem("jyj-24-zs", "zhanhe-jyj", _d("2024-06-14"), "湛河区2024年义务教育阶段学校招生入学工作方案", Category.ART20_11, topic="教育", lead_days=7),
    DemoItem("jyj-25-zs", "zhanhe-jyj", _d("2025-06-13"), "湛河区2025年义务教育阶段学校招生入学工作方案", Category.ART20_11, topic="教育", lead_days=7),
    DemoItem("mzj-24-db", "zhanhe-mzj", _d("2024-07-05"), "湛河区2024年第二季度城乡低保资金发放情况", Category.ART20_11, topic="社会救助", lead_days=4),
    DemoItem("mzj-25-db", "zhanhe-mzj", _d("2025-07-04"), "湛河区2025年第二季度城乡低保资金发放情况", Category.ART20_11, topic="社会救助", lead_days=4),
    DemoItem("rsj-24-zp", "zhanhe-rsj", _d("2024-05-17"), "湛河区2024年公开招聘社区工作者公告", Category.ART20_14, topic="人事", lead_days=3),
    DemoItem("scjgj-25-cc", "zhanhe-scjgj", _d("2025-10-24"), "湛河区2025年食品安全监督抽检结果公告（第三期）", Category.ART20_13, topic="食品药品", lead_days=5),
)  # fmt: skip

VALIDITY_CHANGES: tuple[DemoValidity, ...] = (
    DemoValidity("gov-24-05", Validity.ABOLISHED, _d("2025-06-01"), "gov-25-12"),  # replaced by 湛政〔2025〕12号
    DemoValidity("gov-24-11", Validity.AMENDED, _d("2025-10-01"), "gov-25-21"),  # amended by 湛政〔2025〕21号
    DemoValidity("gov-24-30", Validity.EXPIRED, _d("2026-01-01")),  # 暂行办法: the trial period ended 2025-12-31
    DemoValidity("czj-24-08", Validity.ABOLISHED, _d("2026-03-01"), "czj-26-03"),  # replaced by 湛财〔2026〕3号
)

POST_TITLES: tuple[str, ...] = (
    "【普法微课堂】{n}：民法典中的相邻关系",
    "【以案释法】{n}：拖欠农民工工资怎么办",
    "人民调解｜{n}：一场邻里纠纷的化解",
    "【法律援助】{n}：哪些人可以申请法律援助",
    "湛河司法工作动态（{n}）",
    "【公共法律服务】{n}：家门口的法律顾问",
    "【社区矫正】{n}：教育帮扶进行时",
    "【普法微课堂】{n}：防范电信网络诈骗",
    "【法治湛河】{n}：“法律明白人”培训走进乡村",
    "【以案释法】{n}：遗嘱的几种法定形式",
)
POST_TOPICS: tuple[str, ...] = ("普法宣传", "普法宣传", "人民调解", "法律援助", "工作动态")


@dataclass
class PublicationsSummary:
    created: int = 0
    bulk_posts: int = 0
    validity_changes: int = 0
    in_workflow: int = 0
    seconds: float = 0.0
    skipped: bool = False
    by_key: dict[str, int] = field(default_factory=dict)


def plan_posts(year: int, count: int) -> list[tuple[dt.date, str, str]]:
    """(date, title, topic) of ``count`` 公众号 posts spread evenly over ``year``, deterministic."""
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    posts = []
    for k in range(count):
        title = POST_TITLES[k % len(POST_TITLES)].format(n=f"第{k // len(POST_TITLES) + 1}期")
        posts.append((start + dt.timedelta(days=k * days // count), title, POST_TOPICS[k % len(POST_TOPICS)]))
    return posts


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _create_item(item: DemoItem, agency: Agency, by_key: dict[str, Publication]) -> Publication:
    formed = item.published - dt.timedelta(days=item.lead_days)
    draft = services.publication_create(
        agency=agency,
        actor=None,
        data={
            "title": item.title,
            "doc_number": item.doc_number,
            "written_on": formed if item.doc_number else None,
            "formed_on": formed,
            "topic": item.topic,
            "category": item.category,
            "summary": item.summary or item.title,
            "body": item.summary or item.title,
            "doc_kind": item.doc_kind,
            "effective_on": item.effective,
            "interprets": by_key[item.interprets] if item.interprets else None,
        },
    )
    publication = services.publication_publish(publication=draft, actor=None, on=item.published, channels=[P])
    if item.also_wechat:
        services.channel_record_delivery(
            publication=publication, channel=W, actor=None, delivered=True, at=_at(item.published, 17, 30)
        )
    return publication


def _bulk_posts(agency: Agency, year: int, count: int, today: dt.date) -> int:
    """公众号-only posts, bulk-written as one imported archive; each takes its 索引号 from the same gap-free counter."""
    posts = [post for post in plan_posts(year, count) if post[0] <= today]
    numbers = services.take_index_block(agency, year, len(posts))
    calendar = current_calendar()
    rows: list[Publication] = []
    for seq, (day, title, topic) in zip(numbers, posts, strict=True):
        rows.append(
            Publication(
                agency=agency,
                year=year,
                seq=seq,
                index_number=services.format_index_number(agency, year=year, month=day.month, seq=seq),
                title=title,
                issuing_body=agency.name,
                formed_on=day,
                disclosure_due_on=period_end(PERIODS["proactive_disclosure"], day, calendar)[0],
                published_on=day,
                topic=topic,
                category=Category.OTHER,
                summary=title,
                doc_kind=DocKind.OTHER,
                status=Status.PUBLISHED,
            )
        )
    created = Publication.objects.bulk_create(rows)
    ChannelDelivery.objects.bulk_create(
        ChannelDelivery(
            publication=row,
            channel=W,
            status=DeliveryStatus.DELIVERED,
            delivered_at=_at(row.formed_on, 18, n % 50),
            attempts=1,
            external_id=f"demo-mp-{row.index_number}",
        )
        for n, row in enumerate(created)
    )
    audit_record(
        action="publication.import",
        agency_id=agency.pk,
        actor_label=ACTOR_LABEL,
        after={"channel": W, "year": year, "count": len(created)},
        detail=f"导入{year}年微信公众号历史推文{len(created)}条",
    )
    return len(created)


def publications_load(*, today: dt.date | None = None) -> PublicationsSummary:
    """Create the demo catalogue once: skipped when 湛河区司法局 already has any catalogue item."""
    summary = PublicationsSummary()
    today = today or timezone.localdate()
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    main = agencies.get(MAIN_AGENCY)
    if main is None or Publication.objects.filter(agency=main).exists():
        summary.skipped = True
        return summary
    started = time.monotonic()
    with transaction.atomic():
        by_key: dict[str, Publication] = {}
        items = sorted(SFJ_2024 + SFJ_LATER + OTHERS, key=lambda item: item.published)
        for item in items:
            # Registering needs a day before today: anything new goes through review and approval (先审查、后公开).
            if item.published >= min(today, timezone.localdate()) or item.agency not in agencies:
                continue
            by_key[item.key] = _create_item(item, agencies[item.agency], by_key)
            summary.created += 1
        for year, count in WECHAT_ONLY_POSTS.items():
            summary.bulk_posts += _bulk_posts(main, year, count, today)
        for change in sorted(VALIDITY_CHANGES, key=lambda change: change.on):
            if change.on > today or change.key not in by_key:
                continue
            replaced_by = by_key.get(change.replaced_by) if change.replaced_by else None
            if change.replaced_by and replaced_by is None:
                continue
            by_key[change.key] = services.publication_set_validity(
                publication=by_key[change.key],
                actor=None,
                validity=change.validity,
                on=change.on,
                replaced_by=replaced_by,
            )
            summary.validity_changes += 1
        summary.in_workflow = _workflow_items(main, today)
        summary.by_key = {key: publication.pk for key, publication in by_key.items()}
    summary.seconds = time.monotonic() - started
    return summary


# A fictitious person (the check character computed, the birth date plausible): what the scan is there to catch.
DEMO_PERSON_ID = id_number("41040219850312004")
DEMO_PERSON_PHONE = "13937512468"


def _workflow_items(agency: Agency, today: dt.date) -> int:
    """湛河区司法局 items in every workflow state on ``today`` (see the module docstring); none without its staff."""
    people = {u.username: u for u in User.objects.filter(username__in=["zh_handler", "zh_reviewer", "zh_head"])}
    if len(people) < 3 or today != timezone.localdate():
        return 0
    handler, reviewer, head = people["zh_handler"], people["zh_reviewer"], people["zh_head"]
    calendar = current_calendar()

    def formed(working_days_ago: int) -> dt.date:
        day = today
        while working_days_ago > 0:
            day -= dt.timedelta(days=1)
            working_days_ago -= calendar.is_working_day(day)
        return day

    def draft(title: str, category: Category, working_days_ago: int, body_html: str, **extra: object) -> Publication:
        return services.publication_create(
            agency=agency,
            actor=handler,
            data={
                "title": title,
                "category": category,
                "formed_on": formed(working_days_ago),
                "summary": title,
                "body_html": body_html,
                **extra,  # type: ignore[typeddict-item]
            },
        )

    draft("湛河区司法局行政执法统计年报（初稿）", Category.ART20_6, 23, "<p>本年度共办理行政执法事项……</p>")
    draft("湛河区公共法律服务热线服务指南", Category.ART20_5, 18, "<p>热线电话：12348。服务时间：工作日……</p>")
    returned = draft(
        "湛河区人民调解典型案例汇编（第三辑）",
        Category.LOCAL,
        12,
        f"<p>案例一：当事人联系电话{DEMO_PERSON_PHONE}，因邻里纠纷申请调解……</p>",
    )
    services.publication_submit(publication=returned, actor=handler)
    services.publication_review(
        publication=returned,
        actor=reviewer,
        decision=ReviewDecision.RETURN,
        opinion="案例中含当事人电话号码，请删除或以“某某”代替后再送审",
    )
    reviewing = draft(
        "湛河区司法局行政处罚决定书（湛司罚〔2026〕3号）",
        Category.ART20_6,
        8,
        "<h2>行政处罚决定书</h2>"
        f"<p>当事人：张某某，身份证号{DEMO_PERSON_ID}，联系电话{DEMO_PERSON_PHONE}。</p>"
        "<p>经查，当事人未经许可从事法律服务活动，依法决定给予警告。</p>",
    )
    services.publication_submit(publication=reviewing, actor=handler)
    approving = draft(
        "湛河区法律援助值班律师工作站名单",
        Category.ART20_5,
        6,
        f"<p>区法律援助中心值班电话：0375-2612348。</p><p>联系人身份证号{DEMO_PERSON_ID}（误录，应删除）。</p>",
    )
    services.publication_submit(publication=approving, actor=handler)
    for finding in ScanFinding.objects.filter(publication=approving, status=FindingStatus.OPEN).order_by("pk"):
        finding.refresh_from_db()
        if finding.status != FindingStatus.OPEN:
            continue  # went with an earlier redaction of the same text
        if finding.kind == FindingKind.PHONE:
            services.finding_dismiss(finding=finding, actor=reviewer, reason="本机关公开的值班电话")
        else:
            services.finding_redact(finding=finding, actor=reviewer)
    services.publication_review(publication=approving, actor=reviewer, decision=ReviewDecision.AGREE, opinion="已遮盖")
    scheduled = draft("湛河区“法律明白人”培训工作安排", Category.LOCAL, 3, "<p>为提升基层法治水平……</p>")
    services.publication_submit(publication=scheduled, actor=handler)
    services.publication_review(publication=scheduled, actor=reviewer, decision=ReviewDecision.AGREE)
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9, 0), tzinfo=timezone.get_default_timezone())
    services.publication_approve(
        publication=scheduled,
        actor=head,
        decision=ReviewDecision.AGREE,
        opinion="同意，明日上午发布",
        scheduled_for=tomorrow,
        channels=[Channel.PORTAL, Channel.WECHAT],
    )
    return 6
