"""Administrative agencies (行政机关): the hierarchy, the 工作机构's contact data, the 主管部门 relation, agency policy."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from gongkai.core.validators import (
    credit_code_problem,
    normalize_code,
    org_code_problem,
    validate_phone,
    validate_postcode,
)

# Path segments that sit beside /apply/<code>/ (the public application form): an agency cannot take them.
RESERVED_CODES = frozenset({"track", "mine", "submitted", "to", "api", "staff", "static", "media"})


class Level(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"


class Kind(models.TextChoices):
    # 人民政府 and its 部门; the 办公厅（室） is usually the 政府信息公开工作主管部门 (条例第三条).
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "政府部门"
    OFFICE = "office", "政府办公厅（室）"
    OTHER = "other", "其他机关或组织"


class Agency(models.Model):
    name = models.CharField("机关名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.SlugField(
        "机关代码",
        max_length=40,
        unique=True,
        help_text="英文小写、数字和连字符，用于网址和命令行，如 zhanhe-sfj",
    )
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="部门的上级为本级人民政府；下级人民政府的上级为上一级人民政府",
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name="政府信息公开工作主管部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised",
        help_text="负责推进、指导、协调、监督本机关政府信息公开工作的主管部门（条例第三条）",
    )
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, help_text="18位，GB 32100 校验；没有时填写组织机构代码"
    )
    org_code = models.CharField("组织机构代码", max_length=10, blank=True, help_text="9位，GB 11714 校验")
    division_code = models.CharField("行政区划代码", max_length=12, blank=True)
    is_active = models.BooleanField("启用", default=True)

    # 政府信息公开工作机构 — the contact data that the 指南 must carry (条例第十二条).
    office_name = models.CharField("政府信息公开工作机构名称", max_length=100, blank=True)
    office_address = models.CharField("办公地址", max_length=200, blank=True)
    office_postcode = models.CharField("邮政编码", max_length=6, blank=True, validators=[validate_postcode])
    office_hours = models.CharField("办公时间", max_length=200, blank=True)
    office_phone = models.CharField("联系电话", max_length=40, blank=True, validators=[validate_phone])
    office_fax = models.CharField("传真", max_length=40, blank=True, validators=[validate_phone])
    office_email = models.EmailField("电子邮箱", blank=True)
    website = models.URLField("网址", blank=True)

    # Agency policy: kept in the database, edited by the 机构管理员.
    doc_number_pattern = models.CharField(
        "依申请公开文号格式",
        max_length=60,
        blank=True,
        help_text="如 湛司公复〔{year}〕{seq}号；可用 {year}、{seq}",
    )
    index_number_pattern = models.CharField(
        "索引号格式",
        max_length=60,
        default="{org}/{year}-{seq:05d}",
        help_text="默认 <机构代码>/<年份>-<5位流水号>；可用 {org}、{year}、{month}、{seq}",
    )
    letterhead = models.CharField("文书抬头", max_length=100, blank=True, help_text="发文机关标志，默认为机关名称")

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "行政机关"
        verbose_name_plural = "行政机关"
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        """The code used in 索引号: the organisation code when known, else the credit code."""
        if self.org_code:
            return self.org_code
        if self.credit_code:
            return self.credit_code[8:17]
        return self.code

    @property
    def is_government(self) -> bool:
        return self.kind == Kind.GOVERNMENT

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.credit_code:
            self.credit_code = normalize_code(self.credit_code)
            problem = credit_code_problem(self.credit_code)
            if problem:
                errors["credit_code"] = problem
        if self.org_code:
            self.org_code = normalize_code(self.org_code)
            problem = org_code_problem(self.org_code)
            if problem:
                errors["org_code"] = problem
        if not self.credit_code and not self.org_code:
            errors["credit_code"] = "请填写统一社会信用代码或组织机构代码"
        if self.credit_code and self.org_code and not errors and self.credit_code[8:17] != self.org_code:
            errors["org_code"] = "组织机构代码应与统一社会信用代码第9至17位一致"
        if self.code in RESERVED_CODES:
            errors["code"] = f"“{self.code}”是系统保留的网址，不能用作机关代码"
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = "上级机关不能是本机关"
        if self.supervisor_id and self.supervisor_id == self.pk:
            errors["supervisor"] = "主管部门不能是本机关"
        if errors:
            raise ValidationError(errors)
