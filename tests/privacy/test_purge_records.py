"""`gongkai privacy purge` beyond cases: a 投诉举报's complainant and a 行政复议 / 行政诉讼's 申请人（原告） go once the
record has been finished for the retention period; what is counted (表四, the 主管部门's complaint figures) stays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import time_machine
from django.core.management import call_command

from gongkai.appeals import selectors as appeal_selectors
from gongkai.appeals import services as appeal_services
from gongkai.appeals.codebook import AppealKind, Instance, ResultCode, Route
from gongkai.appeals.models import Appeal, AppealDocument
from gongkai.audit.models import AuditEvent
from gongkai.audit.services import audit_verify
from gongkai.core.fields import lookup
from gongkai.privacy.services import ANONYMISED_NAME, privacy_purge
from gongkai.rectification import selectors as rectification_selectors
from gongkai.rectification import services as rectification_services
from gongkai.rectification.models import Complaint, Notice
from gongkai.rectification.states import Conclusion, NoticeStatus, Remedy
from tests.privacy.test_purge import _rows_mentioning
from tests.rectification.conftest import World

NAME = "欧阳明远"
CO_NAME = "司马青山"
PHONE = "13911112222"
CONTACT = "微信 oymy1985"
RECENT_NAME = "赵六"

# The complaint columns the 主管部门's figures count (status, overdue, conclusion, remedy by office, agency, year).
COUNTED = (
    "office_id",
    "agency_id",
    "year",
    "seq",
    "number",
    "channel",
    "complaint_type",
    "received_on",
    "reply_due",
    "status",
    "conclusion",
    "remedy",
    "closed_on",
)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _counted(model: Any, fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return list(model.objects.order_by("pk").values_list(*fields))


def _old_complaint(world: World) -> Complaint:
    """Received by letter in March 2014, found true, a 督促整改通知 drafted from it (quoting it) and never issued."""
    with time_machine.travel("2014-03-03 09:00 +0800", tick=False):
        complaint = rectification_services.complaint_register(
            office=world.office,
            agency=world.dept_a,
            actor=world.supervisor,
            channel="letter",
            complaint_type="not_answered",
            description=f"本人{NAME}，电话{PHONE}，2014年1月向司法局申请公开法律援助经费，至今未答复",
            received_on=d("2014-03-03"),
            complainant_name=NAME,
            phone=PHONE,
            other_contact=CONTACT,
        )
        complaint = rectification_services.complaint_investigate(
            complaint=complaint, actor=world.supervisor, note=f"已电话联系{NAME}核实"
        )
        complaint = rectification_services.complaint_conclude(
            complaint=complaint,
            actor=world.supervisor,
            conclusion=Conclusion.SUBSTANTIATED,
            remedy=Remedy.RECTIFY,
            findings=f"经查，{NAME}的申请确未在法定期限内答复",
            reply_text=f"{NAME}：您反映的问题属实，已督促整改。",
        )
    return complaint


def _anonymous_old_complaint(world: World) -> Complaint:
    with time_machine.travel("2014-04-01 09:00 +0800", tick=False):
        complaint = rectification_services.complaint_register(
            office=world.office,
            agency=world.dept_b,
            actor=world.supervisor,
            channel="hotline",
            complaint_type="not_published",
            description="教育局网站未公开2013年财政预算",
            received_on=d("2014-04-01"),
        )
        return rectification_services.complaint_reject(
            complaint=complaint, actor=world.supervisor, reason="已公开", reply_text="经查，预算已于2014年2月公开。"
        )


def _recent_complaint(world: World) -> Complaint:
    with time_machine.travel("2025-05-06 09:00 +0800", tick=False):
        complaint = rectification_services.complaint_register(
            office=world.office,
            agency=world.dept_a,
            actor=world.supervisor,
            channel="visit",
            complaint_type="not_answered",
            description=f"本人{RECENT_NAME}的申请未获答复",
            received_on=d("2025-05-06"),
            complainant_name=RECENT_NAME,
            phone="13800001111",
        )
        return rectification_services.complaint_reject(
            complaint=complaint, actor=world.supervisor, reason="已答复", reply_text=f"{RECENT_NAME}：经查已答复。"
        )


def _appeal_input(**values: Any) -> appeal_services.AppealInput:
    return appeal_services.AppealInput(proactive=True, **values)


def _old_appeals(world: World) -> tuple[Appeal, Appeal]:
    """A 一审 filed and decided in 2014 (with its 答辩状 draft); a 行政复议 filed in 2014 and decided in 2015, so
    counted in both years' 表四."""
    with time_machine.travel("2014-05-05 09:00 +0800", tick=False):
        suit = appeal_services.appeal_create(
            agency=world.dept_a,
            actor=world.handler_a,
            data=_appeal_input(
                kind=AppealKind.LITIGATION,
                route=Route.DIRECT,
                instance=Instance.FIRST,
                body="湛河区人民法院",
                number="（2014）湛行初字第12号",
                appellant=f"{NAME}、{CO_NAME}",
                subject=f"对{NAME}的政府信息公开申请作出的答复",
                filed_on=d("2014-05-05"),
            ),
        )
        appeal_services.appeal_draft_document(appeal=suit, actor=world.handler_a)
    with time_machine.travel("2014-09-01 09:00 +0800", tick=False):
        suit = appeal_services.appeal_record_result(
            appeal=suit,
            actor=world.handler_a,
            result=ResultCode.LT_CLAIM_DISMISSED,
            result_on=d("2014-09-01"),
            note=f"{CO_NAME}当庭表示不上诉",
        )
    with time_machine.travel("2014-11-03 09:00 +0800", tick=False):
        review = appeal_services.appeal_create(
            agency=world.dept_a,
            actor=world.handler_a,
            data=_appeal_input(
                kind=AppealKind.RECONSIDERATION,
                body="湛河区人民政府",
                appellant=CO_NAME,
                subject="2014年10月作出的不予公开答复",
                filed_on=d("2014-11-03"),
            ),
        )
    with time_machine.travel("2015-02-02 09:00 +0800", tick=False):
        review = appeal_services.appeal_record_result(
            appeal=review, actor=world.handler_a, result=ResultCode.RC_UPHELD, result_on=d("2015-02-02")
        )
    return suit, review


def _recent_appeal(world: World) -> Appeal:
    with time_machine.travel("2025-06-02 09:00 +0800", tick=False):
        appeal = appeal_services.appeal_create(
            agency=world.dept_a,
            actor=world.handler_a,
            data=_appeal_input(
                kind=AppealKind.RECONSIDERATION,
                body="湛河区人民政府",
                appellant=RECENT_NAME,
                subject="2025年4月作出的答复",
                filed_on=d("2025-04-01"),
            ),
        )
        return appeal_services.appeal_record_result(
            appeal=appeal, actor=world.handler_a, result=ResultCode.RC_UPHELD, result_on=d("2025-06-02")
        )


def _table4(world: World) -> dict[int, Any]:
    ids = [world.dept_a.pk]
    return {
        year: (
            appeal_selectors.table4(ids, year),
            appeal_selectors.table4_ids(ids, year),
            appeal_selectors.appeal_counts(ids, year),
        )
        for year in (2014, 2015, 2025)
    }


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_old_complaints_and_appeals_lose_the_person_and_keep_every_count(
    world: World, media_root: Path, django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    complaint = _old_complaint(world)
    anonymous = _anonymous_old_complaint(world)
    recent_complaint = _recent_complaint(world)
    suit, review = _old_appeals(world)
    recent_appeal = _recent_appeal(world)
    drafts = [media_root / f.name for doc in AppealDocument.objects.filter(appeal=suit) for f in (doc.docx, doc.pdf)]
    assert len(drafts) == 2
    assert all(path.exists() for path in drafts)
    assert {table for table, _needle in _rows_mentioning([NAME, CO_NAME, CONTACT])} >= {
        "rectification_complaint",
        "rectification_noticeitem",
        "appeals_appeal",
    }
    tables_before = _table4(world)
    counted_before = _counted(Complaint, COUNTED)
    appeal_columns = ("agency_id", "kind", "route", "instance", "status", "result", "result_on", "filed_on", "number")
    appeals_before = _counted(Appeal, appeal_columns)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("privacy", "purge")
    out = capsys.readouterr().out
    assert "已匿名化 0 件申请" in out
    assert "2 件投诉举报" in out
    assert "2 件行政复议或行政诉讼" in out
    assert "删除文件 2 个" in out

    # No table but the audit log names them any more; the drafts naming them are gone.
    assert _rows_mentioning([NAME, CO_NAME, CONTACT]) == []
    assert not any(path.exists() for path in drafts)
    complaint.refresh_from_db()
    assert complaint.anonymised_at is not None
    assert (complaint.complainant_name, complaint.phone, complaint.phone_index, complaint.other_contact) == (
        ANONYMISED_NAME,
        None,
        None,
        None,
    )
    assert complaint.description == "（已删除）"
    assert complaint.findings == "经查，【已删除】的申请确未在法定期限内答复"
    assert Complaint.objects.filter(**lookup(Complaint, "phone", PHONE)).count() == 0
    assert rectification_selectors.complaint_by_tracking(complaint.tracking_code, PHONE[-4:]) is None
    notice = Notice.objects.get(complaint=complaint)
    assert notice.status == NoticeStatus.DRAFT  # a draft never issued does not hold the complaint back
    assert "【已删除】" in notice.items.get().problem
    anonymous.refresh_from_db()
    assert anonymous.anonymised_at is not None
    assert anonymous.complainant_name == ""  # still recognisably anonymous
    recent_complaint.refresh_from_db()
    assert (recent_complaint.complainant_name, recent_complaint.anonymised_at) == (RECENT_NAME, None)
    assert recent_complaint.phone == "13800001111"

    suit.refresh_from_db()
    review.refresh_from_db()
    assert (suit.appellant, review.appellant) == (ANONYMISED_NAME, ANONYMISED_NAME)
    assert suit.subject == "对【已删除】的政府信息公开申请作出的答复"
    assert suit.number == "（2014）湛行初字第12号"
    assert {(doc.docx.name, doc.pdf.name) for doc in AppealDocument.objects.filter(appeal=suit)} == {("", "")}
    recent_appeal.refresh_from_db()
    assert (recent_appeal.appellant, recent_appeal.anonymised_at) == (RECENT_NAME, None)

    # 表四 of every year (cells, the appeals behind each cell, the per-agency counts) and the complaint figures: as
    # they were.
    assert _table4(world) == tables_before
    assert _counted(Complaint, COUNTED) == counted_before
    assert _counted(Appeal, appeal_columns) == appeals_before
    assert audit_verify().ok
    audit = AuditEvent.objects.get(action="privacy.anonymise_complaint", object_id=str(complaint.pk))
    assert audit.agency_id == world.office.pk  # the receiving office's chain, like every complaint row
    assert audit.actor_label == "系统"
    rows = AuditEvent.objects.filter(action__in=["privacy.anonymise_complaint", "privacy.anonymise_appeal"])
    assert rows.count() == 4
    for row in rows:
        text = f"{row.object_repr} {row.detail} {row.after}"
        assert NAME not in text
        assert CO_NAME not in text

    # Idempotent: a second run finds nothing to do.
    call_command("privacy", "purge")
    out = capsys.readouterr().out
    assert "0 件投诉举报" in out
    assert "0 件行政复议或行政诉讼" in out
    assert rows.count() == 4


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_dry_run_counts_each_kind_and_changes_nothing(
    world: World, media_root: Path, django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    _old_complaint(world)
    _recent_complaint(world)
    _old_appeals(world)
    _recent_appeal(world)
    complaints = list(Complaint.objects.order_by("pk").values())
    appeals = list(Appeal.objects.order_by("pk").values())
    drafts = [media_root / f.name for doc in AppealDocument.objects.all() for f in (doc.docx, doc.pdf)]
    audit_rows = AuditEvent.objects.count()

    call_command("privacy", "purge", "--dry-run")
    out = capsys.readouterr().out
    assert "试运行" in out
    assert "申请 0 件" in out
    assert "投诉举报 1 件" in out
    assert "行政复议、行政诉讼 2 件" in out
    assert "将删除文件 2 个" in out
    result = privacy_purge(before=d("2016-02-01"), dry_run=True)
    assert (result.cases.candidates, result.complaints.candidates, result.appeals.candidates) == (0, 1, 2)
    assert list(Complaint.objects.order_by("pk").values()) == complaints
    assert list(Appeal.objects.order_by("pk").values()) == appeals
    assert all(path.exists() for path in drafts)
    assert AuditEvent.objects.count() == audit_rows


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_a_complaint_waits_for_its_open_rectification_notice(world: World) -> None:
    complaint = _old_complaint(world)
    notice = Notice.objects.get(complaint=complaint)
    with time_machine.travel("2014-03-10 09:00 +0800", tick=False):
        notice = rectification_services.notice_update(
            notice=notice,
            actor=world.supervisor,
            title=notice.title,
            basis=notice.basis,
            deadline=d("2014-04-30"),
            items=[rectification_services.ItemInput(notice.items.get().problem, "依法答复申请人")],
        )
        notice = rectification_services.notice_issue(notice=notice, actor=world.supervisor)
    assert privacy_purge(before=d("2016-02-01")).complaints.candidates == 0
    notice = rectification_services.notice_acknowledge(notice=notice, actor=world.handler_a)
    notice = rectification_services.notice_report(
        notice=notice, actor=world.head_a, entries=[rectification_services.ItemReport(1, "已答复")]
    )
    rectification_services.notice_accept(notice=notice, actor=world.supervisor)
    assert privacy_purge(before=d("2016-02-01")).complaints.anonymised == 1
    complaint.refresh_from_db()
    assert complaint.complainant_name == ANONYMISED_NAME


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_an_appeal_waits_while_a_later_proceeding_about_it_is_open(world: World) -> None:
    suit, _review = _old_appeals(world)
    with time_machine.travel("2014-09-15 09:00 +0800", tick=False):
        second = appeal_services.appeal_create(
            agency=world.dept_a,
            actor=world.handler_a,
            data=_appeal_input(
                kind=AppealKind.LITIGATION,
                route=Route.DIRECT,
                instance=Instance.SECOND,
                preceding=suit,
                body="平顶山市中级人民法院",
                appellant=NAME,
                subject=f"对{NAME}的政府信息公开申请作出的答复",
                filed_on=d("2014-09-15"),
            ),
        )
    result = privacy_purge(before=d("2016-02-01"))
    assert (result.appeals.candidates, result.appeals.anonymised) == (1, 1)  # the 复议 only
    suit.refresh_from_db()
    assert suit.appellant == f"{NAME}、{CO_NAME}"
    appeal_services.appeal_record_result(
        appeal=second, actor=world.handler_a, result=ResultCode.LT_APPEAL_DISMISSED, result_on=d("2015-03-02")
    )
    assert privacy_purge(before=d("2016-02-01")).appeals.anonymised == 2
    assert set(Appeal.objects.values_list("appellant", flat=True)) == {ANONYMISED_NAME}
