"""The demo world, as data. Contact data is invented but plausible; identifiers carry valid check characters."""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.accounts.roles import PlatformRole, Role
from gongkai.agencies.models import Kind, Level
from gongkai.core.validators import id_number_check_char, org_code_check_char, uscc_check_char

DEMO_PASSWORD = "Gongkai-demo-2024"  # noqa: S105 — printed by `make demo`; the production profile has no demo accounts


def org_code(body: str) -> str:
    return body + org_code_check_char(body)


def credit_code(division: str, org_body: str, prefix: str = "11") -> str:
    # "11": registered by 机构编制, type 机关; "31": 司法行政, 律师执业机构 (GB 32100 tables 1 and 2)
    first17 = prefix + division + org_code(org_body)
    return first17 + uscc_check_char(first17)


def id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    short_name: str
    level: str
    kind: str
    division: str
    org_body: str
    parent: str | None
    supervisor: str | None
    office_name: str
    address: str
    postcode: str
    phone: str
    fax: str
    email: str
    website: str
    doc_pattern: str = ""
    hours: str = "周一至周五 上午8:00—12:00，下午15:00—18:00（法定节假日除外）"


AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency(
        "pds-gov",
        "平顶山市人民政府",
        "平顶山市政府",
        Level.CITY,
        Kind.GOVERNMENT,
        "410400",
        "00574331",
        None,
        None,
        "平顶山市人民政府办公室政务公开科",
        "平顶山市新华区建设路中段",
        "467000",
        "0375-2660110",
        "0375-2660119",
        "zwgk@demo.pds.gov.cn",
        "http://www.pds.gov.cn/",
        "平政公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "pds-gov-office",
        "平顶山市人民政府办公室",
        "市政府办公室",
        Level.CITY,
        Kind.OFFICE,
        "410400",
        "00574332",
        "pds-gov",
        None,
        "平顶山市人民政府办公室政务公开科",
        "平顶山市新华区建设路中段",
        "467000",
        "0375-2660112",
        "0375-2660119",
        "bgs@demo.pds.gov.cn",
        "http://www.pds.gov.cn/",
        "平政办公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-gov",
        "平顶山市湛河区人民政府",
        "湛河区政府",
        Level.COUNTY,
        Kind.GOVERNMENT,
        "410411",
        "00593121",
        "pds-gov",
        "pds-gov-office",
        "湛河区人民政府办公室政务公开股",
        "平顶山市湛河区南环路与光明路交叉口",
        "467000",
        "0375-8166001",
        "0375-8166009",
        "zwgk@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/",
        "湛政公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-gov-office",
        "平顶山市湛河区人民政府办公室",
        "湛河区政府办公室",
        Level.COUNTY,
        Kind.OFFICE,
        "410411",
        "00593122",
        "zhanhe-gov",
        "pds-gov-office",
        "湛河区人民政府办公室政务公开股",
        "平顶山市湛河区南环路与光明路交叉口",
        "467000",
        "0375-8166002",
        "0375-8166009",
        "bgs@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/",
        "湛政办公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-sfj",
        "湛河区司法局",
        "区司法局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410411",
        "00593251",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "湛河区司法局办公室",
        "平顶山市湛河区姚孟大道与曹镇路交叉口司法局办公楼",
        "467000",
        "0375-8166215",
        "0375-8166216",
        "sfj@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/sfj/",
        "湛司公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-czj",
        "湛河区财政局",
        "区财政局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410411",
        "00593252",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "湛河区财政局办公室",
        "平顶山市湛河区光明路南段财政局",
        "467000",
        "0375-8166231",
        "0375-8166232",
        "czj@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/czj/",
        "湛财公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-jyj",
        "湛河区教育局",
        "区教育局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410411",
        "00593253",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "湛河区教育局办公室",
        "平顶山市湛河区南环路中段教育局",
        "467000",
        "0375-8166241",
        "0375-8166242",
        "jyj@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/jyj/",
        "湛教公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-mzj",
        "湛河区民政局",
        "区民政局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410411",
        "00593254",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "湛河区民政局办公室",
        "平顶山市湛河区开源路南段民政局",
        "467000",
        "0375-8166251",
        "0375-8166252",
        "mzj@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/mzj/",
        "湛民公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-rsj",
        "湛河区人力资源和社会保障局",
        "区人社局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410411",
        "00593255",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "湛河区人力资源和社会保障局办公室",
        "平顶山市湛河区姚孟大道中段人社局",
        "467000",
        "0375-8166261",
        "0375-8166262",
        "rsj@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/rsj/",
        "湛人社公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-zjj",
        "湛河区住房和城乡建设局",
        "区住建局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410411",
        "00593256",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "湛河区住房和城乡建设局办公室",
        "平顶山市湛河区曹镇路北段住建局",
        "467000",
        "0375-8166271",
        "0375-8166272",
        "zjj@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/zjj/",
        "湛建公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-scjgj",
        "湛河区市场监督管理局",
        "区市场监管局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410411",
        "00593257",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "湛河区市场监督管理局办公室",
        "平顶山市湛河区南环路东段市场监管局",
        "467000",
        "0375-8166281",
        "0375-8166282",
        "scjgj@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/scjgj/",
        "湛市监公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-caozhen",
        "湛河区曹镇乡人民政府",
        "曹镇乡政府",
        Level.TOWNSHIP,
        Kind.GOVERNMENT,
        "410411",
        "00593311",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "曹镇乡人民政府党政办公室",
        "平顶山市湛河区曹镇乡政府院内",
        "467000",
        "0375-8166311",
        "0375-8166312",
        "czx@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/czx/",
        "曹政公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "zhanhe-beidu",
        "湛河区北渡镇人民政府",
        "北渡镇政府",
        Level.TOWNSHIP,
        Kind.GOVERNMENT,
        "410411",
        "00593312",
        "zhanhe-gov",
        "zhanhe-gov-office",
        "北渡镇人民政府党政办公室",
        "平顶山市湛河区北渡镇政府院内",
        "467000",
        "0375-8166321",
        "0375-8166322",
        "bdz@demo.zhanhe.gov.cn",
        "http://www.zhanhe.gov.cn/bdz/",
        "北政公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "baofeng-gov",
        "宝丰县人民政府",
        "宝丰县政府",
        Level.COUNTY,
        Kind.GOVERNMENT,
        "410421",
        "00587411",
        "pds-gov",
        "pds-gov-office",
        "宝丰县人民政府办公室政务公开股",
        "平顶山市宝丰县人民路中段县政府大院",
        "467400",
        "0375-6100101",
        "0375-6100109",
        "zwgk@demo.baofeng.gov.cn",
        "http://www.baofeng.gov.cn/",
        "宝政公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "baofeng-gov-office",
        "宝丰县人民政府办公室",
        "宝丰县政府办公室",
        Level.COUNTY,
        Kind.OFFICE,
        "410421",
        "00587412",
        "baofeng-gov",
        "pds-gov-office",
        "宝丰县人民政府办公室政务公开股",
        "平顶山市宝丰县人民路中段县政府大院",
        "467400",
        "0375-6100102",
        "0375-6100109",
        "bgs@demo.baofeng.gov.cn",
        "http://www.baofeng.gov.cn/",
        "宝政办公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "baofeng-sfj",
        "宝丰县司法局",
        "县司法局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410421",
        "00587521",
        "baofeng-gov",
        "baofeng-gov-office",
        "宝丰县司法局办公室",
        "平顶山市宝丰县龙兴路东段司法局",
        "467400",
        "0375-6100211",
        "0375-6100212",
        "sfj@demo.baofeng.gov.cn",
        "http://www.baofeng.gov.cn/sfj/",
        "宝司公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "baofeng-jyj",
        "宝丰县教育局",
        "县教育局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410421",
        "00587522",
        "baofeng-gov",
        "baofeng-gov-office",
        "宝丰县教育局办公室",
        "平顶山市宝丰县前营路教育局",
        "467400",
        "0375-6100221",
        "0375-6100222",
        "jyj@demo.baofeng.gov.cn",
        "http://www.baofeng.gov.cn/jyj/",
        "宝教公复〔{year}〕{seq}号",
    ),
    DemoAgency(
        "baofeng-czj",
        "宝丰县财政局",
        "县财政局",
        Level.COUNTY,
        Kind.DEPARTMENT,
        "410421",
        "00587523",
        "baofeng-gov",
        "baofeng-gov-office",
        "宝丰县财政局办公室",
        "平顶山市宝丰县人民路西段财政局",
        "467400",
        "0375-6100231",
        "0375-6100232",
        "czj@demo.baofeng.gov.cn",
        "http://www.baofeng.gov.cn/czj/",
        "宝财公复〔{year}〕{seq}号",
    ),
)


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    roles: tuple[tuple[str, str], ...] = ()  # (agency code, role)
    platform_role: str = PlatformRole.NONE
    note: str = ""


STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("zh_handler", "李静", (("zhanhe-sfj", Role.HANDLER),), note="湛河区司法局 经办人"),
    DemoStaff("zh_reviewer", "王磊", (("zhanhe-sfj", Role.REVIEWER),), note="湛河区司法局 审核人（保密审查）"),
    DemoStaff("zh_head", "赵建国", (("zhanhe-sfj", Role.HEAD),), note="湛河区司法局 负责人"),
    DemoStaff("zh_admin", "孙丽", (("zhanhe-sfj", Role.AGENCY_ADMIN),), note="湛河区司法局 机构管理员"),
    DemoStaff("zh_auditor", "周敏", (("zhanhe-sfj", Role.AUDITOR),), note="湛河区司法局 审计员"),
    DemoStaff("czj_handler", "陈晓", (("zhanhe-czj", Role.HANDLER),), note="湛河区财政局 经办人"),
    DemoStaff(
        "jyj_handler",
        "刘洋",
        (("zhanhe-jyj", Role.HANDLER), ("zhanhe-jyj", Role.HEAD)),
        note="湛河区教育局 经办人、负责人",
    ),
    DemoStaff(
        "zh_supervisor",
        "郑宏",
        (("zhanhe-gov-office", Role.SUPERVISOR),),
        note="湛河区人民政府办公室 主管部门（监督全区）",
    ),
    DemoStaff("pds_supervisor", "高远", (("pds-gov-office", Role.SUPERVISOR),), note="平顶山市人民政府办公室 主管部门"),
    DemoStaff("bf_handler", "马超", (("baofeng-sfj", Role.HANDLER),), note="宝丰县司法局 经办人"),
    DemoStaff("bf_admin", "何芳", (("baofeng-sfj", Role.AGENCY_ADMIN),), note="宝丰县司法局 机构管理员"),
    DemoStaff("sysadmin", "系统管理员", platform_role=PlatformRole.SYSTEM_ADMIN, note="平台 系统管理员"),
    DemoStaff("secadmin", "安全管理员", platform_role=PlatformRole.SECURITY_ADMIN, note="平台 安全管理员"),
    DemoStaff("auditor", "平台审计员", platform_role=PlatformRole.AUDITOR, note="平台 审计员（只读审计日志）"),
)


@dataclass(frozen=True)
class DemoApplicant:
    username: str
    full_name: str
    email: str
    id_type: str
    id_number: str
    phone: str
    address: str
    postcode: str = "467000"
    extra: dict[str, str] = field(default_factory=dict)


APPLICANTS: tuple[DemoApplicant, ...] = (
    DemoApplicant(
        "zhangsan",
        "张三",
        "zhangsan@example.com",
        "resident_id",
        id_number("41041119850312413"),
        "13903751234",
        "平顶山市湛河区姚孟街道和平路12号",
    ),
    DemoApplicant(
        "lisi",
        "李四",
        "lisi@example.com",
        "resident_id",
        id_number("41042119900716562"),
        "13783756789",
        "平顶山市宝丰县城关镇前营路8号",
    ),
    DemoApplicant(
        "lawfirm",
        "河南鹰城律师事务所",
        "office@yingcheng-law.example.com",
        "credit_code",
        credit_code("410400", "3G570123", prefix="31"),
        "037522881234",
        "平顶山市新华区中兴路88号",
    ),
)
