"""Back-office forms: parse input only; the services validate the law."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from gongkai.agencies.models import Agency
from gongkai.appeals.codebook import RESULTS, AppealKind, Column, Instance, Route
from gongkai.appeals.models import Appeal, Status
from gongkai.appeals.services import AppealInput
from gongkai.cases.models import Case

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, widget=_DATE, required=required, help_text=help_text)


class FilterForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=Agency.objects.none(), required=False, empty_label="全部")
    kind = forms.ChoiceField(label="类别", choices=[("", "全部"), *AppealKind.choices], required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部"), ("open", "未审结"), *Status.choices], required=False
    )
    year = forms.IntegerField(label="年度（表四口径）", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


class AppealForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=AppealKind.choices)
    route = forms.ChoiceField(label="起诉途径（行政诉讼）", choices=[("", "—"), *Route.choices], required=False)
    instance = forms.ChoiceField(label="审级（行政诉讼）", choices=[("", "—"), *Instance.choices], required=False)
    preceding = forms.ModelChoiceField(
        label="前序程序",
        queryset=Appeal.objects.none(),
        required=False,
        help_text="复议后起诉：此前的行政复议；二审：一审",
    )
    body = forms.CharField(label="复议机关或人民法院", max_length=200)
    number = forms.CharField(label="案号", max_length=100, required=False)
    appellant = forms.CharField(label="申请人（原告）", max_length=200)
    subject = forms.CharField(label="被申请复议（被诉）的政府信息公开行为", widget=forms.Textarea(attrs={"rows": 3}))
    case_numbers = forms.CharField(
        label="涉及的依申请公开案件（申请编号）",
        required=False,
        help_text="本机关的申请编号，多个用逗号或空格分隔",
    )
    proactive = forms.BooleanField(label="涉及主动公开工作", required=False)
    simplified = forms.BooleanField(label="适用简易程序（行政复议法第五十三条）", required=False)
    filed_on = _date("申请（起诉）日期")
    accepted_on = _date("受理（立案）日期", required=False, help_text="二审：法院收到上诉状之日")
    copy_received_on = _date("收到申请书（起诉状）副本之日", required=False)

    def __init__(self, *args: Any, agency: Agency, exclude: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        field = self.fields["preceding"]
        assert isinstance(field, forms.ModelChoiceField)
        queryset = Appeal.objects.filter(agency=agency).order_by("-filed_on", "-pk")
        field.queryset = queryset.exclude(pk=exclude) if exclude else queryset

    def clean_case_numbers(self) -> list[Case]:
        numbers = [n for n in re.split(r"[\s,，、;；]+", self.cleaned_data.get("case_numbers") or "") if n]
        found = {c.number: c for c in Case.objects.filter(agency=self.agency, number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"本机关没有申请编号为{'、'.join(missing)}的申请")
        return [found[n] for n in dict.fromkeys(numbers)]

    def to_input(self) -> AppealInput:
        data = self.cleaned_data
        return AppealInput(
            kind=data["kind"],
            route=data.get("route") or "",
            instance=data.get("instance") or "",
            preceding=data.get("preceding"),
            body=data["body"],
            number=data.get("number") or "",
            appellant=data["appellant"],
            subject=data["subject"],
            proactive=bool(data.get("proactive")),
            simplified=bool(data.get("simplified")),
            cases=data["case_numbers"],
            filed_on=data["filed_on"],
            accepted_on=data.get("accepted_on"),
            copy_received_on=data.get("copy_received_on"),
        )

    @staticmethod
    def initial_for(appeal: Appeal) -> dict[str, Any]:
        return {
            "kind": appeal.kind,
            "route": appeal.route,
            "instance": appeal.instance,
            "preceding": appeal.preceding_id,
            "body": appeal.body,
            "number": appeal.number,
            "appellant": appeal.appellant,
            "subject": appeal.subject,
            "case_numbers": " ".join(appeal.cases.order_by("pk").values_list("number", flat=True)),
            "proactive": appeal.proactive,
            "simplified": appeal.simplified,
            "filed_on": appeal.filed_on,
            "accepted_on": appeal.accepted_on,
            "copy_received_on": appeal.copy_received_on,
        }


class AcceptForm(forms.Form):
    accepted_on = _date("受理（立案）日期")


class CopyForm(forms.Form):
    received_on = _date("收到申请书（起诉状）副本之日")
    accepted_on = _date("受理（立案）日期", required=False, help_text="尚未记录的，可一并填写")


class AnswerForm(forms.Form):
    answered_on = _date("提交答复（答辩）日期")
    note = forms.CharField(label="说明", required=False, max_length=2000)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=30)
    approved_on = _date("批准延长日期")
    reason = forms.CharField(label="理由", required=False, max_length=500)


class ResultForm(forms.Form):
    result = forms.ChoiceField(label="结果")
    result_on = _date("结果日期", help_text="决定书、判决书或裁定书的日期")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["result"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (code, f"{r.label}（{r.basis.split('：')[0]}）") for code, r in RESULTS.items() if r.kind == kind
        ]


class MappingForm(forms.Form):
    result = forms.ChoiceField(label="结果", choices=[(code, r.label) for code, r in RESULTS.items()])
    column = forms.ChoiceField(label="表四栏目", choices=[("", "（移出归类）"), *Column.choices], required=False)
