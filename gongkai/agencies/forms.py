from __future__ import annotations

from django import forms

from gongkai.agencies.models import Agency
from gongkai.agencies.services import CONTACT_FIELDS, POLICY_FIELDS


class AgencyContactForm(forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(label="网址", required=False, assume_scheme="https")

    class Meta:
        model = Agency
        fields = [*CONTACT_FIELDS, *POLICY_FIELDS]
