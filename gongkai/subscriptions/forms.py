from __future__ import annotations

from typing import Any

from django import forms

from gongkai.agencies.models import Agency
from gongkai.publications.codebook import Category
from gongkai.subscriptions.services import KEYWORD_MAX


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="电子邮箱",
        max_length=254,
        error_messages={
            "required": "请填写电子邮箱",
            "invalid": "电子邮箱格式不正确，请填写如 name@example.com 的地址",
        },
    )
    agency = forms.ModelChoiceField(
        label="机关",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="全部机关",
        error_messages={"invalid_choice": "请从列表中选择机关"},
    )
    category = forms.ChoiceField(
        label="公开类别",
        choices=[("", "全部类别"), *Category.choices],
        required=False,
        error_messages={"invalid_choice": "请从列表中选择公开类别"},
    )
    keyword = forms.CharField(
        label="关键词",
        max_length=KEYWORD_MAX,
        required=False,
        help_text="标题、内容概述或正文中含有该词的信息，如“低保”“行政处罚”",
        error_messages={"max_length": f"关键词不能超过 {KEYWORD_MAX} 个字"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.filter(is_active=True).order_by("name")

    def clean_keyword(self) -> str:
        value = self.cleaned_data.get("keyword") or ""
        if "\x00" in value:
            raise forms.ValidationError("关键词含有无效字符")
        return " ".join(value.split())
