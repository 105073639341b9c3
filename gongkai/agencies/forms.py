from __future__ import annotations

from django import forms

from gongkai.agencies.models import Agency
from gongkai.agencies.services import CONTACT_FIELDS, POLICY_FIELDS
from gongkai.core.formfields import PostcodeField


class AgencyContactForm(forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(label="网址", required=False, assume_scheme="https")
    # Folds a full-width postcode as the applicant's forms do; the model's validator still guards other writers.
    office_postcode = PostcodeField()

    class Meta:
        model = Agency
        fields = [*CONTACT_FIELDS, *POLICY_FIELDS]
