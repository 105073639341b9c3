"""Rows for tests/test_access_matrix.py: one issued notice (with an uploaded file) and one complaint about the
matrix's target agency, from its 主管部门. Written directly: the matrix tests access, not the workflow."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.rectification.models import Complaint, Notice, NoticeItem
from gongkai.rectification.states import Basis, ComplaintChannel, ComplaintType, NoticeStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def notice_of(target: Agency) -> Notice:
    found = Notice.objects.filter(agency=target).first()
    if found is not None:
        return found
    assert target.supervisor is not None
    today = timezone.localdate()
    notice = Notice.objects.create(
        office=target.supervisor,
        agency=target,
        year=today.year,
        seq=1,
        number=f"督改〔{today.year}〕1号",
        title="督促整改通知",
        basis=Basis.ROUTINE,
        deadline=today,
        status=NoticeStatus.ISSUED,
        issued_on=today,
    )
    digest = hashlib.sha256(PNG).hexdigest()
    item = NoticeItem(
        notice=notice,
        position=1,
        problem="指南未更新",
        requirement="更新指南",
        attachment_name="a.png",
        attachment_type="image/png",
        attachment_sha256=digest,
    )
    item.attachment.save(digest, ContentFile(PNG), save=False)
    item.save()
    return notice


def item_of(target: Agency) -> int:
    return NoticeItem.objects.filter(notice=notice_of(target)).values_list("pk", flat=True)[0]


def complaint_of(target: Agency) -> Complaint:
    found = Complaint.objects.filter(agency=target).first()
    if found is not None:
        return found
    assert target.supervisor is not None
    today = timezone.localdate()
    return Complaint.objects.create(
        office=target.supervisor,
        agency=target,
        year=today.year,
        seq=1,
        number=f"{today.year}-0001",
        tracking_code="ABCD-EFGH-JKLM",
        channel=ComplaintChannel.LETTER,
        complaint_type=ComplaintType.NOT_PUBLISHED,
        complainant_name="投诉人",
        phone="13903751234",
        description="未公开",
        received_on=today,
        reply_due=today,
    )
