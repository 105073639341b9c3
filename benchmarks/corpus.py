"""A generator of government-style documents for the search and portal benchmarks (not a test, no Django).

    .venv/bin/python benchmarks/corpus.py --docs 5 --seed 20261127      # print a few documents

Deterministic by seed, and random-access: ``Corpus(seed).doc(i)`` is the same document whatever was generated before
it, so a benchmark can stream 1 M documents through several passes (load, index, ground truth) without keeping them.

A document has a 标题 in the usual shapes ("平顶山市湛河区人民政府关于印发《湛河区……办法》的通知", "湛河区司法局关于……的公告",
"湛河区……情况"), a 文号 for the 规范性文件 and 通知 (湛政〔2025〕12号, 湛司〔2024〕3号 …), one of 200 agencies (20
departments of the 10 counties of 平顶山市), a 发布日期 in 2020–2026, a 内容概述, a body of 300–3000 characters
(log-uniform, median ≈ 950) and, for about one document in five, an attachment's extracted text.

The body is made of sentences glued from a vocabulary of ~3,000 government words and phrases (a few hundred common
terms — 政府信息公开, 行政许可, 法律援助, 人民调解, 社区矫正, 乡村振兴, … — and verb + object compounds of them), drawn
Zipf-like (weight 1/rank^1.05; the common terms, shuffled by the seed, take the top ranks and the compounds the tail), with function words, numbers, dates, place names
and Chinese punctuation in between.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

__all__ = ["AGENCIES", "COUNTIES", "DEPARTMENTS", "Corpus", "Doc", "vocabulary"]

# 平顶山市's 10 counties and their 机关代字 (first character of the 文号).
COUNTIES: tuple[tuple[str, str], ...] = (
    ("湛河区", "湛"),
    ("新华区", "新"),
    ("卫东区", "卫"),
    ("石龙区", "石"),
    ("宝丰县", "宝"),
    ("叶县", "叶"),
    ("鲁山县", "鲁"),
    ("郏县", "郏"),
    ("舞钢市", "舞"),
    ("汝州市", "汝"),
)
# (name suffix, 代字 after the county's, code, topics)
DEPARTMENTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("人民政府", "政", "gov", ("社会救助", "城乡建设", "就业创业", "发展规划", "乡村振兴")),
    ("人民政府办公室", "政办", "govb", ("政务公开", "营商环境", "应急管理", "安全生产")),
    ("司法局", "司", "sfj", ("法律援助", "人民调解", "社区矫正", "普法宣传", "行政复议")),
    ("财政局", "财", "czj", ("财政预决算", "政府采购", "预算管理", "国有资产")),
    ("教育局", "教", "jyj", ("义务教育", "学前教育", "招生入学", "教师队伍")),
    ("民政局", "民", "mzj", ("社会救助", "养老服务", "婚姻登记", "社会组织")),
    ("人力资源和社会保障局", "人社", "rsj", ("就业创业", "社会保险", "劳动关系", "人事考试")),
    ("自然资源局", "自然资源", "zrj", ("国土空间规划", "土地征收", "不动产登记", "耕地保护")),
    ("住房和城乡建设局", "建", "zjj", ("老旧小区改造", "住房保障", "建筑市场", "物业管理")),
    ("农业农村局", "农", "nyj", ("乡村振兴", "高标准农田", "农村集体经济", "动物防疫")),
    ("卫生健康委员会", "卫健", "wjw", ("基本公共卫生", "医疗机构", "疾病预防控制", "计划生育")),
    ("市场监督管理局", "市监", "scj", ("食品安全", "特种设备", "价格监督", "知识产权")),
    ("应急管理局", "应急", "yjj", ("安全生产", "防汛抗旱", "森林防火", "应急预案")),
    ("交通运输局", "交", "jtj", ("农村公路", "道路运输", "公交出行", "交通执法")),
    ("水利局", "水", "slj", ("河长制", "水资源管理", "防汛抗旱", "农村饮水安全")),
    ("文化广电和旅游局", "文旅", "wlj", ("文物保护", "公共文化服务", "旅游市场", "文化执法")),
    ("发展和改革委员会", "发改", "fgw", ("重大项目", "价格管理", "发展规划", "粮食储备")),
    ("统计局", "统", "tjj", ("统计公报", "统计调查", "经济普查", "统计执法")),
    ("审计局", "审", "sjj", ("审计结果", "经济责任审计", "审计整改", "专项审计")),
    ("生态环境分局", "环", "hbj", ("大气污染防治", "环境影响评价", "生态环境执法", "排污许可")),
)


@dataclass(frozen=True)
class Agency:
    index: int
    name: str
    code: str
    prefix: str  # 机关代字 of the 文号
    county: str
    topics: tuple[str, ...]
    is_government: bool


AGENCIES: tuple[Agency, ...] = tuple(
    Agency(
        index=c * len(DEPARTMENTS) + d,
        name=(f"平顶山市{county}{suffix}" if code.startswith("gov") else f"{county}{suffix}"),
        code=f"bench-{c:02d}-{code}",
        prefix=f"{short}{dept_short}",
        county=county,
        topics=topics,
        is_government=code.startswith("gov"),
    )
    for c, (county, short) in enumerate(COUNTIES)
    for d, (suffix, dept_short, code, topics) in enumerate(DEPARTMENTS)
)

# Common terms of government documents (2–8 characters).
_TERMS = """
政府信息公开 主动公开 依申请公开 行政许可 行政处罚 行政强制 行政复议 行政诉讼 行政执法 法律援助 人民调解 社区矫正 公共法律服务
乡村振兴 脱贫攻坚 巩固拓展 营商环境 放管服 一网通办 最多跑一次 政务服务 便民服务 双随机一公开 信用监管 事中事后监管 安全生产
应急管理 防汛抗旱 森林防火 疫情防控 食品安全 药品安全 特种设备 生态环境 大气污染防治 水污染防治 土壤污染防治 河长制 林长制
高标准农田 耕地保护 粮食安全 农村集体经济 农民专业合作社 宅基地 土地承包 不动产登记 国土空间规划 城乡建设 老旧小区改造 棚户区改造
保障性住房 住房公积金 物业管理 城市管理 市容环境 垃圾分类 公共交通 农村公路 社会保险 养老保险 医疗保险 失业保险 工伤保险
最低生活保障 特困人员供养 临时救助 残疾人 未成年人保护 养老服务 婚姻登记 殡葬管理 社会组织 退役军人 优抚安置 义务教育
学前教育 职业教育 校外培训 教师队伍 招生入学 基本公共卫生 家庭医生 医疗机构 医保基金 疾病预防控制 健康教育 就业创业
创业担保贷款 职业技能培训 农民工工资 劳动关系 劳动仲裁 人事考试 公务员招录 事业单位招聘 财政预算 财政决算 预算绩效 政府采购
国有资产 专项资金 转移支付 政府债务 审计整改 经济责任审计 统计公报 统计调查 经济普查 重大项目 招商引资 项目建设 固定资产投资
价格监督 知识产权 市场主体 个体工商户 小微企业 民营经济 数字经济 科技创新 高新技术企业 文物保护 公共文化服务 全民健身 旅游市场
普法宣传 法治政府建设 依法行政 规范性文件 合法性审核 备案审查 公平竞争审查 重大行政决策 权责清单 负面清单 政务公开 政策解读
回应关切 舆情处置 信访工作 12345热线 网格化管理 基层治理 平安建设 扫黑除恶 矛盾纠纷排查化解 安全隐患排查 风险防控 应急预案
监督检查 专项整治 督导检查 考核评价 年度报告 工作要点 实施方案 管理办法 实施细则 指导意见 工作方案 通知要求 有关单位 各乡镇
各街道办事处 区直各单位 有关部门 责任单位 牵头单位 配合单位 工作机制 联席会议 领导小组 办公室 主要负责同志 分管负责同志
党组会议 常务会议 专题会议 人民群众 群众满意度 获得感 幸福感 安全感 高质量发展 新发展理念 共同富裕 中国式现代化 党的二十大精神
习近平新时代中国特色社会主义思想 全面从严治党 党风廉政建设 作风建设 形式主义 官僚主义 干部队伍 能力建设 业务培训 宣传教育
信息化建设 数据共享 电子证照 网上办理 一件事一次办 容缺受理 告知承诺制 证明事项 审批时限 办理结果 办理流程 申请材料 受理条件
收费标准 服务指南 办事指南 咨询电话 监督电话 办公地址 办公时间 联系方式 网站 微信公众号 政务新媒体 信息发布 新闻发布会
"""
_FUNCTION = [
    "的",
    "的",
    "的",
    "的",
    "和",
    "和",
    "与",
    "及",
    "在",
    "对",
    "了",
    "是",
    "将",
    "按照",
    "根据",
    "为",
    "由",
    "向",
    "并",
    "等",
    "已",
    "进一步",
    "切实",
    "认真",
    "全面",
    "坚持",
    "有效",
    "积极",
    "不断",
    "确保",
]
_VERBS = [
    "加强",
    "推进",
    "落实",
    "完善",
    "规范",
    "健全",
    "优化",
    "深化",
    "提升",
    "强化",
    "开展",
    "组织",
    "实施",
    "做好",
    "抓好",
    "建立",
    "推动",
    "加快",
    "扎实推进",
    "持续开展",
    "严格落实",
    "统筹推进",
]
_ENDINGS = [
    "工作",
    "管理",
    "服务",
    "建设",
    "机制",
    "体系",
    "制度",
    "水平",
    "能力",
    "质量",
    "效率",
    "保障",
    "监管",
    "治理",
    "改革",
    "宣传",
    "培训",
    "检查",
    "评估",
    "考核",
    "整改",
]
_PLACES = [
    "湛河区",
    "新华区",
    "卫东区",
    "石龙区",
    "宝丰县",
    "叶县",
    "鲁山县",
    "郏县",
    "舞钢市",
    "汝州市",
    "曹镇乡",
    "北渡街道",
    "九里山街道",
    "马庄街道",
    "轻工路街道",
    "姚孟街道",
    "河滨街道",
    "南环路街道",
]
_DOC_TYPES = (
    "办法",
    "实施办法",
    "管理办法",
    "暂行办法",
    "实施细则",
    "实施方案",
    "工作方案",
    "若干措施",
    "规定",
    "指导意见",
)
_PUNCT_MID = "，，，，、；"


def vocabulary(seed: int = 1) -> list[str]:
    """~3,000 words and phrases in a fixed pseudo-random rank order (rank 0 most frequent)."""
    base = list(dict.fromkeys(_TERMS.split()))
    nouns = [word for word in base if 2 <= len(word) <= 6]
    compounds = [f"{verb}{noun}" for verb, noun in itertools.product(_VERBS, nouns)]
    compounds += [f"{noun}{ending}" for noun, ending in itertools.product(nouns, _ENDINGS)]
    rng = random.Random(seed)
    rng.shuffle(base)  # the common terms take the top ranks, the compounds the long tail
    rng.shuffle(compounds)
    return base + compounds[: 3000 - len(base)]


@dataclass(frozen=True)
class Doc:
    index: int
    agency: int  # index into AGENCIES
    title: str
    doc_number: str
    published_on: dt.date
    category: str
    topic: str
    summary: str
    body: str
    attachment: str  # an attachment's extracted text, or ''

    def text(self) -> str:
        """Every searchable field, separated so that no Han run spans two fields (the ground truth's haystack)."""
        return "\n".join((self.title, self.doc_number, self.summary, self.body, self.attachment))


_CATEGORIES = (
    ("art20_1", 6),
    ("art20_5", 6),
    ("art20_6", 8),
    ("art20_7", 4),
    ("art20_11", 8),
    ("art20_13", 4),
    ("art20_15", 3),
    ("local", 20),
    ("other", 41),
)
_START = dt.date(2020, 1, 1)
_SPAN = (dt.date(2026, 11, 20) - _START).days


class Corpus:
    def __init__(self, seed: int = 20261127) -> None:
        self.seed = seed
        self.words = vocabulary(seed)
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(self.words))]
        self._cum = list(itertools.accumulate(weights))
        self._total = self._cum[-1]
        self._categories = [c for c, _ in _CATEGORIES]
        self._cat_weights = [w for _, w in _CATEGORIES]

    # -- pieces --------------------------------------------------------------------------------------------------

    def _word(self, rng: random.Random) -> str:
        return self.words[bisect.bisect_left(self._cum, rng.random() * self._total)]

    def _number(self, rng: random.Random, year: int) -> str:
        kind = rng.randrange(6)
        if kind == 0:
            return f"{rng.randint(year - 2, year)}年"
        if kind == 1:
            return f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        if kind == 2:
            return f"{rng.randint(1, 999)}万元"
        if kind == 3:
            return f"{rng.randint(2, 400)}家"
        if kind == 4:
            return f"{rng.randint(1, 99)}.{rng.randint(1, 9)}%"
        return f"{rng.randint(2, 5000)}人次"

    def _sentence(self, rng: random.Random, year: int, place: str) -> str:
        parts: list[str] = []
        for _ in range(rng.randint(2, 5)):  # clauses
            clause = []
            for _ in range(rng.randint(2, 5)):
                roll = rng.random()
                if roll < 0.22:
                    clause.append(rng.choice(_FUNCTION))
                elif roll < 0.27:
                    clause.append(self._number(rng, year))
                elif roll < 0.31:
                    clause.append(place if rng.random() < 0.6 else rng.choice(_PLACES))
                else:
                    clause.append(self._word(rng))
            parts.append("".join(clause))
        punctuation = [rng.choice(_PUNCT_MID) for _ in parts[1:]]
        sentence = parts[0] + "".join(p + c for p, c in zip(punctuation, parts[1:], strict=True))
        return sentence + ("。" if rng.random() < 0.93 else "；")

    def _paragraphs(self, rng: random.Random, length: int, year: int, place: str, heading: bool) -> str:
        out: list[str] = []
        size = 0
        numerals = "一二三四五六七八九十"
        section = 0
        while size < length:
            paragraph = ""
            if heading and rng.random() < 0.3 and section < 10:
                paragraph = f"{numerals[section]}、{self._word(rng)}{rng.choice(_ENDINGS)}\n"
                section += 1
            paragraph += "".join(self._sentence(rng, year, place) for _ in range(rng.randint(2, 5)))
            out.append(paragraph)
            size += len(paragraph)
        text = "\n".join(out)
        return text[:length].rstrip() + ("。" if not text[:length].endswith("。") else "")

    # -- a document ----------------------------------------------------------------------------------------------

    def doc(self, i: int) -> Doc:
        rng = random.Random(self.seed * 1_000_003 + i)
        agency = AGENCIES[rng.randrange(len(AGENCIES))]
        published = _START + dt.timedelta(days=rng.randrange(_SPAN))
        year = published.year
        category = rng.choices(self._categories, self._cat_weights)[0]
        topic = rng.choice(agency.topics)
        county = agency.county
        subject = self._word(rng)
        doc_number = ""
        shape = rng.random()
        if category == "art20_1" or shape < 0.12:
            doc_number = f"{agency.prefix}〔{year}〕{rng.randint(1, 120)}号"
            kind = rng.choice(_DOC_TYPES)
            rule = f"《{county}{subject}{kind}》"
            issuer = agency.name
            if rng.random() < 0.6:
                title = f"{issuer}关于印发{rule}的通知"
            else:
                title = f"{issuer}关于{rng.choice(_VERBS)}{subject}{rng.choice(_ENDINGS)}的通知"
        elif shape < 0.30:
            title = f"{agency.name}关于{subject}{rng.choice(_ENDINGS)}的公告"
        elif shape < 0.42:
            title = f"{county}{year}年{topic}{rng.choice(('工作情况', '实施情况', '工作总结', '工作要点'))}"
        elif shape < 0.52:
            title = f"《{county}{subject}{rng.choice(_DOC_TYPES)}》政策解读"
        elif shape < 0.62:
            title = f"{agency.name}{year}年{rng.choice(('政府信息公开工作年度报告', '部门预算公开', '部门决算公开', '法治政府建设情况报告'))}"
        else:
            title = f"{county}{rng.choice(_VERBS)}{subject}{rng.choice(_ENDINGS)}"
            if rng.random() < 0.3:
                title = f"【{topic}】{title}"
        length = int(math.exp(rng.uniform(math.log(300), math.log(3000))))
        body = self._paragraphs(rng, length, year, county, heading=bool(doc_number))
        if doc_number and rng.random() < 0.5:
            body = (
                f"各乡（镇）人民政府、街道办事处，{county}直各单位：\n"
                + body
                + f"\n{agency.name}\n{year}年{published.month}月{published.day}日"
            )
        if rng.random() < 0.15:
            # a mention of another document's 文号 in the running text
            other = AGENCIES[rng.randrange(len(AGENCIES))]
            body += f"\n根据《{other.county}{self._word(rng)}{rng.choice(_DOC_TYPES)}》（{other.prefix}〔{rng.randint(2018, year)}〕{rng.randint(1, 120)}号）有关规定执行。"
        summary = self._sentence(rng, year, county)
        attachment = ""
        if rng.random() < 0.2:
            attachment = (
                f"附件：{county}{self._word(rng)}{rng.choice(('一览表', '明细表', '汇总表', '名单', '清单'))}\n"
                + self._paragraphs(rng, rng.randint(200, 1500), year, county, heading=False)
            )
        return Doc(
            index=i,
            agency=agency.index,
            title=title[:300],
            doc_number=doc_number,
            published_on=published,
            category=category,
            topic=topic,
            summary=summary,
            body=body,
            attachment=attachment,
        )


# -- loading into the catalogue (Django set up by the caller) ------------------------------------------------------


def db_agencies() -> list[int]:
    """The 200 agencies in the database (created when missing), their primary keys in ``AGENCIES`` order."""
    from gongkai.agencies.models import Agency as AgencyRow
    from gongkai.agencies.models import Kind, Level

    existing = {a.code: a.pk for a in AgencyRow.objects.filter(code__startswith="bench-")}
    missing = [a for a in AGENCIES if a.code not in existing]
    AgencyRow.objects.bulk_create(
        AgencyRow(
            name=f"{a.name}（基准）",
            short_name=a.name[:30],
            code=a.code,
            level=Level.COUNTY,
            kind=Kind.GOVERNMENT if a.is_government else Kind.DEPARTMENT,
        )
        for a in missing
    )
    existing = {a.code: a.pk for a in AgencyRow.objects.filter(code__startswith="bench-")}
    return [existing[a.code] for a in AGENCIES]


def _publication(doc: Doc, agency_pks: list[int], seqs: dict[tuple[int, int], int]) -> Any:
    """One catalogue row for ``doc`` (not saved): published, with the next 索引号 of its agency and year."""
    from gongkai.publications.codebook import DocKind, Status
    from gongkai.publications.models import Publication

    agency = AGENCIES[doc.agency]
    key = (doc.agency, doc.published_on.year)
    seqs[key] = seqs.get(key, 0) + 1
    return Publication(
        agency_id=agency_pks[doc.agency],
        year=doc.published_on.year,
        seq=seqs[key],
        index_number=f"B{doc.agency:03d}-{doc.published_on.year}-{seqs[key]:06d}",
        title=doc.title,
        doc_number=doc.doc_number,
        issuing_body=agency.name,
        written_on=doc.published_on - dt.timedelta(days=5) if doc.doc_number else None,
        formed_on=doc.published_on - dt.timedelta(days=3),
        published_on=doc.published_on,
        topic=doc.topic,
        category=doc.category,
        summary=doc.summary,
        body=doc.body,
        doc_kind=DocKind.NORMATIVE if doc.category == "art20_1" else DocKind.OTHER,
        status=Status.PUBLISHED,
    )


def _delivery(publication_id: int, now: dt.datetime) -> Any:
    from gongkai.publications.codebook import Channel, DeliveryStatus
    from gongkai.publications.models import ChannelDelivery

    return ChannelDelivery(
        publication_id=publication_id,
        channel=Channel.PORTAL,
        status=DeliveryStatus.DELIVERED,
        delivered_at=now,
        attempts=1,
    )


def _attachment(publication_id: int, doc: Doc) -> Any:
    from gongkai.publications.models import PublicationAttachment

    return PublicationAttachment(
        publication_id=publication_id,
        file=f"bench/{publication_id}.pdf",
        original_name=f"附件{publication_id}.pdf",
        content_type="application/pdf",
        size=len(doc.attachment.encode()),
        sha256=f"{publication_id:064d}",
        extracted_text=doc.attachment,
    )


def db_insert(docs: list[Doc], agency_pks: list[int], seqs: dict[tuple[int, int], int]) -> list[int]:
    """Bulk-insert ``docs`` as published catalogue items with a delivered 门户网站 delivery (as the demo's bulk import
    does) and their attachment text; returns the publications' primary keys in order. ``seqs`` carries the 索引号
    counters between batches."""
    from django.utils import timezone

    from gongkai.publications.models import ChannelDelivery, Publication, PublicationAttachment

    created = Publication.objects.bulk_create([_publication(doc, agency_pks, seqs) for doc in docs])
    now = timezone.now()
    ChannelDelivery.objects.bulk_create(_delivery(row.pk, now) for row in created)
    PublicationAttachment.objects.bulk_create(
        _attachment(row.pk, doc) for row, doc in zip(created, docs, strict=True) if doc.attachment
    )
    return [row.pk for row in created]


def _insert_raw(cursor: Any, model: Any, objects: list[Any]) -> None:
    """INSERT the objects' rows as ``bulk_create`` would write them (each field's ``pre_save`` and
    ``get_db_prep_save``: auto_now timestamps, dates and JSON as the backend stores them), in one ``executemany`` —
    without ``bulk_create``'s split into statements of ≤ 999 parameters for SQLite. The primary key is written when
    set."""
    from django.db import connection

    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objects[0].pk is None)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = [tuple(f.get_db_prep_save(f.pre_save(o, True), connection) for f in fields) for o in objects]
    cursor.executemany(
        f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows
    )


def db_insert_fast(
    docs: list[Doc], agency_pks: list[int], seqs: dict[tuple[int, int], int], first_pk: int
) -> list[tuple[int, dt.datetime]]:
    """The rows of ``db_insert``, written with explicit primary keys from ``first_pk`` on (the caller owns the id
    range: a fresh database). Returns (publication pk, indexed version) per document: max(updated_at, attachment
    upload), what ``search.services`` records in ``IndexEntry``."""
    from django.db import connection
    from django.utils import timezone

    from gongkai.publications.models import ChannelDelivery, Publication, PublicationAttachment

    publications = [_publication(doc, agency_pks, seqs) for doc in docs]
    for n, publication in enumerate(publications):
        publication.pk = first_pk + n
    now = timezone.now()
    deliveries = [_delivery(p.pk, now) for p in publications]
    attachments = {p.pk: _attachment(p.pk, doc) for p, doc in zip(publications, docs, strict=True) if doc.attachment}
    with connection.cursor() as cursor:
        _insert_raw(cursor, Publication, publications)
        _insert_raw(cursor, ChannelDelivery, deliveries)
        _insert_raw(cursor, PublicationAttachment, list(attachments.values()))
    out = []
    for p in publications:
        attachment = attachments.get(p.pk)
        version = max(p.updated_at, attachment.uploaded_at) if attachment is not None else p.updated_at
        out.append((int(p.pk), version))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261127)
    options = parser.parse_args()
    corpus = Corpus(options.seed)
    for i in range(options.docs):
        doc = corpus.doc(i)
        print(f"[{i}] {AGENCIES[doc.agency].name} {doc.published_on} {doc.category} {doc.doc_number}")
        print(f"    {doc.title}")
        print(f"    概述：{doc.summary}")
        print(f"    正文（{len(doc.body)}字）：{doc.body[:200]}……")
        if doc.attachment:
            print(f"    附件（{len(doc.attachment)}字）：{doc.attachment[:80]}……")


if __name__ == "__main__":
    main()
