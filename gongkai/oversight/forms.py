"""Back-office forms of the 考核 editor: the scheme's settings and one row per rule (a formset)."""

from __future__ import annotations

from typing import Any

from django import forms

from gongkai.oversight.metrics import Metric
from gongkai.oversight.models import Scope, WhenMissing


class SchemeForm(forms.Form):
    scope = forms.ChoiceField(label="考核对象", choices=Scope.choices)
    note = forms.CharField(label="考核说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RuleForm(forms.Form):
    metric = forms.ChoiceField(label="考核指标", choices=[("", "（不设）"), *Metric.choices], required=False)
    weight = forms.DecimalField(label="分值", required=False, max_digits=7, decimal_places=2)
    full_at = forms.DecimalField(label="满分线", required=False, max_digits=12, decimal_places=4)
    zero_at = forms.DecimalField(label="零分线", required=False, max_digits=12, decimal_places=4)
    when_missing = forms.ChoiceField(label="无数据时", choices=WhenMissing.choices, initial=WhenMissing.FULL)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The rows are a table without visible labels per cell: each input names its rule and column for screen readers.
        number = (self.prefix or "").rsplit("-", 1)[-1]
        row = f"第{int(number) + 1}条 " if number.isdecimal() else ""
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{row}{field.label}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("metric"):
            for name in ("weight", "full_at", "zero_at"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "请填写")
        return data


RuleFormSet = forms.formset_factory(RuleForm, extra=2, can_delete=True, max_num=len(Metric.choices), absolute_max=20)
