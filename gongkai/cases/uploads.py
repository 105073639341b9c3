"""Upload checks: the type is decided by the content (magic numbers), never by the name or the client's claim.

Accepted: PDF, JPEG, PNG, and Office Open XML documents (DOCX, XLSX) — the forms an ID copy or released material
takes. A DOCX/XLSX is a ZIP: its member count and uncompressed size are bounded so an archive bomb is refused.

When a ClamAV daemon is configured (GONGKAI_CLAMD_SOCKET, or GONGKAI_CLAMD_HOST and GONGKAI_CLAMD_PORT), every accepted
upload is also streamed to it (INSTREAM) before it is stored. An infected file is refused; so is every upload while
clamd cannot be reached or answers with an error (fail closed), unless GONGKAI_CLAMD_FAIL_OPEN is set.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

import filetype
from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings
from django.core.exceptions import ValidationError

__all__ = ["ALLOWED", "SniffedUpload", "clamd_configured", "scan", "sniff"]

logger = logging.getLogger("gongkai.uploads")

ALLOWED: dict[str, tuple[str, str]] = {
    # mime → (extension, label)
    "application/pdf": ("pdf", "PDF"),
    "image/jpeg": ("jpg", "JPEG 图片"),
    "image/png": ("png", "PNG 图片"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "Word 文档"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", "Excel 表格"),
}
_ZIP_MAX_MEMBERS = 2000
_ZIP_MAX_RATIO = 100
_ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024


@dataclass(frozen=True)
class SniffedUpload:
    name: str
    content: bytes
    content_type: str


def _office_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > _ZIP_MAX_MEMBERS:
                raise ValidationError("压缩包内文件过多，已拒绝")
            total = sum(i.file_size for i in infos)
            if total > _ZIP_MAX_UNCOMPRESSED or total > _ZIP_MAX_RATIO * max(1, len(content)):
                raise ValidationError("文件解压后过大，已拒绝")
            names = {i.filename for i in infos}
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if any(n.startswith("xl/") for n in names):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def sniff(name: str, content: bytes, *, field: str = "attachments") -> SniffedUpload:
    """Check one upload; raise ValidationError naming ``field`` with a Chinese message when it is refused."""
    limit = int(getattr(settings, "GONGKAI_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
    label = name[:80] or "附件"
    if not content:
        raise ValidationError({field: f"“{label}”是空文件"})
    if len(content) > limit:
        raise ValidationError({field: f"“{label}”超过{limit // (1024 * 1024)}MB的大小限制"})
    kind = filetype.guess(content)
    mime = kind.mime if kind is not None else None
    if mime in ("application/zip", None) or (mime or "").startswith("application/vnd.openxmlformats"):
        try:
            office = _office_type(content)
        except ValidationError as error:
            raise ValidationError({field: f"“{label}”：{error.messages[0]}"}) from None
        mime = office or mime
    if mime not in ALLOWED:
        allowed = "、".join(label for _ext, label in ALLOWED.values())
        raise ValidationError({field: f"“{label}”的文件类型不受支持（按内容识别），只接受{allowed}"})
    scan(content, label=label, field=field)
    clean = name.replace("/", "_").replace("\\", "_").strip()[:200] or f"附件.{ALLOWED[mime][0]}"
    return SniffedUpload(clean, content, mime)


def clamd_configured() -> bool:
    return bool(getattr(settings, "GONGKAI_CLAMD_SOCKET", "") or getattr(settings, "GONGKAI_CLAMD_HOST", ""))


def _clamd() -> ClamdNetworkSocket | None:
    timeout = int(getattr(settings, "GONGKAI_CLAMD_TIMEOUT", 30))
    path = str(getattr(settings, "GONGKAI_CLAMD_SOCKET", "") or "")
    if path:
        return ClamdUnixSocket(path=path, timeout=timeout)
    host = str(getattr(settings, "GONGKAI_CLAMD_HOST", "") or "")
    if host:
        return ClamdNetworkSocket(host=host, port=int(getattr(settings, "GONGKAI_CLAMD_PORT", 3310)), timeout=timeout)
    return None


def scan(content: bytes, *, label: str, field: str) -> None:
    """Stream ``content`` to clamd when one is configured; raise ValidationError naming ``field`` if it is infected
    or (fail closed) if it could not be scanned."""
    client = _clamd()
    if client is None:
        return
    unavailable = f"“{label}”暂时无法完成病毒扫描，未予接收。请稍后重新上传；如多次出现，请与受理机关联系。"
    try:
        result = client.instream(io.BytesIO(content))
    except (ClamdError, OSError) as error:
        if getattr(settings, "GONGKAI_CLAMD_FAIL_OPEN", False):
            logger.error("clamd unreachable, upload accepted UNSCANNED (GONGKAI_CLAMD_FAIL_OPEN): %s", error)
            return
        logger.error("clamd unreachable, upload refused: %s", error)
        raise ValidationError({field: unavailable}) from None
    status, signature = result.get("stream", ("ERROR", "no answer"))
    if status == "FOUND":
        logger.warning("clamd found %s in an upload (%s)", signature, label)
        raise ValidationError({field: f"“{label}”经病毒扫描发现恶意代码（{signature}），已拒绝接收"})
    if status != "OK":
        logger.error("clamd could not scan an upload: %s %s", status, signature)
        if not getattr(settings, "GONGKAI_CLAMD_FAIL_OPEN", False):
            raise ValidationError({field: unavailable})
