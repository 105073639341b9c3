from __future__ import annotations

from django import forms

from gongkai.agencies.models import Agency
from gongkai.agencies.services import CONTACT_FIELDS, POLICY_FIELDS
from gongkai.core.formfields import DigitsField


class AgencyContactForm(forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(label="网址", required=False, assume_scheme="https")
    # Folds a full-width postcode as the applicant's forms do; the model's validator still guards other writers.
    office_postcode = DigitsField(
        6, label="邮政编码", required=False, error_messages={"invalid": "邮政编码应为6位数字"}
    )

    class Meta:
        model = Agency
        fields = [*CONTACT_FIELDS, *POLICY_FIELDS]
