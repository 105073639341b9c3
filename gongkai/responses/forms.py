from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from gongkai.agencies.models import Agency
from gongkai.responses.models import ConcernStatus, Source

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ConcernFilterForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=Agency.objects.none(), required=False, empty_label="全部")
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *ConcernStatus.choices], required=False)
    source = forms.ChoiceField(label="来源", choices=[("", "全部"), *Source.choices], required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


class ConcernForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=Agency.objects.none(), empty_label=None)
    source = forms.ChoiceField(label="来源", choices=Source.choices)
    raised_at = forms.DateTimeField(label="发现时间", widget=_DT, help_text="舆情出现或转来的时间")
    topic = forms.CharField(label="主题", max_length=200)
    summary = forms.CharField(label="内容摘要", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    url = forms.URLField(label="链接", max_length=500, required=False, assume_scheme="https")

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


class RespondForm(forms.Form):
    text = forms.CharField(label="回应内容", widget=forms.Textarea(attrs={"rows": 4}))
    responded_at = forms.DateTimeField(label="回应时间", widget=_DT, required=False, help_text="不填为现在")
    index_number = forms.CharField(
        label="回应信息索引号", max_length=80, required=False, help_text="以主动公开信息回应的，填写该信息的索引号"
    )


class LinkForm(forms.Form):
    response_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    index_number = forms.CharField(label="回应信息索引号", max_length=80)
