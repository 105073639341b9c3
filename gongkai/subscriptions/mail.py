"""The two mails of a subscription — the confirmation (double opt-in) and the digest — with the unsubscribe link in
the body and in ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` (RFC 2369, RFC 8058 one-click)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import NoReverseMatch, reverse

from gongkai.core.dates import chinese_date
from gongkai.publications.models import Publication
from gongkai.subscriptions.models import Subscription
from gongkai.subscriptions.tokens import unsubscribe_token

__all__ = ["absolute", "describe", "item_url", "send_confirmation", "send_digest", "unsubscribe_url"]


def absolute(path: str) -> str:
    return str(getattr(settings, "GONGKAI_SITE_URL", "") or "").rstrip("/") + path


def unsubscribe_url(subscription: Subscription) -> str:
    return absolute(reverse("subscriptions:unsubscribe", kwargs={"token": unsubscribe_token(subscription.pk)}))


def item_url(publication: Publication) -> str:
    try:
        return absolute(reverse("portal:item", kwargs={"code": publication.agency.code, "pk": publication.pk}))
    except NoReverseMatch:
        return ""


def describe(subscription: Subscription) -> str:
    parts = []
    if subscription.agency_id:
        parts.append(f"机关：{subscription.agency.name}" if subscription.agency else "")
    if subscription.category:
        parts.append(f"类别：{subscription.get_category_display()}")
    if subscription.keyword:
        parts.append(f"关键词：{subscription.keyword}")
    return "；".join(p for p in parts if p) or "全部主动公开信息"


def _headers(subscription: Subscription) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_confirmation(subscription: Subscription, raw_token: str) -> None:
    site = getattr(settings, "GONGKAI_SITE_NAME", "政府信息公开平台")
    confirm = absolute(reverse("subscriptions:confirm", kwargs={"token": raw_token}))
    body = "\n".join(
        [
            "您好：",
            "",
            f"有人用本邮箱在{site}订阅了政府信息推送（{describe(subscription)}）。",
            "如确系您本人订阅，请打开以下链接并点击“确认订阅”（7日内有效）：",
            confirm,
            "",
            "未确认的订阅不会收到任何推送；如非本人操作，请忽略本邮件。",
            f"退订：{unsubscribe_url(subscription)}",
        ]
    )
    EmailMessage(
        subject=f"【{site}】请确认订阅政府信息推送",
        body=body,
        to=[subscription.email],
        headers=_headers(subscription),
    ).send()


def send_digest(subscription: Subscription, items: Sequence[Publication]) -> None:
    site = getattr(settings, "GONGKAI_SITE_NAME", "政府信息公开平台")
    lines = ["您好：", "", f"按您的订阅（{describe(subscription)}），以下主动公开信息新近发布：", ""]
    for item in items:
        lines.append(f"· {item.title}")
        meta = [item.agency.name, f"索引号 {item.index_number}"]
        if item.doc_number:
            meta.append(item.doc_number)
        if item.published_on:
            meta.append(f"发布日期 {chinese_date(item.published_on)}")
        lines.append("  " + "，".join(meta))
        if item.summary:
            lines.append("  " + " ".join(item.summary.split())[:200])
        url = item_url(item)
        if url:
            lines.append("  " + url)
        lines.append("")
    lines += [f"退订（一键）：{unsubscribe_url(subscription)}", "", f"本邮件由{site}自动发送，同一信息只推送一次。"]
    EmailMessage(
        subject=f"【{site}】政府信息推送：{len(items)} 条新信息",
        body="\n".join(lines),
        to=[subscription.email],
        headers=_headers(subscription),
    ).send()
