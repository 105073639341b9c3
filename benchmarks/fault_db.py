"""Faults under a real server: the database stops answering during submissions, and the disk fills up while an
application's files are written. (The deterministic part is tests/faults/, which runs in ``make test``.)

    nice -n 10 .venv/bin/python benchmarks/fault_db.py [--workers 2] [--keep]

Scratch PostgreSQL database ``gongkai_fault_<pid>``; ``gongkai serve`` reaches it through a TCP proxy in this
script, so the database can be made unreachable without touching the shared PostgreSQL server:

  refused  the proxy stops listening and resets every open connection (the server is down);
  paused   the proxy accepts connections and forwards nothing (a hung server: psycopg waits connect_timeout).

In each state a web-form POST (CSRF token fetched before the outage) and an API intake are sent; each must get the
503 page in Chinese, and afterwards every application acknowledged before the outage must still be there, the
numbers gap-free, and the same submission must go through once the database is back.

Disk full: MEDIA_ROOT is a 1 MB tmpfs (``mount -t tmpfs -o size=1m``, needs root) filled to ~40 KB of free space;
an application with a 300 KB attachment must come back as the form with what was typed (503, Chinese message)
and leave no case; after the filler is removed the same submission must be saved with its file.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import http.cookies
import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from load_submit import (
    AGENCY_CODE,
    PG,
    Server,
    applicant_body,
    django_setup,
    free_port,
    migrate,
    post_json,
    scratch,
    seed,
    server_env,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


class Proxy:
    """127.0.0.1:port → PostgreSQL, with two ways to fail: refuse (nothing listens) and pause (accept, forward
    nothing)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.mode = "up"
        self.listener: socket.socket | None = None
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()

    def _listen(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def start(self) -> None:
        self._listen()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.mode == "refused":
                client.close()
                continue
            if self.mode == "paused":
                with self.lock:
                    self.pairs.append((client, client))
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1.0)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError
                    (b if sock is a else a).sendall(data)
        except OSError:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()

    def _drop_all(self) -> None:
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for a, b in pairs:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    sock.close()

    def refuse(self) -> None:
        self.mode = "refused"
        if self.listener is not None:
            # close() alone leaves a socket that another thread is blocked in accept() on still listening (Linux)
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        self._drop_all()

    def pause(self) -> None:
        if self.listener is None:
            self._listen()
        self._drop_all()
        self.mode = "paused"

    def resume(self) -> None:
        self._drop_all()
        self.mode = "up"
        if self.listener is None:
            self._listen()


class Browser:
    """A cookie-keeping HTTP client for the web form (GET for the CSRF token, then POST multipart)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers = {"Cookie": cookie, "Referer": f"http://127.0.0.1:{self.port}{path}", **(headers or {})}
        started = time.monotonic()
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, text, time.monotonic() - started

    def form_token(self) -> str:
        status, page, _ = self.request("GET", f"/apply/{AGENCY_CODE}/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise SystemExit(f"application form: {status}, no CSRF token")
        return match.group(1)

    def post_form(
        self, token: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]]
    ) -> tuple[int, str, float]:
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in {"csrfmiddlewaretoken": token, **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            f"/apply/{AGENCY_CODE}/",
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )


def form_fields(name: str) -> dict[str, str]:
    body = applicant_body(run=7)
    return {
        "applicant_type": "natural_person",
        "applicant_name": name,
        "id_type": "resident_id",
        "id_number": body["id_number"],
        "phone": body["phone"],
        "email": body["email"],
        "postal_address": "河南省平顶山市湛河区中兴路1号",
        "postcode": "467000",
        "item-1-title": f"{name}申请的2025年法律援助经费使用情况",
        "provision_form": "electronic",
        "obtain_method": "email",
    }


def db_state() -> tuple[int, list[str], bool]:
    from django.db import connection

    from gongkai.cases.models import Case
    from gongkai.cases.models import Counter as NumberCounter

    connection.close()
    seqs = sorted(Case.objects.filter(agency__code=AGENCY_CODE).values_list("seq", flat=True))
    last = NumberCounter.objects.filter(agency__code=AGENCY_CODE, series="case").values_list("last", flat=True)
    codes = list(Case.objects.filter(agency__code=AGENCY_CODE).values_list("tracking_code", flat=True))
    gapless = seqs == list(range(1, (max(last) if last else 0) + 1))
    return len(seqs), codes, gapless


def attachments() -> int:
    from gongkai.cases.models import CaseAttachment

    return CaseAttachment.objects.count()


def outage(proxy: Proxy, port: int, mode: str, results: list[str]) -> bool:
    browser = Browser(port)
    token = browser.form_token()
    api = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    before_count, before_codes, _gapless = db_state()
    (proxy.refuse if mode == "refused" else proxy.pause)()
    ok = True
    status, page, seconds = browser.post_form(token, form_fields(f"断库{mode}"), {})
    chinese = "服务暂时不可用" in page and "已经保存的内容不会丢失" in page
    results.append(f"  {mode}: web form POST → {status} in {seconds:.1f} s, Chinese 503 page: {chinese}")
    ok &= status == 503 and chinese
    started = time.monotonic()
    try:
        status, raw = post_json(api, f"/api/public/agencies/{AGENCY_CODE}/applications/", applicant_body(run=8))
        text = raw.decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        status, text = 0, str(error)
    results.append(
        f"  {mode}: API intake → {status} in {time.monotonic() - started:.1f} s, Chinese 503 page: {'服务暂时不可用' in text}"
    )
    ok &= status == 503 and "服务暂时不可用" in text
    proxy.resume()
    after_count, after_codes, gapless_after = db_state()
    kept = set(before_codes) <= set(after_codes)
    results.append(
        f"  {mode}: after the outage: cases {before_count} → {after_count}, all earlier cases kept: {kept}, "
        f"numbers gap-free: {gapless_after}"
    )
    ok &= kept and gapless_after and after_count == before_count
    status, page, _ = browser.post_form(browser.form_token(), form_fields(f"断库{mode}"), {})
    results.append(f"  {mode}: the same form after recovery → {status}")
    ok &= status == 302
    return ok


def disk_full(server_port: int, media: Path, results: list[str]) -> bool:
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        results.append(f"  disk full: not run — cannot mount a tmpfs ({mounted.stderr.strip()})")
        return True
    try:
        filler = media / "filler"
        with filler.open("wb") as handle, contextlib.suppress(OSError):
            handle.write(b"\x00" * (1024 * 1024 - 40 * 1024))
        stat = os.statvfs(media)
        free = stat.f_bavail * stat.f_frsize
        browser = Browser(server_port)
        before_count, _codes, _g = db_state()
        before_files = attachments()
        upload = PNG + os.urandom(300 * 1024)
        status, page, _ = browser.post_form(
            browser.form_token(), form_fields("磁盘满"), {"id_copy": ("身份证.png", upload)}
        )
        message = "服务器暂时无法保存上传的材料" in page
        typed = "磁盘满申请的2025年法律援助经费使用情况" in page and "河南省平顶山市湛河区中兴路1号" in page
        after_count, _codes, _g = db_state()
        results.append(
            f"  disk full ({free // 1024} KB free, 300 KB upload): web form → {status}, Chinese message: {message}, "
            f"typed data kept in the form: {typed}, cases {before_count} → {after_count}, "
            f"attachment rows {before_files} → {attachments()}"
        )
        ok = status == 503 and message and typed and after_count == before_count and attachments() == before_files
        filler.unlink()
        status, _page, _ = browser.post_form(
            browser.form_token(), form_fields("磁盘满"), {"id_copy": ("身份证.png", upload)}
        )
        saved, _codes, _g = db_state()
        results.append(
            f"  disk full: after space is freed the same submission → {status}, cases {after_count} → {saved}, attachment rows {attachments()}"
        )
        return ok and status == 302 and saved == after_count + 1 and attachments() == before_files + 1
    finally:
        subprocess.run(["umount", str(media)], check=False)  # noqa: S603, S607


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=int, default=20, help="applications saved before the first outage")
    parser.add_argument("--pg", default=PG)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()

    with scratch(options.pg, "gongkai_fault_", options.keep) as (url, var_dir):
        env = server_env(url, var_dir, GONGKAI_APPLY_RATE="off", GONGKAI_APPLY_CAPTCHA_AFTER="100000")
        migrate(env)
        django_setup(env)
        seed()
        host_port = url.split("@", 1)[1].split("/", 1)[0]
        host, _, port = host_port.partition(":")
        proxy = Proxy((host, int(port or 5432)))
        proxy.start()
        proxied = url.replace(host_port, f"127.0.0.1:{proxy.port}")
        media = var_dir / "media"
        media.mkdir(parents=True, exist_ok=True)
        server = Server({**env, "GONGKAI_DATABASE_URL": proxied}, free_port(), options.workers, var_dir / "server.log")
        server.start()
        results: list[str] = []
        try:
            api = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            acked = 0
            for _ in range(options.before):
                status, raw = post_json(api, f"/api/public/agencies/{AGENCY_CODE}/applications/", applicant_body(run=9))
                acked += status == 201
                json.loads(raw)
            results.append(f"before the outages: {acked}/{options.before} applications acknowledged")
            ok = acked == options.before
            ok &= outage(proxy, server.port, "refused", results)
            ok &= outage(proxy, server.port, "paused", results)
            ok &= disk_full(server.port, media, results)
        finally:
            server.stop()
        for line in results:
            print(line)
        print("all checks passed" if ok else "CHECKS FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
