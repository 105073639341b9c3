"""Channel adapters: how one published item reaches one channel (条例第二十三条 — publish once, deliver everywhere).

An adapter's ``deliver`` returns the channel's id for the copy or raises ``DeliveryError``. ``NotConfigured`` is the
one error that is not an attempt: the channel cannot be tried at all on this installation, so its rows wait.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import nh3
import requests
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatException

from gongkai.publications.codebook import Channel
from gongkai.publications.models import Publication

log = logging.getLogger(__name__)

__all__ = [
    "ChannelAdapter",
    "DeliveryError",
    "DeliveryResult",
    "FeedAdapter",
    "NotConfigured",
    "PortalAdapter",
    "WeChatAdapter",
    "adapter_for",
    "wechat_article",
]

WECHAT_TIMEOUT = 20  # seconds per HTTP call; a hanging API must not hold a worker for long
# WeChat's own limits on a draft article (draft/add): longer values are refused with errcode 45003/45004/45110.
WECHAT_DIGEST_MAX = 120
WECHAT_AUTHOR_MAX = 16


@dataclass(frozen=True)
class DeliveryResult:
    external_id: str = ""


class DeliveryError(Exception):
    """The channel refused or could not be reached; the message (Chinese where it is ours) is stored on the row."""


class NotConfigured(DeliveryError):
    """The channel is not set up here (e.g. no 公众号 appid): nothing was tried, the row stays pending."""


class ChannelAdapter(Protocol):
    channel: str

    def deliver(self, publication: Publication) -> DeliveryResult: ...


class PortalAdapter:
    """The portal serves the catalogue itself: publishing is delivering (publications.services.publication_publish)."""

    channel: str = Channel.PORTAL.value

    def deliver(self, publication: Publication) -> DeliveryResult:
        return DeliveryResult()


class FeedAdapter:
    """RSS/Atom feeds read the catalogue when they are fetched: nothing to push. Not a channel of the codebook (a feed
    is part of the portal), kept so that a future feed channel needs no new contract."""

    channel: str = "feed"

    def deliver(self, publication: Publication) -> DeliveryResult:
        return DeliveryResult()


def _item_url(publication: Publication) -> str:
    base = str(getattr(settings, "GONGKAI_SITE_URL", "") or "").rstrip("/")
    if not base:
        return ""
    for name, kwargs in (
        ("portal:item", {"code": publication.agency.code, "pk": publication.pk}),
        ("portal:agency", {"code": publication.agency.code}),
    ):
        try:
            return base + reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return base + "/"


def wechat_article(publication: Publication) -> dict[str, Any]:
    """The draft article of one item: title, digest = 内容概述, content = the sanitised body, author = the agency."""
    agency = publication.agency
    body = nh3.clean(publication.body or "") or f"<p>{nh3.clean(publication.summary or publication.title)}</p>"
    article: dict[str, Any] = {
        "title": publication.title,
        "author": (agency.short_name or agency.name)[:WECHAT_AUTHOR_MAX],
        "digest": " ".join((publication.summary or "").split())[:WECHAT_DIGEST_MAX],
        "content": body,
        "content_source_url": _item_url(publication),
        "need_open_comment": 0,
        "only_fans_can_comment": 0,
    }
    thumb = str(getattr(settings, "GONGKAI_WECHAT_THUMB_MEDIA_ID", "") or "")
    if thumb:
        article["thumb_media_id"] = thumb
    return article


class _Client(WeChatClient):  # type: ignore[misc]
    """wechatpy's client with the API base taken from settings for every call, the token URL included (wechatpy
    hard-codes api.weixin.qq.com there), so that tests and private gateways can point it elsewhere."""

    def __init__(self, appid: str, secret: str, api_base: str) -> None:
        super().__init__(appid, secret, timeout=WECHAT_TIMEOUT)
        self.API_BASE_URL = api_base.rstrip("/") + "/"

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class WeChatAdapter:
    """政务新媒体/公众号: an article draft through the official API (draft/add); the agency's editor then publishes it
    in the 公众号 console. The draft's media_id is the delivery's external id."""

    channel: str = Channel.WECHAT.value

    def __init__(self) -> None:
        self.appid = str(getattr(settings, "GONGKAI_WECHAT_APPID", "") or "")
        self.secret = str(getattr(settings, "GONGKAI_WECHAT_SECRET", "") or "")
        self.api_base = str(getattr(settings, "GONGKAI_WECHAT_API_BASE", "") or "https://api.weixin.qq.com/cgi-bin/")
        self._client: _Client | None = None

    @property
    def configured(self) -> bool:
        return bool(self.appid and self.secret)

    def not_configured_note(self) -> str:
        return "公众号未配置（GONGKAI_WECHAT_APPID / GONGKAI_WECHAT_SECRET），配置后自动发送"

    def client(self) -> _Client:
        if self._client is None:  # one client per run: the access token is fetched once and reused
            self._client = _Client(self.appid, self.secret, self.api_base)
        return self._client

    def deliver(self, publication: Publication) -> DeliveryResult:
        if not self.configured:
            raise NotConfigured(self.not_configured_note())
        try:
            result = self.client().post("draft/add", data={"articles": [wechat_article(publication)]})
        except WeChatException as error:
            raise DeliveryError(f"微信接口返回错误 {error.errcode}：{error.errmsg}") from error
        except requests.RequestException as error:
            raise DeliveryError(f"无法连接微信接口：{type(error).__name__}") from error
        media_id = result.get("media_id") if isinstance(result, dict) else None
        if not media_id:
            raise DeliveryError("微信接口未返回草稿编号（media_id）")
        return DeliveryResult(external_id=str(media_id))


def adapter_for(channel: str) -> ChannelAdapter | None:
    """The adapter of a codebook channel, or None where delivery is manual (政府公报, 其他: recorded by staff)."""
    if channel == Channel.PORTAL:
        return PortalAdapter()
    if channel == Channel.WECHAT:
        return WeChatAdapter()
    return None
