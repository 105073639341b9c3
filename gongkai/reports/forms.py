"""Forms of the annual-report pages: they parse input only; every rule (transition, permission, R1–R10) is the
service's. Uploads are checked here — size first, then the type by content, never by the name or the client's claim."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from gongkai.cases import uploads
from gongkai.reports.importers import MAX_BYTES as IMPORT_MAX_BYTES
from gongkai.reports.schema import SECTIONS, SUBHEADS
from gongkai.reports.services import MAX_SECTION_CHARS, SECTION_KEYS

__all__ = [
    "CHECK_MAX_BYTES",
    "CheckForm",
    "CheckedUpload",
    "CorrectForm",
    "FiguresForm",
    "ImportForm",
    "PublishForm",
    "ReportForm",
    "ReturnForm",
    "SectionsForm",
    "section_field",
]

CHECK_MAX_BYTES = 20 * 1024 * 1024
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TEXT_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt")
_SECTION_LABELS: dict[str, str] = {
    **{key: label for key, label in SECTIONS},
    **{key: f"一{label}" for key, label in SUBHEADS},
}
_SECTION_LABELS["1"] = "一、总体情况（导语）"


def section_field(key: str) -> str:
    """The form field of a section key ("1.2" → "s1_2")."""
    return "s" + key.replace(".", "_")


class ReportForm(forms.Form):
    """An action on one version: the id it was shown with, so a stale page cannot act on a newer version."""

    report_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)

    def __init__(self, *args: Any, report_pk: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report_pk = report_pk
        if report_pk is not None and not self.is_bound:
            self.fields["report_id"].initial = report_pk

    def clean_report_id(self) -> int:
        value: int = self.cleaned_data["report_id"]
        if value != self.report_pk:
            raise ValidationError("页面已过期：报告已有新的版本或状态，请刷新后重试")
        return value


class SectionsForm(ReportForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in SECTION_KEYS:
            self.fields[section_field(key)] = forms.CharField(
                label=_SECTION_LABELS[key],
                required=False,
                strip=False,
                max_length=MAX_SECTION_CHARS,
                widget=forms.Textarea(attrs={"rows": 6}),
            )

    @classmethod
    def initial_for(cls, sections: dict[str, str]) -> dict[str, str]:
        return {section_field(key): sections.get(key, "") for key in SECTION_KEYS}

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(section_field(key), "") for key in SECTION_KEYS}


class ReturnForm(ReportForm):
    reason = forms.CharField(label="退回原因", required=False, max_length=500)


class PublishForm(ReportForm):
    published_on = forms.DateField(label="发布日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["published_on"].initial = timezone.localdate()


class CorrectForm(ReportForm):
    revision_note = forms.CharField(
        label="修订说明",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="更正的内容和原因，随更正后的报告公开",
    )


_MAX_COUNT = 2_000_000_000


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=_MAX_COUNT)


class FiguresForm(forms.Form):
    """表二 第二十条第（五）（六）（八）项 as typed."""

    licensing = _count("行政许可（件）")
    penalties = _count("行政处罚（件）")
    enforcement = _count("行政强制（件）")
    fees_wan = forms.DecimalField(
        label="行政事业性收费（万元）",
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("9999999999.9999"))],
        help_text="最多4位小数",
    )
    source = forms.CharField(label="数据来源", max_length=2000, initial="手工填报")

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("licensing", "penalties", "enforcement", "fees_wan")}


def _read_upload(upload: UploadedFile[Any], limit: int, label: str) -> bytes:
    size = upload.size or 0
    if size > limit:
        raise ValidationError(f"{label}超过{limit // (1024 * 1024)}MB的大小限制")
    content = bytes(upload.read(limit + 1))
    if len(content) > limit:
        raise ValidationError(f"{label}超过{limit // (1024 * 1024)}MB的大小限制")
    if not content:
        raise ValidationError(f"{label}是空文件")
    return content


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content: bytes
    suffix: str  # the suffix the content was recognised as (".xlsx", ".csv", ".md", …)


def _sniff(name: str, content: bytes) -> str:
    """The content type of a PDF/DOCX/XLSX by its content (archive bombs refused), errors as plain messages."""
    try:
        return uploads.sniff(name, content, field="file").content_type
    except ValidationError as error:
        raise ValidationError(error.messages) from None


def _safe_name(name: str) -> str:
    return re.sub(r"[\x00-\x1f/\\]", "_", name).strip()[:200]


class ImportForm(forms.Form):
    """An enforcement system's export: XLSX (recognised by its content) or CSV (text)."""

    file = forms.FileField(label="导入文件（CSV 或 XLSX）", help_text="第一列为项目名称，第二列为数量；最大5MB")

    def clean_file(self) -> CheckedUpload:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        content = _read_upload(upload, IMPORT_MAX_BYTES, "导入文件")
        name = _safe_name(upload.name or "") or "导入文件"
        if content.startswith(b"PK\x03\x04"):
            if _sniff(name, content) != _XLSX:
                raise ValidationError("导入文件的类型不受支持（按内容识别），只接受 XLSX 或 CSV")
            return CheckedUpload(name, content, ".xlsx")
        if name.lower().endswith(".xls"):
            raise ValidationError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV")
        if not _is_text(content):
            raise ValidationError("导入文件的类型不受支持（按内容识别），只接受 XLSX 或 CSV（UTF-8 或 GB18030 编码）")
        return CheckedUpload(name, content, ".csv")


def _check_upload(upload: UploadedFile[Any], label: str) -> CheckedUpload:
    content = _read_upload(upload, CHECK_MAX_BYTES, label)
    name = _safe_name(upload.name or "") or label
    if content.startswith(b"%PDF") or content.startswith(b"PK\x03\x04"):
        suffix = {"application/pdf": ".pdf", _DOCX: ".docx", _XLSX: ".xlsx"}.get(_sniff(name, content))
        if suffix is None:
            raise ValidationError(f"{label}的类型不受支持（按内容识别），只接受 PDF、DOCX、XLSX 或文本")
        return CheckedUpload(name, content, suffix)
    if not _is_text(content):
        raise ValidationError(
            f"{label}的类型不受支持（按内容识别）：只接受 Markdown、HTML、纯文本（UTF-8 或 GB18030）、DOCX、XLSX 或 PDF"
        )
    lowered = name.lower()
    suffix = next((s for s in _TEXT_SUFFIXES if lowered.endswith(s)), ".txt")
    return CheckedUpload(name, content, suffix)


class CheckForm(forms.Form):
    report = forms.FileField(label="年度报告文件", help_text="Markdown、HTML、纯文本、DOCX、XLSX 或 PDF，最大20MB")
    previous = forms.FileField(
        label="上一年度报告（可选）", required=False, help_text="提供时检查与上年数据的衔接（R5、R6）"
    )

    def clean_report(self) -> CheckedUpload:
        return _check_upload(self.cleaned_data["report"], "年度报告文件")

    def clean_previous(self) -> CheckedUpload | None:
        upload = self.cleaned_data.get("previous")
        return _check_upload(upload, "上一年度报告") if upload else None
