"""The demo's 依申请公开 cases, December 2023 to today, built through the same services as real use.

A seeded plan (``plan_cases``) decides every case — applicant, channel, dates, the path through the workflow and the
outcome — and ``cases_load`` plays it against the services in order of receipt, so every date obeys the statute as the
services check it (补正 within 7 working days, extension before the due date, payment before pay_by, lapses only
after the deadline). 湛河区司法局 — the agency of the seed report, whose real 2024 report has an all-zero 表三 —
receives no application in 2024 and carries none into or out of it; in 2025 and 2026 it uses every row of 表三 and
every applicant column, with a carry-over across the 2025 year end. In 2024 湛河区教育局 does the same (a carry-in from
December 2023 and a carry-over into 2025), so across the departments of 湛河区人民政府 every row is in use in each
year. Open cases sit in every status at 湛河区司法局, some overdue and some due within three working days of the day
the demo is loaded.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.accounts.models import IdType, User
from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency, Kind
from gongkai.cases import notify, services
from gongkai.cases.codebook import ApplicantType, Channel, ObtainMethod, Outcome, OutcomeVariant, ProvisionForm
from gongkai.cases.fees import FeeMethod
from gongkai.cases.models import (
    Case,
    CaseDocument,
    ConsulteeKind,
    DeliveryMethod,
    DocumentKind,
    FeeAssessment,
    OpinionResult,
    ReceiptJob,
)
from gongkai.clock.calendar import WorkCalendar
from gongkai.clock.models import ClockLedger
from gongkai.clock.selectors import current_calendar
from gongkai.demo.data import AGENCIES, APPLICANTS, STAFF, credit_code, id_number

__all__ = ["FULL_YEAR_AGENCY", "MAIN_AGENCY", "QUIET_YEAR", "CasesSummary", "cases_load", "plan_cases"]

MAIN_AGENCY = "zhanhe-sfj"  # the agency of the seed report: most cases, every 表三 row in 2025 and 2026
QUIET_YEAR = 2024  # 湛河区司法局 received no application that year (the seed report): no case of its touches it
FIRST_DAY = dt.date(2024, 1, 2)
LAST_HISTORICAL_DAY = dt.date(2026, 11, 20)
YEARS = (2024, 2025, 2026)
# The agency whose 表三 uses every row in each year (it needs a 负责人 for the extensions: 教育局 has one).
FULL_YEAR_AGENCY = {2024: "zhanhe-jyj", 2025: MAIN_AGENCY, 2026: MAIN_AGENCY}
SEED = 20240101

_O = Outcome
_V = OutcomeVariant
_T = ApplicantType


# ---------------------------------------------------------------------------------------------------------------------
# Applicants (invented; identifiers carry valid check characters)


@dataclass(frozen=True)
class Applicant:
    kind: ApplicantType
    name: str
    id_type: str
    id_number: str
    phone: str
    email: str
    address: str
    contact_person: str = ""
    username: str = ""  # a demo applicant account the case is linked to

    def application(self, items: Sequence[str], rng: random.Random) -> services.ApplicationInput:
        if self.email and rng.random() < 0.6:
            form, method = ProvisionForm.ELECTRONIC, ObtainMethod.EMAIL
        elif rng.random() < 0.5:
            form, method = ProvisionForm.PAPER, ObtainMethod.POST
        elif rng.random() < 0.5:
            form, method = ProvisionForm.PAPER, ObtainMethod.PICKUP
        else:
            form, method = ProvisionForm.ELECTRONIC, ObtainMethod.ONLINE
        return services.ApplicationInput(
            applicant_type=self.kind,
            applicant_name=self.name,
            id_type=self.id_type,
            id_number=self.id_number,
            phone=self.phone,
            email=self.email,
            postal_address=self.address,
            postcode="467000",
            contact_person=self.contact_person,
            items=[services.ItemInput(title=title) for title in items],
            provision_form=form,
            obtain_method=method,
        )


_PEOPLE = (
    # name, pinyin (for the e-mail), region of the ID number, birth date, sequence (odd: male)
    ("王建军", "wangjianjun", "410411", "19680415", "031"),
    ("刘桂兰", "liuguilan", "410411", "19590923", "022"),
    ("陈志强", "chenzhiqiang", "410402", "19751102", "013"),
    ("杨秀英", "yangxiuying", "410403", "19630607", "046"),
    ("赵海涛", "zhaohaitao", "410411", "19820218", "057"),
    ("黄丽娟", "huanglijuan", "410421", "19880730", "068"),
    ("周国庆", "zhouguoqing", "410411", "19561001", "079"),
    ("吴晓燕", "wuxiaoyan", "410422", "19910314", "082"),
    ("徐长顺", "xuchangshun", "410411", "19700521", "093"),
    ("孙玉梅", "sunyumei", "410404", "19661208", "104"),
    ("马俊峰", "majunfeng", "410411", "19850826", "115"),
    ("朱红霞", "zhuhongxia", "410402", "19780119", "126"),
    ("胡德明", "hudeming", "410411", "19520310", "137"),
    ("郭淑芬", "guoshufen", "410423", "19690705", "148"),
    ("何振华", "hezhenhua", "410411", "19930429", "159"),
    ("高文静", "gaowenjing", "410403", "19960911", "162"),
    ("林宏伟", "linhongwei", "410411", "19720614", "173"),
    ("罗美玲", "luomeiling", "410482", "19830222", "184"),
    ("梁永刚", "liangyonggang", "410411", "19610817", "195"),
    ("宋春花", "songchunhua", "410411", "19740403", "206"),
    ("郑新民", "zhengxinmin", "410425", "19580127", "217"),
    ("谢婷婷", "xietingting", "410402", "19990506", "228"),
    ("韩立新", "hanlixin", "410411", "19770919", "239"),
    ("唐翠英", "tangcuiying", "410411", "19640212", "242"),
    ("冯保国", "fengbaoguo", "410421", "19550630", "253"),
    ("邓雪梅", "dengxuemei", "410411", "19870121", "264"),
    ("曹金生", "caojinsheng", "410411", "19710808", "275"),
    ("彭亚楠", "pengyanan", "410403", "19940316", "286"),
    ("蒋大勇", "jiangdayong", "410411", "19800705", "297"),
    ("田凤琴", "tianfengqin", "410422", "19620924", "308"),
)

_STREETS = (
    "平顶山市湛河区姚孟街道和平路",
    "平顶山市湛河区南环路",
    "平顶山市湛河区光明路",
    "平顶山市湛河区曹镇乡王庄村",
    "平顶山市湛河区北渡镇北渡村",
    "平顶山市新华区中兴路",
    "平顶山市卫东区建设路",
    "平顶山市湛河区开源路",
)

_ORGANISATIONS: tuple[tuple[ApplicantType, str, str, str, str, str], ...] = (
    # type, name, credit-code prefix (GB 32100 tables 1–2), organisation code body, contact person, e-mail
    (_T.COMMERCIAL, "平顶山市鹰城建材有限公司", "91", "MA44K7Q2", "张经理", "yczc@example.com"),
    (_T.COMMERCIAL, "河南湛河置业有限公司", "91", "MA45B2R8", "李总监", "zhzy@example.com"),
    (_T.COMMERCIAL, "平顶山市恒达物流有限公司", "91", "MA40N6T3", "王主管", "hdwl@example.com"),
    (_T.COMMERCIAL, "平顶山市宏源建筑劳务有限公司", "91", "MA46C1D9", "赵会计", ""),
    (_T.RESEARCH, "平顶山学院地方法治研究中心", "12", "41604215", "孙教授", "fzyj@example.com"),
    (_T.RESEARCH, "平顶山市城乡规划设计研究院", "12", "41602287", "钱工程师", "ghy@example.com"),
    (_T.PUBLIC_WELFARE, "平顶山市鹰城公益服务中心", "52", "MJY13582", "周干事", "ycgy@example.com"),
    (_T.PUBLIC_WELFARE, "湛河区助残志愿者协会", "51", "MJY10647", "吴会长", ""),
    (_T.PUBLIC_WELFARE, "平顶山市绿色家园环保志愿者协会", "51", "MJY12290", "郑秘书长", "lsjy@example.com"),
    (_T.LEGAL_SERVICE, "河南中平律师事务所", "31", "4K570281", "冯律师", "zhongping-law@example.com"),
    (_T.LEGAL_SERVICE, "河南湛河律师事务所", "31", "4K570395", "陈律师", "zhanhe-law@example.com"),
    (_T.LEGAL_SERVICE, "平顶山市湛河区姚孟法律服务所", "31", "4K571108", "褚主任", ""),
    (_T.OTHER_ORG, "湛河区姚孟街道和平社区居民委员会", "54", "MEA10273", "卫主任", ""),
    (_T.OTHER_ORG, "湛河区曹镇乡王庄村民委员会", "54", "MEA11384", "蒋支书", ""),
    (_T.OTHER_ORG, "平顶山市湛河区锦绣花园业主委员会", "Y1", "MEB20516", "沈主任", "jxhy@example.com"),
)


def _phone(n: int) -> str:
    return f"139{(37_510_000 + n * 7919) % 100_000_000:08d}"


def applicant_pool() -> dict[ApplicantType, list[Applicant]]:
    pool: dict[ApplicantType, list[Applicant]] = {kind: [] for kind in ApplicantType}
    for n, (name, pinyin, region, birth, seq) in enumerate(_PEOPLE):
        pool[_T.NATURAL_PERSON].append(
            Applicant(
                _T.NATURAL_PERSON,
                name,
                IdType.RESIDENT_ID,
                id_number(region + birth + seq),
                _phone(n),
                f"{pinyin}@example.com" if n % 3 else "",
                f"{_STREETS[n % len(_STREETS)]}{n * 7 % 90 + 3}号",
            )
        )
    for n, (kind, name, prefix, body, contact, email) in enumerate(_ORGANISATIONS, start=len(_PEOPLE)):
        pool[kind].append(
            Applicant(
                kind,
                name,
                IdType.CREDIT_CODE,
                credit_code("410411", body, prefix=prefix),
                _phone(n),
                email,
                f"{_STREETS[n % len(_STREETS)]}{n * 11 % 120 + 1}号",
                contact_person=contact,
            )
        )
    # The demo applicant accounts (`zhangsan`, `lisi`, `lawfirm`): their online cases show in their account.
    kinds = {"zhangsan": _T.NATURAL_PERSON, "lisi": _T.NATURAL_PERSON, "lawfirm": _T.LEGAL_SERVICE}
    for person in APPLICANTS:
        kind = kinds[person.username]
        pool[kind].append(
            Applicant(
                kind,
                person.full_name,
                person.id_type,
                person.id_number,
                person.phone,
                person.email,
                person.address,
                contact_person="" if kind is _T.NATURAL_PERSON else "刘律师",
                username=person.username,
            )
        )
    return pool


# ---------------------------------------------------------------------------------------------------------------------
# What is asked for


TITLES: dict[str, tuple[str, ...]] = {
    "zhanhe-sfj": (
        "法律援助经费使用情况",
        "人民调解员补贴发放标准",
        "社区矫正工作统计",
        "律师事务所年度检查考核结果",
        "公共法律服务中心建设项目资金安排",
        "普法宣传教育经费预算",
        "行政复议案件办理情况统计",
        "基层法律服务工作者执业核准名单",
        "人民调解委员会设立情况",
        "政府法律顾问聘用合同",
        "司法所业务用房建设项目招标文件",
        "刑满释放人员安置帮教工作统计",
        "行政执法监督检查情况通报",
        "法律援助案件指派情况",
        "“八五”普法规划中期评估报告",
        "人民陪审员选任工作方案",
        "行政规范性文件合法性审核意见汇总",
        "公证服务收费标准",
        "矛盾纠纷排查化解工作台账",
        "法治政府建设年度报告",
    ),
    "zhanhe-czj": (
        "一般公共预算执行情况",
        "政府性基金预算收支情况",
        "“三公”经费支出情况",
        "政府债务余额及还本付息情况",
        "政府采购项目合同",
        "惠民惠农财政补贴资金发放明细",
        "财政专项资金分配文件",
        "行政事业单位国有资产处置情况",
        "部门预算和决算公开目录",
        "老旧小区改造财政补助资金拨付情况",
        "乡镇财政转移支付资金安排",
        "涉农资金统筹整合方案",
    ),
    "zhanhe-jyj": (
        "义务教育阶段学区划分方案",
        "中小学招生入学实施办法",
        "教师公开招聘笔试面试成绩",
        "学生营养改善计划资金使用情况",
        "校车安全管理制度",
        "民办学校设立审批结果",
        "中小学布局调整规划",
        "校外培训机构审批名单",
        "学校食堂食品安全检查结果",
        "教育费附加使用情况",
        "家庭经济困难学生资助名单",
        "幼儿园收费标准",
    ),
}

# Requests whose nature decides the outcome — the wording a reviewer would recognise at the agency.
_SFJ_OUTCOME_TITLES: dict[Outcome, tuple[str, ...]] = {
    _O.WITHHELD_STATE_SECRET: ("涉密维稳工作预案", "重大活动安全保卫工作方案（密件）"),
    _O.WITHHELD_PROHIBITED: ("社区矫正对象个人档案", "未成年人犯罪记录封存情况"),
    _O.WITHHELD_SECURITY: ("重点人员稳控名单", "群体性事件处置预案"),
    _O.WITHHELD_THIRD_PARTY: (
        "某律师事务所执业许可申请材料",
        "某公司参与政府采购投标文件",
        "人民调解协议书（涉及当事人）",
    ),
    _O.WITHHELD_INTERNAL: ("机关内部考勤管理制度", "机关干部职工年度考核登记表", "局机关后勤管理办法"),
    _O.WITHHELD_PROCESS: ("局党组会议纪要", "局长办公会研究讨论记录", "请示报告及领导批示"),
    _O.WITHHELD_ENFORCEMENT: ("某行政处罚案件执法案卷", "行政执法检查询问笔录"),
    _O.WITHHELD_QUERY: ("本人社区矫正期间档案材料查询", "本人法律援助申请审查记录查询"),
    _O.UNAVAILABLE_NEEDS_CREATION: ("近十年法律援助案件按年龄性别分类统计表", "各司法所工作人员学历结构分析报告"),
    _O.UNAVAILABLE_UNCLEAR: ("有关文件", "相关补偿资料"),
    _O.NOT_PROCESSED_PETITION: ("关于人民调解员不作为问题的投诉处理结果", "对某司法所工作人员的举报"),
    _O.NOT_PROCESSED_PUBLICATION: ("《湛河区志（2010—2020）》", "《平顶山年鉴（2024）》"),
    _O.NOT_PROCESSED_CONFIRMATION: ("要求确认某公证书系贵局出具", "要求重新出具已取得的调解协议复印件并加盖公章"),
}
_JYJ_OUTCOME_TITLES: dict[Outcome, tuple[str, ...]] = {
    _O.WITHHELD_STATE_SECRET: ("中考试题及参考答案（启用前）", "国家教育考试保密室建设方案（密件）"),
    _O.WITHHELD_PROHIBITED: ("某学生心理健康档案", "未成年学生违纪处分记录"),
    _O.WITHHELD_SECURITY: ("校园安全稳定风险隐患排查台账", "涉校群体性事件处置预案"),
    _O.WITHHELD_THIRD_PARTY: (
        "某民办学校办学许可申请材料",
        "某公司参与校服采购投标文件",
        "某教师职称评审申报材料",
    ),
    _O.WITHHELD_INTERNAL: ("机关内部考勤管理制度", "机关干部职工年度考核登记表", "局机关公务用车管理办法"),
    _O.WITHHELD_PROCESS: ("局党组会议纪要", "局长办公会研究讨论记录", "学区划分调整方案讨论稿"),
    _O.WITHHELD_ENFORCEMENT: ("某校外培训机构行政处罚案卷", "民办学校专项检查询问笔录"),
    _O.WITHHELD_QUERY: ("本人学籍档案材料查询", "本人中考成绩及录取情况查询"),
    _O.UNAVAILABLE_NEEDS_CREATION: ("近十年全区中小学生按年级性别分类统计表", "各学校教师学历结构分析报告"),
    _O.UNAVAILABLE_UNCLEAR: ("有关文件", "相关补助资料"),
    _O.NOT_PROCESSED_PETITION: ("关于某学校违规收费问题的投诉处理结果", "对某中学教师有偿补课的举报"),
    _O.NOT_PROCESSED_PUBLICATION: ("《湛河区教育志》", "《平顶山年鉴（2024）》"),
    _O.NOT_PROCESSED_CONFIRMATION: (
        "要求确认某毕业证书系辖区学校颁发",
        "要求重新出具已取得的入学通知书复印件并加盖公章",
    ),
}
OUTCOME_TITLES: dict[str, dict[Outcome, tuple[str, ...]]] = {
    "zhanhe-sfj": _SFJ_OUTCOME_TITLES,
    "zhanhe-jyj": _JYJ_OUTCOME_TITLES,
}

NOT_OURS: tuple[tuple[str, str], ...] = (
    ("曹镇乡王庄村征地补偿安置方案", "平顶山市自然资源和规划局湛河分局（联系电话：0375-8166301）"),
    ("湛河区城乡居民基本养老保险缴费情况", "湛河区人力资源和社会保障局（联系电话：0375-8166261）"),
    ("某民事案件一审判决书", "平顶山市湛河区人民法院（联系电话：0375-8166101）"),
    ("姚孟街道老旧小区改造项目规划许可", "平顶山市自然资源和规划局湛河分局（联系电话：0375-8166301）"),
)
NOT_EXIST: dict[str, tuple[str, ...]] = {
    "zhanhe-sfj": ("1998年人民调解工作档案", "2019年已撤并司法所的资产清单", "某已注销法律服务所的年检材料"),
    "zhanhe-jyj": ("1995年已撤并村小的校舍档案", "2018年已撤销教学点的资产清单", "某已注销培训机构的年检材料"),
}

WITHHELD_REASONS: dict[Outcome, tuple[str, str]] = {
    _O.WITHHELD_STATE_SECRET: ("预案全文", "经定密属于国家秘密，依法不予公开（条例第十四条）"),
    _O.WITHHELD_PROHIBITED: (
        "矫正对象个人信息及档案材料",
        "《中华人民共和国社区矫正法》第四条规定应当保密（条例第十四条）",
    ),
    _O.WITHHELD_SECURITY: ("人员名单及管控措施", "公开后可能危及社会稳定（条例第十四条）"),
    _O.WITHHELD_THIRD_PARTY: (
        "第三方的经营信息和个人信息",
        "涉及商业秘密、个人隐私，第三方不同意公开（条例第十五条、第三十二条）",
    ),
    _O.WITHHELD_INTERNAL: ("内部管理事项", "属于人事管理、后勤管理、内部工作流程等内部事务信息（条例第十六条第一款）"),
    _O.WITHHELD_PROCESS: (
        "讨论记录、请示及批示",
        "属于行政机关在履行职责过程中形成的讨论记录、过程稿等过程性信息（条例第十六条第二款）",
    ),
    _O.WITHHELD_ENFORCEMENT: (
        "行政执法案卷材料",
        "属于行政执法案卷信息，法律、法规、规章规定可以不予公开（条例第十六条第二款）",
    ),
    _O.WITHHELD_QUERY: ("档案查询材料", "属于行政查询事项，可按档案查询程序办理（条例第三十六条第（七）项）"),
}

# Where an agency's wording differs from 司法局's: the withheld part and its reason, the personal data left out of a
# partial disclosure, the third parties consulted.
_JYJ_WITHHELD_REASONS: dict[Outcome, tuple[str, str]] = {
    _O.WITHHELD_STATE_SECRET: ("试题及保密方案全文", "经定密属于国家秘密，依法不予公开（条例第十四条）"),
    _O.WITHHELD_PROHIBITED: (
        "未成年学生个人信息及档案材料",
        "《中华人民共和国未成年人保护法》第四条规定应当保护未成年人隐私权和个人信息（条例第十四条）",
    ),
    _O.WITHHELD_SECURITY: ("风险隐患点位及处置措施", "公开后可能危及校园安全和社会稳定（条例第十四条）"),
    _O.WITHHELD_QUERY: ("学籍档案查询材料", "属于行政查询事项，可按学籍档案查询程序办理（条例第三十六条第（七）项）"),
}
PERSONAL_DATA = {
    "zhanhe-sfj": "受援人姓名、身份证号码、联系方式等个人信息",
    "zhanhe-jyj": "学生及家长姓名、身份证号码、联系方式等个人信息",
}
THIRD_PARTIES = {
    "zhanhe-sfj": ("河南中平律师事务所", "平顶山市恒达物流有限公司", "调解协议当事人刘某"),
    "zhanhe-jyj": ("平顶山市育才文化培训学校有限公司", "平顶山市恒达物流有限公司", "教师刘某"),
}
OTHER_AGENCIES = ("湛河区财政局", "湛河区人民政府办公室", "平顶山市司法局")


# ---------------------------------------------------------------------------------------------------------------------
# The plan


@dataclass
class Plan:
    """One case: who, how and when it came in, its path through the workflow and how it ends.

    ``end``: reply | withdraw | cancel (withdrawn before receipt was confirmed) | open | pending; a lapse (补正,
    缴费) or a rejection under 第三十五条 ends the case on its own path.
    """

    key: int
    agency: str
    applicant: Applicant
    channel: Channel
    received: dt.date
    items: tuple[str, ...]
    submitted: dt.date | None = None  # online: the day of submission (≤ received)
    end: str = "reply"
    outcome: Outcome | None = None
    variant: str = _V.NONE
    competent_agency: str = ""
    correction: str = ""  # corrected | lapsed | open
    consultation: str = ""  # agree | disagree | silent | open
    consultee: str = ConsulteeKind.AGENCY
    fee: str = ""  # paid | lapsed | open
    fee_method: str = FeeMethod.PER_VOLUME
    fee_pages: int = 0
    reasons: str = ""  # accepted | rejected | open
    extend: bool = False
    reply_not_before: dt.date | None = None  # carry-overs: answered in January
    repeat_of: int | None = None  # key of the earlier plan a 重复申请 repeats
    public_interest: bool = False
    issue: tuple[str, ...] = ()  # document kinds to issue (the 文书 that are rendered)
    deliver: str = ""  # DeliveryMethod for the issued documents


@dataclass
class _Planner:
    today: dt.date
    calendar: WorkCalendar
    rng: random.Random
    pool: dict[ApplicantType, list[Applicant]]
    plans: list[Plan] = field(default_factory=list)

    def add(self, **values: Any) -> Plan:
        plan = Plan(key=len(self.plans) + 1, **values)
        self.plans.append(plan)
        return plan

    # -- helpers ------------------------------------------------------------------------------------------------

    def working_day(self, day: dt.date) -> dt.date:
        return self.calendar.next_working_day_on_or_after(day)

    def back(self, day: dt.date, n: int) -> dt.date:
        return _back(self.calendar, day, n)

    def day_in(self, start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        return self.working_day(start + dt.timedelta(days=self.rng.randint(0, max(0, span))))

    def applicant(self, kind: ApplicantType | None = None) -> Applicant:
        if kind is None:
            kind = self.rng.choices(list(ApplicantType), weights=(60, 12, 5, 6, 10, 7), k=1)[0]
        return self.rng.choice(self.pool[kind])

    def channel(self, applicant: Applicant) -> Channel:
        options = [Channel.ONLINE, Channel.IN_PERSON, Channel.REGISTERED_MAIL, Channel.ORDINARY_MAIL]
        weights = [45, 25, 17, 8]
        if applicant.kind is _T.NATURAL_PERSON:
            options.append(Channel.ORAL)
            weights.append(6)
        return self.rng.choices(options, weights=weights, k=1)[0]

    def items(self, agency: str, outcome: Outcome | None, year: int) -> tuple[str, ...]:
        known = OUTCOME_TITLES.get(agency, {})
        if outcome is not None and outcome in known:
            return (self.rng.choice(known[outcome]),)
        titles = TITLES[agency]
        count = self.rng.choices((1, 2, 3), weights=(70, 22, 8), k=1)[0]
        chosen = self.rng.sample(titles, count)
        return tuple(f"{year - self.rng.randint(0, 2)}年{t}" if self.rng.random() < 0.6 else t for t in chosen)

    def case(
        self,
        agency: str,
        received: dt.date,
        outcome: Outcome | None,
        *,
        kind: ApplicantType | None = None,
        applicant: Applicant | None = None,
        **values: Any,
    ) -> Plan:
        who = applicant or self.applicant(kind)
        channel = values.pop("channel", None) or self.channel(who)
        assert isinstance(channel, Channel)
        submitted = None
        if channel is Channel.ONLINE:
            earlier = received - dt.timedelta(days=self.rng.choice((0, 0, 1, 2)))
            submitted = earlier if earlier.year == received.year else received
        items = values.pop("items", None) or self.items(agency, outcome, received.year)
        extra: dict[str, object] = {}
        if outcome is _O.DISCLOSED and "variant" not in values:
            extra["variant"] = _V.ALREADY_PUBLIC if self.rng.random() < 0.2 else _V.PROVIDED
        if outcome is _O.UNAVAILABLE_NOT_HELD and "variant" not in values:
            if self.rng.random() < 0.5:
                title, competent = self.rng.choice(NOT_OURS)
                extra |= {"variant": _V.NOT_OURS, "competent_agency": competent, "items": (title,)}
            else:
                extra |= {"variant": _V.NOT_EXIST}
                if agency in NOT_EXIST:
                    extra["items"] = (self.rng.choice(NOT_EXIST[agency]),)
        if "items" in extra:
            items = extra.pop("items")
        return self.add(
            agency=agency,
            applicant=who,
            channel=channel,
            received=received,
            submitted=submitted,
            items=items,
            outcome=outcome,
            **(extra | values),
        )

    # -- scenarios ----------------------------------------------------------------------------------------------

    def path_for(self, outcome: Outcome, agency: str) -> dict[str, Any]:
        """The workflow an outcome needs (or often takes)."""
        has_head = agency in _HEADS
        if outcome is _O.OTHER_NO_CORRECTION:
            return {"correction": "lapsed", "end": "lapse"}
        if outcome is _O.UNAVAILABLE_UNCLEAR:
            return {"correction": "corrected"}
        if outcome is _O.OTHER_FEE_UNPAID:
            return {"fee": "lapsed", "fee_pages": self.rng.randint(45, 260), "end": "lapse"}
        if outcome is _O.NOT_PROCESSED_EXCESSIVE:
            return {"reasons": "rejected", "end": "lapse"}
        if outcome is _O.OTHER:
            return {"end": "withdraw"}
        if outcome is _O.WITHHELD_THIRD_PARTY:
            return {"consultation": "disagree", "consultee": ConsulteeKind.THIRD_PARTY}
        roll = self.rng.random()
        if roll < 0.18:
            return {"correction": "corrected"}
        if roll < 0.24 and outcome in (_O.DISCLOSED, _O.PARTIAL):
            return {"consultation": self.rng.choice(("agree", "silent")), "consultee": ConsulteeKind.AGENCY}
        if roll < 0.30 and outcome in (_O.DISCLOSED, _O.PARTIAL):
            return {"fee": "paid", "fee_pages": self.rng.randint(35, 180)}
        if roll < 0.38 and has_head:
            return {"extend": True}
        return {}

    def filler_outcome(self) -> Outcome:
        weights = {
            _O.DISCLOSED: 34,
            _O.PARTIAL: 10,
            _O.UNAVAILABLE_NOT_HELD: 14,
            _O.UNAVAILABLE_NEEDS_CREATION: 6,
            _O.WITHHELD_PROCESS: 4,
            _O.WITHHELD_INTERNAL: 3,
            _O.WITHHELD_THIRD_PARTY: 2,
            _O.WITHHELD_ENFORCEMENT: 2,
            _O.WITHHELD_QUERY: 2,
            _O.NOT_PROCESSED_PETITION: 4,
            _O.NOT_PROCESSED_CONFIRMATION: 2,
            _O.NOT_PROCESSED_PUBLICATION: 1,
            _O.UNAVAILABLE_UNCLEAR: 1,
            _O.OTHER_NO_CORRECTION: 2,
            _O.OTHER: 3,
        }
        return self.rng.choices(list(weights), weights=list(weights.values()), k=1)[0]

    def year_end(self, year: int) -> dt.date:
        """The last day a case of ``year`` may be received and still be answered within the year."""
        if year == self.today.year:
            return min(LAST_HISTORICAL_DAY, self.back(self.today, 45))
        return dt.date(year, 11, 30)

    def closed_in_year(
        self, agency: str, year: int, outcome: Outcome | None, *, latest: dt.date | None = None, **values: Any
    ) -> Plan:
        path: dict[str, Any] = (self.path_for(outcome, agency) if outcome is not None else {}) | values
        # Long paths (补正, consultation, fee, 35条, extension) need up to three months: receive them early enough.
        long_path = any(path.get(k) for k in ("correction", "consultation", "fee", "reasons", "extend"))
        end = latest or self.year_end(year)
        if long_path:
            end = min(end, dt.date(year, 8, 31) if year < self.today.year else self.back(self.today, 80))
        else:
            end = min(end, dt.date(year, 10, 31) if year < self.today.year else self.back(self.today, 30))
        start = FIRST_DAY if year == FIRST_DAY.year else dt.date(year, 1, 5)
        received = self.day_in(start, end)
        return self.case(agency, received, outcome, **path)

    # -- the whole demo -----------------------------------------------------------------------------------------

    def build(self) -> list[Plan]:
        # From December 2023 too: the 2024 reports then show 二（上年结转） in use as well.
        self.carry_over(YEARS[0] - 1)
        for year in YEARS:
            # 司法局 in 2025 and 2026 with its usual volume; 教育局 in 2024 with fewer ordinary requests.
            self.full_year(FULL_YEAR_AGENCY[year], year, fillers=38 if FULL_YEAR_AGENCY[year] == MAIN_AGENCY else 12)
            self.carry_over(year)
        for agency, per_year in (("zhanhe-czj", 13), ("zhanhe-jyj", 13)):
            for year in YEARS:
                for _ in range(per_year):
                    self.closed_in_year(agency, year, self.filler_outcome())
        self.showcase()
        self.open_cases()
        self.plans.sort(key=lambda p: (p.received, p.key))  # the key keeps one applicant's month in order (按件)
        return self.plans

    def full_year(self, agency: str, year: int, *, fillers: int) -> None:
        kinds = list(ApplicantType)
        # Every 表三 result row, with the applicant types taking turns so that every column is used.
        for n, outcome in enumerate(Outcome):
            kind = kinds[n % len(kinds)]
            if outcome is _O.NOT_PROCESSED_REPEAT:
                self.repeat_pair(agency, year, kind)
            elif outcome is _O.NOT_PROCESSED_EXCESSIVE:
                self.heavy_applicant(agency, year)
            else:
                self.closed_in_year(agency, year, outcome, kind=kind)
        for _ in range(fillers):
            self.closed_in_year(agency, year, self.filler_outcome())
        # 第三十五条 accepted: a reasonable explanation, a stated later date, answered by it.
        self.closed_in_year(agency, year, _O.DISCLOSED, reasons="accepted", kind=_T.RESEARCH)
        # 信息处理费 按量 paid, then disclosed.
        self.closed_in_year(agency, year, _O.DISCLOSED, fee="paid", fee_pages=self.rng.randint(60, 150))
        # A 负责人-approved extension.
        self.closed_in_year(agency, year, _O.PARTIAL, extend=True, kind=_T.COMMERCIAL)
        # A cancelled online application (withdrawn before receipt was confirmed): never counted.
        self.closed_in_year(agency, year, None, end="cancel", channel=Channel.ONLINE)

    def repeat_pair(self, agency: str, year: int, kind: ApplicantType) -> None:
        who = self.applicant(kind)
        first_day = self.day_in(dt.date(year, 1, 5), dt.date(year, 4, 30))
        title = self.rng.choice(TITLES[agency])
        earlier = self.case(agency, first_day, _O.DISCLOSED, applicant=who, items=(title,), variant=_V.PROVIDED)
        again = self.day_in(dt.date(year, 6, 1), dt.date(year, 8, 31))
        self.case(agency, again, _O.NOT_PROCESSED_REPEAT, applicant=who, items=(title,), repeat_of=earlier.key)

    def heavy_applicant(self, agency: str, year: int) -> None:
        """One applicant files a dozen applications in one natural month: the 11th pays 100 元 (按件, 109号第四条),
        the 12th is asked for reasons (第三十五条) and, finding none, is not processed."""
        who = self.pool[_T.NATURAL_PERSON][year - YEARS[0]]  # 王建军, 刘桂兰, 陈志强
        month = {2024: 5, 2025: 6, 2026: 3}[year]
        days = sorted(self.day_in(dt.date(year, month, 6), dt.date(year, month, 24)) for _ in range(12))
        titles = TITLES[agency]
        for n, day in enumerate(days[:10]):
            outcome = self.rng.choice(
                (_O.DISCLOSED, _O.DISCLOSED, _O.UNAVAILABLE_NOT_HELD, _O.UNAVAILABLE_NEEDS_CREATION)
            )
            self.case(agency, day, outcome, applicant=who, items=(titles[(n * 3 + year) % len(titles)],))
        self.case(
            agency,
            days[10],
            _O.DISCLOSED,
            applicant=who,
            items=(titles[(year + 7) % len(titles)],),
            fee="paid",
            fee_method=FeeMethod.PER_ITEM,
            variant=_V.PROVIDED,
        )
        self.case(
            agency,
            days[11],
            _O.NOT_PROCESSED_EXCESSIVE,
            applicant=who,
            items=tuple(titles[(year + k) % len(titles)] for k in range(3)),
            reasons="rejected",
            end="lapse",
        )

    def carry_over(self, year: int) -> None:
        """Received in the last days of December, answered in January: 四 of ``year``, 二 of ``year + 1``.

        Most at the agency that uses every row in ``year`` and in ``year + 1`` — never at 湛河区司法局 across the
        ends of its quiet year."""
        if year + 1 > self.today.year:
            return
        main = FULL_YEAR_AGENCY.get(year) or FULL_YEAR_AGENCY[year + 1]
        assert not (main == MAIN_AGENCY and QUIET_YEAR in (year, year + 1))
        january = dt.date(year + 1, 1, 2)
        extras: tuple[tuple[str, Outcome, ApplicantType, dict[str, Any]], ...] = (
            (main, _O.DISCLOSED, _T.NATURAL_PERSON, {}),
            (main, _O.PARTIAL, _T.LEGAL_SERVICE, {}),
            (main, _O.UNAVAILABLE_NOT_HELD, _T.COMMERCIAL, {}),
            (main, _O.WITHHELD_PROCESS, _T.NATURAL_PERSON, {"extend": True}),
            ("zhanhe-czj", _O.DISCLOSED, _T.NATURAL_PERSON, {}),
            ("zhanhe-jyj", _O.UNAVAILABLE_NEEDS_CREATION, _T.PUBLIC_WELFARE, {}),
        )
        for agency, outcome, kind, extra in extras:
            received = self.day_in(dt.date(year, 12, 15), dt.date(year, 12, 29))
            if received.year != year:
                received = self.back(dt.date(year + 1, 1, 1), 1)
            self.case(
                agency,
                received,
                outcome,
                kind=kind,
                reply_not_before=self.working_day(january + dt.timedelta(days=self.rng.randint(0, 8))),
                **extra,
            )

    def showcase(self) -> None:
        """Cases that show the rarer paths in 2026, with their 文书 issued (rendered) and delivered."""
        year = self.today.year
        main = MAIN_AGENCY
        latest = self.back(self.today, 30)
        self.closed_in_year(
            main, year, _O.PARTIAL, kind=_T.NATURAL_PERSON, issue=(DocumentKind.REPLY,), deliver=DeliveryMethod.EMAIL
        )
        title, competent = NOT_OURS[0]
        self.case(
            main,
            self.day_in(dt.date(year, 9, 1), latest),
            _O.UNAVAILABLE_NOT_HELD,
            kind=_T.NATURAL_PERSON,
            items=(title,),
            variant=_V.NOT_OURS,
            competent_agency=competent,
            issue=(DocumentKind.REPLY,),
            deliver=DeliveryMethod.POST,
        )
        self.closed_in_year(
            main,
            year,
            _O.WITHHELD_THIRD_PARTY,
            kind=_T.COMMERCIAL,
            issue=(DocumentKind.REPLY,),
            deliver=DeliveryMethod.POST,
        )
        # A third party refused, but the agency found an overriding public interest (条例第三十二条).
        self.closed_in_year(
            main,
            year - 1,
            _O.DISCLOSED,
            kind=_T.PUBLIC_WELFARE,
            consultation="disagree",
            consultee=ConsulteeKind.THIRD_PARTY,
            public_interest=True,
        )
        self.closed_in_year(
            main,
            year,
            _O.DISCLOSED,
            kind=_T.NATURAL_PERSON,
            extend=True,
            issue=(DocumentKind.EXTENSION_NOTICE, DocumentKind.REPLY),
            deliver=DeliveryMethod.ONLINE,
        )
        self.closed_in_year(
            main,
            year,
            _O.DISCLOSED,
            kind=_T.RESEARCH,
            fee="paid",
            fee_pages=126,
            issue=(DocumentKind.FEE_NOTICE,),
            deliver=DeliveryMethod.EMAIL,
        )
        self.closed_in_year(main, year - 1, _O.DISCLOSED, kind=_T.LEGAL_SERVICE, issue=(DocumentKind.REPLY,))
        # The demo applicant accounts' own applications (online, linked to the account).
        for person in self.pool[_T.NATURAL_PERSON][-2:] + self.pool[_T.LEGAL_SERVICE][-1:]:
            for year_ in YEARS:
                agency = FULL_YEAR_AGENCY[year_]
                self.closed_in_year(agency, year_, self.filler_outcome(), applicant=person, channel=Channel.ONLINE)

    def open_cases(self) -> None:
        """Open at the day of loading, in every status; some overdue, some due within three working days."""
        today = self.today
        main = MAIN_AGENCY
        zhangsan = next(a for a in self.pool[_T.NATURAL_PERSON] if a.username == "zhangsan")
        # 待确认: submitted online in the last days, receipt not yet confirmed.
        for n, (agency, who) in enumerate(
            ((main, zhangsan), (main, None), (main, None), ("zhanhe-czj", None), ("zhanhe-jyj", None))
        ):
            day = self.back(today, n // 2) if n else today
            plan = self.case(agency, day, None, applicant=who, channel=Channel.ONLINE, end="pending")
            plan.submitted = day
            if n < 2:
                plan.issue = (DocumentKind.RECEIPT,)
        # A fax, registered and confirmed today.
        self.case(main, today, None, kind=_T.COMMERCIAL, channel=Channel.FAX, end="open")
        # 办理中: overdue, due soon, and comfortably within the period.
        for agency, late in ((main, 6), (main, 2), ("zhanhe-czj", 4)):
            self.case(agency, self.received_for_due(self.back(today, late)), None, end="open")
        for agency, days_left in ((main, 0), (main, 2), (main, 3), ("zhanhe-czj", 1), ("zhanhe-jyj", 2)):
            self.case(agency, self.received_for_due(self.calendar.add_working_days(today, days_left)), None, end="open")
        for agency in (main, main, "zhanhe-jyj"):
            self.case(agency, self.back(today, self.rng.randint(3, 10)), None, end="open")
        # Extended by the 负责人, now due within three working days.
        self.case(
            main,
            self.received_for_due(self.calendar.add_working_days(today, 1), extra=15),
            None,
            extend=True,
            end="open",
            kind=_T.LEGAL_SERVICE,
        )
        # 待补正, one with its notice issued and delivered.
        self.case(
            main,
            self.back(today, 4),
            None,
            correction="open",
            end="open",
            issue=(DocumentKind.CORRECTION_NOTICE,),
            deliver=DeliveryMethod.POST,
        )
        self.case(main, self.back(today, 5), None, correction="open", end="open")
        self.case("zhanhe-czj", self.back(today, 3), None, correction="open", end="open")
        # 征求意见中.
        self.case(
            main,
            self.back(today, 8),
            None,
            consultation="open",
            consultee=ConsulteeKind.THIRD_PARTY,
            end="open",
            kind=_T.COMMERCIAL,
        )
        self.case("zhanhe-jyj", self.back(today, 7), None, consultation="open", end="open")
        # 待缴费.
        self.case(main, self.back(today, 9), None, fee="open", fee_pages=88, end="open", kind=_T.RESEARCH)
        self.case("zhanhe-jyj", self.back(today, 10), None, fee="open", fee_pages=215, end="open")
        # 待说明理由 (第三十五条).
        self.case(main, self.back(today, 4), None, reasons="open", end="open", issue=(DocumentKind.REASONS_NOTICE,))
        # A recent online application withdrawn before confirmation.
        plan = self.case(main, self.back(today, 3), None, channel=Channel.ONLINE, end="cancel")
        plan.submitted = plan.received

    def received_for_due(self, due: dt.date, extra: int = 0) -> dt.date:
        """The receipt day whose 20-working-day reply period (plus ``extra`` days of extension) ends on ``due``."""
        day = self.back(due, 20 + extra)
        while self.calendar.add_working_days(day, 20 + extra) < due:
            day += dt.timedelta(days=1)
        return day


def _back(calendar: WorkCalendar, day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day before ``day``."""
    while n > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def plan_cases(today: dt.date, calendar: WorkCalendar) -> list[Plan]:
    """The demo's cases, in order of receipt. The same ``today`` gives the same plan."""
    rng = random.Random(SEED)  # noqa: S311 — demo data, not security
    return _Planner(today, calendar, rng, applicant_pool()).build()


# ---------------------------------------------------------------------------------------------------------------------
# Playing the plan through the services


def _staff(role: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for person in STAFF:
        for code, held in person.roles:
            if held == role:
                found.setdefault(code, person.username)
    return found


_HANDLERS = _staff(Role.HANDLER)
_HEADS = _staff(Role.HEAD)


def case_agencies() -> list[str]:
    """The departments of 湛河区人民政府 that have a demo 经办人: the demo's cases go there."""
    return [
        a.code
        for a in AGENCIES
        if a.parent == "zhanhe-gov" and a.kind in (Kind.DEPARTMENT, Kind.OFFICE) and a.code in _HANDLERS
    ]


@dataclass
class CasesSummary:
    created: int = 0
    documents_issued: int = 0
    seconds: float = 0.0
    render_problem: str = ""  # why no 文书 could be issued (e.g. no CJK font on this machine)


@contextmanager
def applicants_not_notified() -> Iterator[None]:
    """Historical cases are no news to their applicants: while the demo loads, no 回执 is rendered and no e-mail or
    SMS goes out. The services schedule both with ``transaction.on_commit`` and look these two functions up when the
    callback runs, so replacing them until the loader's transaction has committed silences exactly those callbacks.
    (A ``notify=False`` parameter of the services would make this unnecessary.)"""
    replaced = ((services, "receipt_issue"), (notify, "applicant_event"))
    saved = [(module, name, getattr(module, name)) for module, name in replaced]
    for module, name, _original in saved:
        setattr(module, name, _silent)
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _silent(*args: object, **kwargs: object) -> None:
    return None


class _Player:
    def __init__(self, today: dt.date, calendar: WorkCalendar, receipt: Callable[[Case], object]) -> None:
        self.today = today
        self.calendar = calendar
        self.agencies = {a.code: a for a in Agency.objects.filter(code__in=case_agencies())}
        users = set(_HANDLERS.values()) | set(_HEADS.values())
        self.users = {u.username: u for u in User.objects.filter(username__in=users)}
        accounts = [a.username for a in APPLICANTS]
        self.accounts = {u.username: u for u in User.objects.filter(username__in=accounts)}
        self.numbers: dict[int, str] = {}
        self.documents = 0
        self.render_problem = ""
        self.receipt = receipt  # the real one, for the few pending cases that show their 回执

    def after(self, day: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
        return self.calendar.add_working_days(day, rng.randint(low, high))

    def due(self, case: Case) -> dt.date | None:
        # Read afresh: the services move the due date on their own copy of the ledger.
        return ClockLedger.objects.filter(case=case).values_list("reply_due", flat=True).first()

    def upto(self, day: dt.date) -> dt.date:
        return min(day, self.today)

    def play(self, plan: Plan) -> Case:
        rng = random.Random(SEED + plan.key)  # noqa: S311 — demo data, not security
        agency = self.agencies[plan.agency]
        handler = self.users[_HANDLERS[plan.agency]]
        head = self.users.get(_HEADS.get(plan.agency, ""))
        data = plan.applicant.application(plan.items, rng)
        docs: dict[str, CaseDocument] = {}

        if plan.channel is Channel.ONLINE:
            submitted_day = plan.submitted or plan.received
            at = timezone.make_aware(
                dt.datetime.combine(submitted_day, dt.time(rng.randint(8, 21), rng.randint(0, 59)))
            )
            at = min(at, timezone.now() - dt.timedelta(minutes=5))
            account = self.accounts.get(plan.applicant.username)
            case = services.case_submit_online(agency=agency, data=data, applicant_user=account, submitted_at=at)
            if plan.end == "cancel":
                services.case_withdraw(case=case, actor=handler, on=plan.received, reason="申请人来电要求撤回申请")
                return case
            if plan.end == "pending":
                if DocumentKind.RECEIPT in plan.issue:
                    try:
                        self.receipt(case)
                    except ValidationError as error:  # no CJK font on this machine: the draft is kept, as below
                        self.render_problem = error.messages[0]
                    else:
                        self.documents += 1
                return case
            case = services.case_confirm_receipt(case=case, actor=handler, received_on=plan.received)
        elif plan.channel is Channel.FAX:
            case = services.case_register(agency=agency, data=data, channel=plan.channel, actor=handler)
            case = services.case_confirm_receipt(
                case=case, actor=handler, received_on=self.today, note="电话与申请人确认收到传真"
            )
        else:
            note = "收到当日电话与申请人确认" if plan.channel is Channel.ORDINARY_MAIL else ""
            case = services.case_register(
                agency=agency,
                data=data,
                channel=plan.channel,
                actor=handler,
                received_on=plan.received,
                receipt_note=note,
            )
        self.numbers[plan.key] = case.number
        t = plan.received  # the day of the latest fact on the case

        if plan.correction:
            on = self.upto(self.after(t, rng, 1, 5))
            docs[DocumentKind.CORRECTION_NOTICE] = services.case_request_correction(
                case=case,
                actor=handler,
                on=on,
                items="请明确所申请信息的名称、文号或者形成时间等特征性描述",
                period_days=15,
            )
            t = on
            case.refresh_from_db()
            if plan.correction == "corrected":
                t = self.after(t, rng, 2, 10)
                services.case_record_correction(case=case, actor=handler, on=t, note="申请人当面提交补正材料")
            elif plan.correction == "lapsed":
                assert case.correction_deadline is not None
                services.case_correction_lapsed(
                    case=case, actor=handler, on=self.after(case.correction_deadline, rng, 1, 3)
                )
                return self.finish(case, plan, docs, handler)
            else:
                return self.finish(case, plan, docs, handler)

        if plan.consultation:
            on = self.upto(self.after(t, rng, 2, 5))
            if plan.consultee == ConsulteeKind.THIRD_PARTY:
                party = rng.choice(THIRD_PARTIES.get(plan.agency, THIRD_PARTIES[MAIN_AGENCY]))
                matter = "申请人申请公开的信息涉及贵方商业秘密或个人隐私，请于15个工作日内书面提出是否同意公开的意见"
            else:
                party = rng.choice([a for a in OTHER_AGENCIES if a != agency.name])
                matter = "申请人申请公开的信息由本机关与贵机关共同制作，请于15个工作日内提出意见（条例第三十四条）"
            consulted = services.case_start_consultation(
                case=case,
                actor=handler,
                on=on,
                consultees=[services.ConsulteeInput(kind=plan.consultee, party=party, matter=matter)],
            )
            t = on
            if plan.consultation == "open":
                return self.finish(case, plan, docs, handler)
            consultation = consulted[0].consultation
            assert consultation is not None
            if plan.consultation == "silent":
                assert consultation.answer_due is not None
                t = self.calendar.add_working_days(consultation.answer_due, 1)
                services.case_consultation_lapsed(case=case, actor=handler, today=t)
            else:
                t = self.after(t, rng, 4, 12)
                refused = plan.consultation == "disagree"
                services.case_record_opinion(
                    case=case,
                    actor=handler,
                    consultation=consultation,
                    result=OpinionResult.DISAGREE if refused else OpinionResult.AGREE,
                    on=t,
                    reasons="公开将泄露本单位的经营信息和有关人员的个人信息" if refused else "",
                )

        if plan.fee:
            on = self.upto(self.after(t, rng, 2, 5))
            per_item = plan.fee_method == FeeMethod.PER_ITEM
            docs[DocumentKind.FEE_NOTICE] = services.case_notify_fee(
                case=case,
                actor=handler,
                on=on,
                method=plan.fee_method,
                pieces=1 if per_item else None,
                pages=None if per_item else plan.fee_pages,
            )
            t = on
            fee = FeeAssessment.objects.get(case=case)
            if plan.fee == "paid":
                t = self.after(t, rng, 3, 12)
                services.case_record_payment(
                    case=case, actor=handler, on=t, amount=fee.amount, receipt_number=f"豫财票{plan.key:06d}"
                )
            elif plan.fee == "lapsed":
                assert fee.pay_by is not None
                services.case_fee_lapsed(case=case, actor=handler, on=self.after(fee.pay_by, rng, 1, 3))
                return self.finish(case, plan, docs, handler)
            else:
                return self.finish(case, plan, docs, handler)

        if plan.reasons:
            on = self.upto(self.after(t, rng, 1, 4))
            docs[DocumentKind.REASONS_NOTICE] = services.case_ask_reasons(
                case=case, actor=handler, on=on, note="同一申请人本月申请数量明显超过合理范围"
            )
            t = on
            if plan.reasons == "open":
                return self.finish(case, plan, docs, handler)
            t = self.after(t, rng, 3, 8)
            if plan.reasons == "rejected":
                services.case_reject_reasons(case=case, actor=handler, on=t, reasons="申请人未说明合理理由")
                return self.finish(case, plan, docs, handler)
            due = self.due(case)
            until = max(self.calendar.add_working_days(t, 30), due or t)
            services.case_accept_reasons(
                case=case,
                actor=handler,
                on=t,
                reasons="申请人系课题研究需要，说明了申请数量的合理用途",
                until=until,
            )

        if plan.extend:
            assert head is not None, f"{plan.agency} 没有负责人，不能延期"
            due = self.due(case)
            assert due is not None
            approved = self.upto(min(due, self.after(max(t, _back(self.calendar, due, 3)), rng, 0, 2)))
            docs[DocumentKind.EXTENSION_NOTICE] = services.case_extend(
                case=case,
                actor=head,
                days=rng.choice((10, 15, 20)) if plan.end != "open" else 15,
                reason="申请公开的信息涉及多个年度的档案，需要调取、审核",
                approved_on=approved,
            )
            t = due  # answered in the extended period, after the original 20 working days

        if plan.end == "open":
            return self.finish(case, plan, docs, handler)
        if plan.end == "withdraw":
            on = self.upto(self.after(t, rng, 1, 8))
            services.case_withdraw(case=case, actor=handler, on=on, reason="申请人书面申请撤回")
            return self.finish(case, plan, docs, handler)
        docs[DocumentKind.REPLY] = services.case_reply(case=case, actor=handler, data=self.reply(case, plan, t, rng))
        return self.finish(case, plan, docs, handler)

    def reply(self, case: Case, plan: Plan, t: dt.date, rng: random.Random) -> services.ReplyInput:
        due = self.due(case)
        if plan.extend:
            day = self.after(t, rng, 1, 8)
        elif due is not None and due > t:
            room = self.calendar.working_days_between(t, due)
            day = self.calendar.add_working_days(t, rng.randint(1, max(1, room - 1)))
        else:
            day = self.calendar.add_working_days(t, 1)
        if plan.reply_not_before is not None:
            day = max(day, plan.reply_not_before)
        if due is not None:
            day = min(day, due)
        assert plan.outcome is not None
        outcome = plan.outcome
        withheld: list[services.WithheldInput] = []
        text = ""
        reasons = WITHHELD_REASONS | (_JYJ_WITHHELD_REASONS if plan.agency == "zhanhe-jyj" else {})
        if outcome is _O.PARTIAL:
            ground = rng.choice((_O.WITHHELD_THIRD_PARTY, _O.WITHHELD_PROCESS, _O.WITHHELD_INTERNAL))
            withheld.append(
                services.WithheldInput(
                    PERSONAL_DATA.get(plan.agency, "有关人员的姓名、身份证号码、联系方式等个人信息")
                    if ground is _O.WITHHELD_THIRD_PARTY
                    else reasons[ground][0],
                    ground,
                    reasons[ground][1],
                )
            )
        elif outcome in reasons:
            part, reason = reasons[outcome]
            withheld.append(services.WithheldInput(part, outcome, reason))
        elif plan.variant == _V.ALREADY_PUBLIC:
            text = f"请登录{case.agency.website or '湛河区人民政府门户网站'}“政府信息公开”专栏查阅。"
        elif outcome is _O.NOT_PROCESSED_PUBLICATION:
            text = "可通过新华书店购买，或到平顶山市图书馆地方文献阅览室查阅"
        return services.ReplyInput(
            outcome=outcome,
            on=self.upto(day),
            text=text,
            variant=plan.variant,
            withheld=withheld,
            competent_agency=plan.competent_agency,
            earlier_case_number=self.numbers.get(plan.repeat_of or 0, ""),
            public_interest_reason="该信息涉及辖区群众切身利益，不公开可能对公共利益造成重大影响"
            if plan.public_interest
            else "",
        )

    def finish(self, case: Case, plan: Plan, docs: dict[str, CaseDocument], handler: User) -> Case:
        for kind in plan.issue:
            draft = docs.get(kind)
            if draft is None:
                continue
            try:
                issued = services.document_issue(document=draft, actor=handler, on=draft.date_on)
            except ValidationError as error:  # no CJK font on this machine: the demo keeps the drafts
                self.render_problem = error.messages[0]
                continue
            self.documents += 1
            if plan.deliver:
                self.deliver(issued, plan, handler)
        return case

    def deliver(self, document: CaseDocument, plan: Plan, handler: User) -> None:
        sent = document.date_on
        method = DeliveryMethod(plan.deliver)
        delivered = self.upto(self.calendar.add_working_days(sent, 2 if method == DeliveryMethod.POST else 0))
        services.document_deliver(
            document=document,
            actor=handler,
            data=services.DeliveryInput(
                method=method,
                sent_on=sent,
                delivered_on=delivered,
                waybill=f"EMS1{plan.key:08d}CN" if method == DeliveryMethod.POST else "",
                address=plan.applicant.email if method == DeliveryMethod.EMAIL else plan.applicant.address,
            ),
        )


def cases_load(*, today: dt.date | None = None) -> CasesSummary:
    """Create the demo's cases once: skipped when 湛河区司法局 already has any case."""
    summary = CasesSummary()
    today = today or timezone.localdate()
    if Case.objects.filter(agency__code=MAIN_AGENCY).exists():
        return summary
    if today < LAST_HISTORICAL_DAY:
        return summary  # a clock set before the demo's history: the services would refuse its dates
    started = time.monotonic()
    calendar = current_calendar()
    plans = plan_cases(today, calendar)
    receipt = services.receipt_issue
    with applicants_not_notified(), transaction.atomic():
        player = _Player(today, calendar, receipt)
        for plan in plans:
            try:
                player.play(plan)
            except ValidationError as error:
                raise RuntimeError(
                    f"演示申请第{plan.key}件（{plan.agency}，{plan.received}）：{error.messages}"
                ) from error
            summary.created += 1
        # Their receipt jobs close with them, whatever GONGKAI_RECEIPTS says: no later `gongkai receipts process` may
        # mail a few hundred historical applicants (the few pending cases that show a 回执 got it above).
        ReceiptJob.objects.filter(case__agency__code__in=case_agencies(), done_at__isnull=True).update(
            done_at=timezone.now()
        )
    summary.documents_issued = player.documents
    summary.render_problem = player.render_problem
    summary.seconds = time.monotonic() - started
    return summary
