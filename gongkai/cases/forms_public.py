"""Forms of the public 依申请公开 pages: they parse input only; the rules live in ``services.validate_application``.

The application form is deliberately permissive (every text field optional, generous length caps): the service
checks everything at once and names every bad field, so the applicant sees all problems in one round.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.boundfield import BoundField, BoundWidget

from gongkai.accounts.models import IdType
from gongkai.cases import uploads
from gongkai.cases.codebook import ApplicantType, ObtainMethod, ProvisionForm
from gongkai.cases.models import AttachmentKind
from gongkai.cases.services import ApplicationInput, ItemInput, UploadInput
from gongkai.core.formfields import DigitsField
from gongkai.ratelimit.captcha import CAPTCHA_FIELD, captcha_field

__all__ = ["ITEM_ROWS", "MAX_FILES", "ApplicationForm", "TrackForm", "WithdrawForm"]

ITEM_ROWS = 5  # fixed rows: the form works without JavaScript
MAX_FILES = 5  # per attachment field
ITEM_FIELDS = (("title", "信息名称", 300), ("doc_number", "文号", 100), ("description", "特征性描述", 5000))

# Service error keys that are not form fields, shown with the group they belong to.
ITEMS_KEY = "items"

_ORGANISATIONS = [(t.value, t.label) for t in ApplicantType if t.is_organisation]


def _text(label: str, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        error_messages={"max_length": "不能超过%(limit_value)d个字（现有%(show_value)d个字）"},
        **kwargs,
    )


def _choice(label: str, choices: Any, widget: type[forms.Widget] = forms.Select) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=choices,
        widget=widget,
        error_messages={"invalid_choice": f"请从列表中选择{label}"},
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by content in ``ApplicationForm._sniff``."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if isinstance(f, UploadedFile)]


class ApplicationForm(forms.Form):
    """条例第二十九条: who applies, how to reach them, what is sought, in which form and how to obtain it."""

    applicant_type = _choice(
        "申请人类型",
        [
            (ApplicantType.NATURAL_PERSON.value, ApplicantType.NATURAL_PERSON.label),
            ("法人或其他组织", _ORGANISATIONS),
        ],
        forms.RadioSelect,
    )
    applicant_name = _text("申请人姓名或名称", 200)
    id_type = _choice("证件类型", [("", "请选择"), *IdType.choices])
    id_number = _text("证件号码", 60, help_text="自然人填写身份证件号码；法人或其他组织填写统一社会信用代码。")
    contact_person = _text("联系人", 100, help_text="法人或其他组织必填。")
    phone = _text("联系电话", 40, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = _text("电子邮箱", 254, widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}))
    postal_address = _text("通信地址", 400, widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    postcode = _text("邮政编码", 20, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    provision_form = _choice("信息的提供形式", ProvisionForm.choices, forms.RadioSelect)
    obtain_method = _choice("获取信息的方式", ObtainMethod.choices, forms.RadioSelect)
    id_copy = MultipleFileField(
        label="身份证明复印件",
        required=False,
        help_text="可选择多个文件。接受 PDF、JPEG、PNG、Word、Excel，按文件内容识别类型。",
    )
    materials = MultipleFileField(label="其他材料", required=False, help_text="可选择多个文件，要求同上。")
    remarks = _text("其他说明", 6000, widget=forms.Textarea(attrs={"rows": 4}))

    # Marked with an asterisk; the service decides (e.g. 联系人 only for organisations).
    marked_required = frozenset(
        {"applicant_type", "applicant_name", "id_type", "id_number", "phone", "provision_form", "obtain_method"}
    )

    def __init__(self, *args: Any, captcha: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, ITEM_ROWS + 1):
            for name, label, limit in ITEM_FIELDS:
                widget: forms.Widget = forms.Textarea(attrs={"rows": 2}) if name == "description" else forms.TextInput()
                self.fields[f"item-{n}-{name}"] = _text(f"第{n}项{label}", limit, widget=widget)
        # After repeated submissions from one address (gongkai.ratelimit.captcha): the last field before "提交申请".
        self.has_captcha = captcha
        if captcha:
            self.fields[CAPTCHA_FIELD] = captcha_field()
        self.item_errors: list[str] = []
        self.uploads: list[UploadInput] = []

    # -- rendering helpers --------------------------------------------------------------------------------------

    def item_rows(self) -> list[tuple[int, list[BoundField]]]:
        return [(n, [self[f"item-{n}-{name}"] for name, _l, _m in ITEM_FIELDS]) for n in range(1, ITEM_ROWS + 1)]

    def applicant_type_groups(self) -> tuple[list[BoundWidget], list[BoundWidget]]:
        radios = list(self["applicant_type"])
        person = [r for r in radios if r.data["value"] == ApplicantType.NATURAL_PERSON]
        return person, [r for r in radios if r.data["value"] != ApplicantType.NATURAL_PERSON]

    @property
    def lost_files(self) -> bool:
        """Files never survive a re-rendered form: the page says so when some were chosen."""
        return bool(self.files) and any(f for f in self.files.values())

    # -- cleaning -----------------------------------------------------------------------------------------------

    def _sniff(self, name: str, kind: str) -> list[UploadedFile[bytes]]:
        files: list[UploadedFile[bytes]] = self.cleaned_data.get(name) or []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"最多上传{MAX_FILES}个文件，现有{len(files)}个")
        limit = int(getattr(settings, "GONGKAI_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
        for upload in files:
            # Read at most one byte past the limit: ``sniff`` refuses it by size without holding a huge file.
            content = upload.read(limit + 1)
            try:
                sniffed = uploads.sniff(str(upload.name or ""), content, field=name)
            except ValidationError as error:
                raise forms.ValidationError(
                    error.message_dict.get(name, error.messages) if hasattr(error, "error_dict") else error.messages
                ) from None
            self.uploads.append(UploadInput(sniffed.name, sniffed.content, sniffed.content_type, kind))
        return files

    def clean_id_copy(self) -> list[UploadedFile[bytes]]:
        return self._sniff("id_copy", AttachmentKind.ID_COPY)

    def clean_materials(self) -> list[UploadedFile[bytes]]:
        return self._sniff("materials", AttachmentKind.APPLICATION)

    # -- to the service and back --------------------------------------------------------------------------------

    def _value(self, name: str) -> str:
        value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
        return value if isinstance(value, str) else ""

    def application_input(self, *, fallback: dict[str, str] | None = None) -> ApplicationInput:
        """The service's input from whatever cleaned; ``fallback`` fills empty fields (a signed-in applicant's
        stored ID number and phone, which are never put into the page in clear)."""
        fallback = fallback or {}

        def value(name: str) -> str:
            return self._value(name) or fallback.get(name, "")

        items = [
            ItemInput(
                title=self._value(f"item-{n}-title"),
                doc_number=self._value(f"item-{n}-doc_number"),
                description=self._value(f"item-{n}-description"),
            )
            for n in range(1, ITEM_ROWS + 1)
        ]
        return ApplicationInput(
            applicant_type=value("applicant_type"),
            applicant_name=value("applicant_name"),
            id_type=value("id_type"),
            id_number=value("id_number"),
            phone=value("phone"),
            items=items,
            provision_form=value("provision_form"),
            obtain_method=value("obtain_method"),
            email=value("email"),
            postal_address=value("postal_address"),
            postcode=value("postcode"),
            contact_person=value("contact_person"),
            remarks=value("remarks"),
            attachments=list(self.uploads),
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's messages next to the fields they name; a field that already has a (form) error keeps
        only that one, so nothing is said twice."""
        problems: dict[str, list[str]] = (
            error.message_dict if hasattr(error, "error_dict") else {"__all__": list(error.messages)}
        )
        for name, messages in problems.items():
            if name == ITEMS_KEY:
                self.item_errors.extend(messages)
            elif name in self.fields:
                if not self.has_error(name):
                    self.add_error(name, messages)
            else:
                self.add_error(None, messages)

    def has_item_errors(self) -> bool:
        return bool(self.item_errors) or any(
            self.has_error(f"item-{n}-{name}") for n in range(1, ITEM_ROWS + 1) for name, _l, _m in ITEM_FIELDS
        )

    @property
    def failed(self) -> bool:
        return bool(self.errors) or bool(self.item_errors)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message naming the field) for the summary at the top of the page, in the form's order."""
        summary: list[tuple[str, str]] = [("", str(e)) for e in self.non_field_errors()]
        if self.item_errors:
            summary += [("items", f"申请公开的政府信息：{e}") for e in self.item_errors]
        for name, field in self.fields.items():
            for problem in self.errors.get(name, []):
                summary.append((self[name].auto_id or "", f"{field.label}：{problem}"))
        return summary


class TrackForm(forms.Form):
    code = forms.CharField(
        label="查询码",
        max_length=40,
        help_text="提交申请后页面和回执上的查询码，如 ABCD-EFGH-JKLM。",
        error_messages={"required": "请填写查询码", "max_length": "查询码不正确"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone_last4 = DigitsField(
        4,
        label="手机号后四位",
        help_text="申请时填写的联系电话的最后四位数字。",
        error_messages={"required": "请填写手机号后四位", "invalid": "手机号后四位应为4位数字"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),  # DigitsField adds maxlength and inputmode
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label="我确认撤回本申请",
        error_messages={"required": "请勾选“我确认撤回本申请”"},
    )
    reason = forms.CharField(
        label="撤回理由（可不填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "撤回理由不能超过%(limit_value)d个字"},
    )
