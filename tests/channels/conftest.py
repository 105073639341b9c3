"""Channel delivery tests: published items built directly (the publication workflow is not under test here) and a
local fake of WeChat's API — ``/cgi-bin/token`` and ``/cgi-bin/draft/add`` — on a thread, never the network."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from gongkai.agencies.models import Agency
from gongkai.publications.codebook import Category, Channel, DeliveryStatus, Status
from gongkai.publications.models import ChannelDelivery, Publication
from tests.factories import make_agency

_seq = itertools.count(1)


def make_published(
    agency: Agency, *, channels: tuple[str, ...] = (Channel.PORTAL, Channel.WECHAT), **fields: Any
) -> Publication:
    n = next(_seq)
    values: dict[str, Any] = {
        "agency": agency,
        "year": 2026,
        "seq": n,
        "index_number": f"TEST/2026-{n:05d}",
        "title": f"关于印发《湛河区行政执法公示办法》的通知（{n}）",
        "issuing_body": agency.name,
        "formed_on": dt.date(2026, 11, 20),
        "published_on": dt.date(2026, 11, 25),
        "category": Category.ART20_1,
        "summary": "规范行政执法公示工作。",
        "body": "<p>各单位：</p><p>现将办法印发给你们。</p><script>alert(1)</script>",
        "status": Status.PUBLISHED,
    }
    values.update(fields)
    publication = Publication.objects.create(**values)
    for channel in channels:
        ChannelDelivery.objects.create(
            publication=publication,
            channel=channel,
            status=DeliveryStatus.DELIVERED if channel == Channel.PORTAL else DeliveryStatus.PENDING,
            delivered_at=dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC) if channel == Channel.PORTAL else None,
        )
    return publication


@dataclass
class FakeWeChat:
    base: str = ""
    mode: str = "ok"  # ok | error | token_error | garbage
    calls: list[tuple[str, dict[str, list[str]], Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        return [path for path, _q, _b in self.calls]

    def drafts(self) -> list[Any]:
        return [body for path, _q, body in self.calls if path.endswith("/draft/add")]


def _handler(fake: FakeWeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self, body: Any) -> tuple[str, dict[str, list[str]]]:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            with fake.lock:
                fake.calls.append((parts.path, query, body))
            return parts.path, query

        def do_GET(self) -> None:
            path, query = self._record(None)
            if path == "/cgi-bin/token":
                if fake.mode == "token_error" or query.get("secret") != ["test-secret"]:
                    self._reply({"errcode": 40125, "errmsg": "invalid appsecret"})
                else:
                    self._reply({"access_token": "FAKE-TOKEN", "expires_in": 7200})
                return
            self.send_error(404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            body = json.loads(raw.decode("utf-8")) if raw else None
            path, query = self._record(body)
            if path != "/cgi-bin/draft/add":
                self.send_error(404)
                return
            if query.get("access_token") != ["FAKE-TOKEN"]:
                self._reply({"errcode": 41001, "errmsg": "access_token missing"})
            elif fake.mode == "error":
                self._reply({"errcode": 45009, "errmsg": "reach max api daily quota limit"})
            elif fake.mode == "garbage":
                self._reply({"ok": True})
            else:
                self._reply({"media_id": f"MEDIA-{len(fake.drafts())}", "item": []})

    return Handler


@pytest.fixture
def fake_wechat(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChat]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    fake = FakeWeChat()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/"
    settings.GONGKAI_WECHAT_APPID = "wx-test-appid"
    settings.GONGKAI_WECHAT_SECRET = "test-secret"
    settings.GONGKAI_WECHAT_API_BASE = fake.base
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def agency(db: Any) -> Agency:
    return make_agency("湛河区司法局", short_name="湛河司法")
