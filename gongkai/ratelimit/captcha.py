"""The CAPTCHA of the public application form: django-simple-captcha, drawn locally with Pillow (no outside service;
agency intranets are offline), asked only after a client address has submitted GONGKAI_APPLY_CAPTCHA_AFTER times in the
GONGKAI_APPLY_RATE window — most applicants never see it.

Accessibility: an image CAPTCHA cannot be read by a screen reader. The image has a text alternative saying what to do,
the input has a label, "换一张" works without JavaScript, and the page tells the applicant other ways to apply
(条例第二十九条 allows letters and in-person applications). No audio CAPTCHA: it needs flite/sox on the server.
"""

from __future__ import annotations

from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django.conf import settings

from gongkai.ratelimit.services import Decision

__all__ = ["CAPTCHA_FIELD", "REFRESH", "captcha_field", "captcha_needed"]

CAPTCHA_FIELD = "captcha"
REFRESH = "captcha_refresh"  # the name of the "换一张" button: re-render with a new image, keep the typed data


class _Widget(CaptchaTextInput):  # type: ignore[misc]  # django-simple-captcha ships no type hints
    template_name = "ratelimit/captcha_widget.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)
        context["length"] = int(getattr(settings, "CAPTCHA_LENGTH", 4))
        return context


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label="验证码",
        help_text=(
            "您近期提交次数较多，请输入图片中的字符（不区分大小写）。看不清可点“看不清验证码，换一张”，已填写的内容会保留。"
            "无法识别验证码的，也可以通过信函、传真或到受理机关当面提出申请。"
        ),
        widget=_Widget(attrs={"inputmode": "text", "maxlength": "20"}),
        error_messages={
            "required": "请填写验证码",
            "incomplete": "请填写验证码",
            "invalid": "验证码不正确或已过期，请输入新图片中的字符",
        },
    )


def captcha_needed(prior_hits: int) -> bool:
    """True once the client address has this many earlier submissions in the window (GONGKAI_APPLY_CAPTCHA_AFTER)."""
    return prior_hits >= int(getattr(settings, "GONGKAI_APPLY_CAPTCHA_AFTER", 3))


def prior_hits(decision: Decision) -> int:
    return max(0, decision.hits - 1)
