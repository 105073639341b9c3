"""Users: staff (who hold roles per agency) and the public (applicants) are separate populations of one table."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from gongkai.accounts.roles import PlatformRole, Role
from gongkai.core.fields import BlindIndexField, EncryptedTextField


class UserKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    PUBLIC = "public", "公众用户"


class User(AbstractUser):
    # Set once at creation and never changed: a public account can never become a staff account or the reverse.
    kind = models.CharField("用户类别", max_length=10, choices=UserKind.choices)
    full_name = models.CharField("姓名", max_length=100, blank=True)
    platform_role = models.CharField(
        "平台角色", max_length=20, choices=PlatformRole.choices, blank=True, default=PlatformRole.NONE
    )
    # An initial or reset password is known to whoever set it: its holder must replace it before anything else.
    must_change_password = models.BooleanField("须修改密码", default=False)
    # When the password was last set: the 等保 profile's periodic change is counted from here (8.1.4.1 a).
    password_changed_at = models.DateTimeField("密码设置时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["staff", "public"]), name="accounts_user_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(platform_role="") | models.Q(kind="staff"),
                name="accounts_platform_role_staff_only",
            ),
            # 三员分立: one column holds at most one of the three platform duties, and only a known one.
            models.CheckConstraint(
                condition=models.Q(platform_role__in=["", "system_admin", "security_admin", "auditor"]),
                name="accounts_platform_role_valid",
            ),
        ]

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def audit_label(self) -> str:
        """The account as the audit log names it: a public account by number, never by its holder's name (the log
        outlives the retention purge of their data: docs/security.md「个人信息生命周期」); staff by name."""
        return f"公众用户#{self.pk}" if self.kind == UserKind.PUBLIC else str(self)

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and self.kind == UserKind.STAFF

    @property
    def is_public_user(self) -> bool:
        return self.is_active and self.kind == UserKind.PUBLIC


class Membership(models.Model):
    user = models.ForeignKey(User, verbose_name="工作人员", on_delete=models.PROTECT, related_name="memberships")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "岗位角色"
        verbose_name_plural = "岗位角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["handler", "reviewer", "head", "agency_admin", "supervisor", "auditor"]),
                name="membership_role_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="membership_user_active")]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.get_role_display()}"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    PASSPORT = "passport", "护照"
    HK_MO_TW = "hk_mo_tw", "港澳台居民居住证/通行证"
    OTHER = "other", "其他有效证件"


class ApplicantProfile(models.Model):
    """A public user's identity as an applicant (条例第二十九条: 姓名或者名称、身份证明、联系方式).

    The ID number and phone are encrypted at rest and found through their blind indexes.
    """

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="applicant_profile")
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = EncryptedTextField("证件号码", kind="id_number", null=True, blank=True)
    id_number_index = BlindIndexField(source="id_number")
    phone = EncryptedTextField("联系电话", kind="phone", null=True, blank=True)
    phone_index = BlindIndexField(source="phone")
    postal_address = models.CharField("通信地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "申请人信息"
        verbose_name_plural = "申请人信息"

    def __str__(self) -> str:
        return f"{self.user} 的申请人信息"

    @property
    def audit_label(self) -> str:
        return f"公众用户#{self.user_id} 的申请人信息"
