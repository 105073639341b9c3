"""Form fields shared by the public and back-office forms."""

from __future__ import annotations

from typing import Any

from django import forms

from gongkai.core.validators import POSTCODE_PROBLEM, fold_digits

__all__ = ["DigitsField", "PostcodeField"]


class DigitsField(forms.RegexField):
    """Exactly ``length`` digits 0–9 (the last four of a phone, a postcode, a one-time code). Full-width digits are
    folded to ASCII first; any other digit ("٣") is refused with the field's "invalid" message — ``\\d`` would admit
    it, and comparing it later (``hmac.compare_digest``) raised TypeError."""

    def __init__(self, length: int, **kwargs: Any) -> None:
        self.length = length  # before super(): Field.__init__ asks widget_attrs
        super().__init__(regex=rf"^[0-9]{{{length}}}$", **kwargs)

    def to_python(self, value: Any) -> str | None:
        text: str | None = super().to_python(value)
        return fold_digits(text).replace(" ", "") if text else text

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs.update(maxlength=str(self.length), inputmode="numeric")
        return attrs


class PostcodeField(DigitsField):
    """An optional 邮政编码, with the message ``validate_postcode`` and the application service give."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "邮政编码")
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {"invalid": POSTCODE_PROBLEM})
        super().__init__(6, **kwargs)
