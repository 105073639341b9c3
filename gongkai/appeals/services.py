"""Every write to the appeals: register, edit, 受理, copy received, answer filed, decision period extended, result
recorded, drafts generated, and the result → 表四 mapping edited.

Each write runs in one transaction, locks the appeal row, checks ``models.TRANSITIONS``, records an event and an audit
row. Refusals are ``ValidationError`` with Chinese messages naming the field; nothing is saved on a refusal.

Actors: the staff views pass the signed-in user (the gate has already checked Perm.HANDLE_CASES); a user is checked
here as well. ``actor=None`` is the system (the demo loader, a command). A result mapped to 结果纠正 reopens every
linked case for a new reply through ``cases.services.case_reopen``, which only a 负责人 (Perm.APPROVE) may do: such a
result must therefore be recorded by the agency's 负责人 — nobody else, and not the system, reopens a case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import has_perm
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm, PlatformRole
from gongkai.agencies.models import Agency
from gongkai.appeals import deadlines
from gongkai.appeals.codebook import RESULTS, AppealKind, Column, Instance, ResultCode, Route
from gongkai.appeals.models import TRANSITIONS, Action, Appeal, AppealDocument, AppealEvent, ResultMapping, Status
from gongkai.audit.services import audit_record
from gongkai.cases import services as case_services
from gongkai.cases.models import Case
from gongkai.cases.states import Status as CaseStatus
from gongkai.clock import selectors as clock_selectors

__all__ = [
    "AppealInput",
    "appeal_create",
    "appeal_draft_document",
    "appeal_extend_decision",
    "appeal_record_acceptance",
    "appeal_record_answer",
    "appeal_record_copy_received",
    "appeal_record_result",
    "appeal_update",
    "mapping_set",
]


@dataclass
class AppealInput:
    kind: str
    body: str
    appellant: str
    subject: str
    filed_on: dt.date
    route: str = ""
    instance: str = ""
    preceding: Appeal | None = None
    number: str = ""
    proactive: bool = False
    simplified: bool = False
    cases: Sequence[Case] = field(default_factory=tuple)
    accepted_on: dt.date | None = None
    copy_received_on: dt.date | None = None


def _today() -> dt.date:
    return timezone.localdate()


def _label(actor: Any) -> str:
    if actor is None:
        return "系统"
    if isinstance(actor, User):
        return actor.full_name or actor.username
    return str(actor)


def _check_actor(actor: Any, agency_id: int, perm: Perm = Perm.HANDLE_CASES) -> None:
    if actor is None:
        return
    if not isinstance(actor, User) or not has_perm(actor, perm, agency_id):
        need = "负责人" if perm == Perm.APPROVE else "经办人或负责人"
        raise ValidationError({"actor": f"须由本机关{need}办理"})


def _snapshot(appeal: Appeal) -> dict[str, Any]:
    return {
        "kind": appeal.kind,
        "route": appeal.route,
        "instance": appeal.instance,
        "number": appeal.number,
        "status": appeal.status,
        "filed_on": appeal.filed_on,
        "accepted_on": appeal.accepted_on,
        "copy_received_on": appeal.copy_received_on,
        "answer_due": appeal.answer_due,
        "answered_on": appeal.answered_on,
        "extension_days": appeal.extension_days,
        "decision_due": appeal.decision_due,
        "result": appeal.result,
        "result_on": appeal.result_on,
        "cases": sorted(appeal.cases.values_list("pk", flat=True)) if appeal.pk else [],
    }


def _transition(appeal: Appeal, action: Action) -> str:
    target = TRANSITIONS.get((appeal.status, action))
    if target is None:
        raise ValidationError({"status": f"“{Status(appeal.status).label}”的案件不能{Action(action).label}"})
    return target


def _lock(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _record(
    appeal: Appeal,
    action: Action,
    *,
    actor: Any,
    on: dt.date,
    before: dict[str, Any] | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AppealEvent:
    seq = (AppealEvent.objects.filter(appeal=appeal).order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    event = AppealEvent.objects.create(
        appeal=appeal,
        seq=seq,
        action=action,
        on=on,
        actor=actor if isinstance(actor, User) else None,
        actor_label=_label(actor),
        note=note[:2000],
        data=data or {},
    )
    audit_record(
        action=f"appeal.{action}",
        actor=actor,
        agency_id=appeal.agency_id,
        obj=appeal,
        before=before,
        after=_snapshot(appeal),
        # Not the note: it is free text (it may name the 申请人（原告）), kept in the appeal's own timeline, where the
        # retention purge reaches it; the audit log cannot be purged (docs/security.md「个人信息生命周期」).
        detail=f"{appeal} {Action(action).label}",
        request=request,
        actor_label=None if isinstance(actor, User) else _label(actor),
    )
    return event


def _not_future(errors: dict[str, str], name: str, label: str, value: dt.date | None, today: dt.date) -> None:
    if value is not None and value > today and name not in errors:
        errors[name] = f"{label}不能晚于今天"


def _validate(agency: Agency, data: AppealInput, *, appeal_pk: int | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = _today()
    if data.kind not in AppealKind.values:
        errors["kind"] = "请选择行政复议或行政诉讼"
    elif data.kind == AppealKind.LITIGATION:
        if data.route not in Route.values:
            errors["route"] = "行政诉讼须选择“未经复议直接起诉”或“复议后起诉”"
        if data.instance not in Instance.values:
            errors["instance"] = "行政诉讼须选择一审或二审"
        if data.simplified:
            errors["simplified"] = "简易程序仅适用于行政复议（行政复议法第五十三条）"
    else:
        if data.route:
            errors["route"] = "行政复议不填写起诉途径"
        if data.instance:
            errors["instance"] = "行政复议不填写审级"
    for name, label, limit in (("body", "复议机关或人民法院", 200), ("appellant", "申请人（原告）", 200)):
        value = " ".join(str(getattr(data, name)).split())
        setattr(data, name, value)
        if not value:
            errors[name] = f"请填写{label}"
        elif len(value) > limit:
            errors[name] = f"{label}不能超过 {limit} 个字"
    data.subject = data.subject.strip()
    data.number = " ".join(data.number.split())
    if not data.subject:
        errors["subject"] = "请写明被申请复议（被诉）的政府信息公开行为"
    if len(data.number) > 100:
        errors["number"] = "案号不能超过 100 个字"
    # Dates in the order the law lays them down: 申请/起诉 → 受理/立案 → 副本送达.
    _not_future(errors, "filed_on", "申请（起诉）日期", data.filed_on, today)
    _not_future(errors, "accepted_on", "受理（立案）日期", data.accepted_on, today)
    _not_future(errors, "copy_received_on", "收到副本之日", data.copy_received_on, today)
    if data.accepted_on is not None and data.accepted_on < data.filed_on:
        errors.setdefault("accepted_on", "受理（立案）日期不能早于申请（起诉）日期")
    if data.copy_received_on is not None:
        if data.copy_received_on < data.filed_on:
            errors.setdefault("copy_received_on", "收到副本之日不能早于申请（起诉）日期")
        elif data.accepted_on is not None and data.copy_received_on < data.accepted_on:
            errors.setdefault("copy_received_on", "收到副本之日不能早于受理（立案）日期（副本于受理后发送）")
    # The cases: one or more 依申请公开 cases of THIS agency, or the 主动公开 flag.
    foreign = [c.number for c in data.cases if c.agency_id != agency.pk]
    if foreign:
        errors["cases"] = f"案件{'、'.join(foreign)}不是本机关（{agency.name}）的申请，不能关联"
    elif not data.cases and not data.proactive:
        errors["cases"] = "请选择涉及的依申请公开案件，或勾选“涉及主动公开工作”"
    preceding = data.preceding
    if preceding is not None:
        if appeal_pk is not None and preceding.pk == appeal_pk:
            errors["preceding"] = "不能以本案作为前序程序"
        elif preceding.agency_id != agency.pk:
            errors["preceding"] = "前序程序须为本机关作为被申请人（被告）的案件"
        elif data.kind == AppealKind.RECONSIDERATION:
            errors["preceding"] = "行政复议没有前序程序"
        elif data.instance == Instance.SECOND:
            if preceding.kind != AppealKind.LITIGATION or preceding.instance != Instance.FIRST:
                errors["preceding"] = "二审的前序程序须为一审"
        elif data.route == Route.AFTER_REVIEW and preceding.kind != AppealKind.RECONSIDERATION:
            errors["preceding"] = "复议后起诉的前序程序须为行政复议"
        elif data.route == Route.DIRECT:
            errors["preceding"] = "未经复议直接起诉的一审没有前序程序"
        if "preceding" not in errors and preceding.filed_on > data.filed_on:
            errors["preceding"] = "前序程序的申请（起诉）日期不能晚于本案"
    return errors


def _compute_dues(appeal: Appeal) -> None:
    calendar = clock_selectors.current_calendar()
    appeal.answer_due = (
        deadlines.answer_deadline(appeal.kind, appeal.copy_received_on, calendar, simplified=appeal.simplified).due
        if appeal.copy_received_on is not None
        else None
    )
    appeal.decision_due = (
        deadlines.decision_deadline(
            appeal.kind,
            appeal.accepted_on,
            calendar,
            instance=appeal.instance,
            simplified=appeal.simplified,
            extension_days=appeal.extension_days,
        ).due
        if appeal.accepted_on is not None
        else None
    )


_DATA_FIELDS = (
    "kind",
    "route",
    "instance",
    "preceding",
    "body",
    "number",
    "appellant",
    "subject",
    "proactive",
    "simplified",
    "filed_on",
    "accepted_on",
    "copy_received_on",
)


def _apply(appeal: Appeal, data: AppealInput) -> None:
    for name in _DATA_FIELDS:
        setattr(appeal, name, getattr(data, name))
    if data.kind == AppealKind.RECONSIDERATION:
        appeal.route = appeal.instance = ""


def _status_for(data: AppealInput) -> str:
    return Status.ACCEPTED if data.accepted_on is not None or data.copy_received_on is not None else Status.FILED


def appeal_create(*, agency: Agency, actor: Any, data: AppealInput, request: HttpRequest | None = None) -> Appeal:
    """Register an appeal in which ``agency`` is 被申请人 / 被告."""
    _check_actor(actor, agency.pk)
    errors = _validate(agency, data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        appeal = Appeal(agency=agency, created_by=actor if isinstance(actor, User) else None)
        _apply(appeal, data)
        appeal.status = _status_for(data)
        _compute_dues(appeal)
        appeal.save()
        appeal.cases.set(list(data.cases))
        _record(appeal, Action.CREATE, actor=actor, on=data.filed_on, before=None, request=request)
    return appeal


def appeal_update(*, appeal: Appeal, actor: Any, data: AppealInput, request: HttpRequest | None = None) -> Appeal:
    """Correct what was registered (an open appeal only); the due dates are computed again."""
    _check_actor(actor, appeal.agency_id)
    with transaction.atomic():
        locked = _lock(appeal)
        target = _transition(locked, Action.EDIT)
        errors = _validate(locked.agency, data, appeal_pk=locked.pk)
        if locked.answered_on is not None and "copy_received_on" not in errors:
            if data.copy_received_on is None:
                errors["copy_received_on"] = "已提交答复（答辩），不能删除收到副本之日"
            elif data.copy_received_on > locked.answered_on:
                errors["copy_received_on"] = "收到副本之日不能晚于提交答复（答辩）日期"
        if data.kind != locked.kind and "kind" not in errors and locked.extension_days:
            errors["kind"] = "已记录延长审理期限，不能改为行政诉讼"
        if errors:
            raise ValidationError(errors)
        before = _snapshot(locked)
        _apply(locked, data)
        if target != Status.ANSWERED:
            locked.status = _status_for(data)
        _compute_dues(locked)
        locked.save()
        locked.cases.set(list(data.cases))
        _record(locked, Action.EDIT, actor=actor, on=_today(), before=before, request=request)
    return locked


def appeal_record_acceptance(
    *, appeal: Appeal, actor: Any, accepted_on: dt.date, request: HttpRequest | None = None
) -> Appeal:
    """受理 (复议) / 立案 (诉讼): the decision period starts (行政复议法第六十二条, 行政诉讼法第八十一、八十八条)."""
    _check_actor(actor, appeal.agency_id)
    with transaction.atomic():
        locked = _lock(appeal)
        target = _transition(locked, Action.ACCEPT)
        if accepted_on < locked.filed_on:
            raise ValidationError({"accepted_on": "受理（立案）日期不能早于申请（起诉）日期"})
        if accepted_on > _today():
            raise ValidationError({"accepted_on": "受理（立案）日期不能晚于今天"})
        before = _snapshot(locked)
        locked.accepted_on = accepted_on
        locked.status = target
        _compute_dues(locked)
        locked.save(update_fields=["accepted_on", "status", "decision_due", "answer_due", "updated_at"])
        _record(locked, Action.ACCEPT, actor=actor, on=accepted_on, before=before, request=request)
    return locked


def appeal_record_copy_received(
    *,
    appeal: Appeal,
    actor: Any,
    received_on: dt.date,
    accepted_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Appeal:
    """The 复议申请书副本 / 起诉状副本 reached the agency: the 答复 / 答辩 period starts (行政复议法第四十八条, 行政诉讼法
    第六十七条). ``accepted_on`` records the 受理 / 立案 date at the same time when it was not yet known."""
    _check_actor(actor, appeal.agency_id)
    with transaction.atomic():
        locked = _lock(appeal)
        target = _transition(locked, Action.COPY_RECEIVED)
        if locked.answered_on is not None:
            raise ValidationError({"received_on": "已提交答复（答辩），不能再记录收到副本"})
        accepted = accepted_on or locked.accepted_on
        errors: dict[str, str] = {}
        if accepted_on is not None and accepted_on < locked.filed_on:
            errors["accepted_on"] = "受理（立案）日期不能早于申请（起诉）日期"
        if received_on < locked.filed_on:
            errors["received_on"] = "收到副本之日不能早于申请（起诉）日期"
        elif accepted is not None and received_on < accepted:
            errors["received_on"] = "收到副本之日不能早于受理（立案）日期（副本于受理后发送）"
        elif received_on > _today():
            errors["received_on"] = "收到副本之日不能晚于今天"
        if errors:
            raise ValidationError(errors)
        before = _snapshot(locked)
        locked.copy_received_on = received_on
        locked.accepted_on = accepted
        locked.status = target
        _compute_dues(locked)
        locked.save(
            update_fields=["copy_received_on", "accepted_on", "status", "answer_due", "decision_due", "updated_at"]
        )
        _record(
            locked,
            Action.COPY_RECEIVED,
            actor=actor,
            on=received_on,
            before=before,
            note=f"答复（答辩）期限：{locked.answer_due:%Y年%m月%d日}" if locked.answer_due else "",
            request=request,
        )
    return locked


def appeal_record_answer(
    *, appeal: Appeal, actor: Any, answered_on: dt.date, note: str = "", request: HttpRequest | None = None
) -> Appeal:
    """The 答复书 (复议) or 答辩状 with the evidence (诉讼) was filed."""
    _check_actor(actor, appeal.agency_id)
    with transaction.atomic():
        locked = _lock(appeal)
        target = _transition(locked, Action.ANSWER)
        if locked.copy_received_on is None:
            raise ValidationError({"answered_on": "请先记录收到申请书（起诉状）副本之日"})
        if answered_on < locked.copy_received_on:
            raise ValidationError({"answered_on": "提交答复（答辩）日期不能早于收到副本之日"})
        if answered_on > _today():
            raise ValidationError({"answered_on": "提交答复（答辩）日期不能晚于今天"})
        before = _snapshot(locked)
        locked.answered_on = answered_on
        locked.status = target
        locked.save(update_fields=["answered_on", "status", "updated_at"])
        late = locked.answer_due is not None and answered_on > locked.answer_due
        text = note.strip()
        if late:
            assert locked.answer_due is not None
            text = f"逾期提交（期限为{locked.answer_due:%Y年%m月%d日}）。{text}".strip()
        _record(locked, Action.ANSWER, actor=actor, on=answered_on, before=before, note=text, request=request)
    return locked


def appeal_extend_decision(
    *, appeal: Appeal, actor: Any, days: int, approved_on: dt.date, reason: str = "", request: HttpRequest | None = None
) -> Appeal:
    """行政复议法第六十二条: the 复议机构负责人 approved a longer period, at most 30 days in all, notified in writing
    before the period ran out."""
    _check_actor(actor, appeal.agency_id)
    with transaction.atomic():
        locked = _lock(appeal)
        target = _transition(locked, Action.EXTEND)
        if locked.kind != AppealKind.RECONSIDERATION:
            raise ValidationError({"days": "只有行政复议可以延长审理期限（行政复议法第六十二条）"})
        if locked.simplified:
            raise ValidationError({"days": "简易程序不适用延长审理期限，可以转为普通程序后延长"})
        if locked.accepted_on is None or locked.decision_due is None:
            raise ValidationError({"approved_on": "请先记录受理日期"})
        maximum = deadlines.extension_max()
        if days <= 0:
            raise ValidationError({"days": "延长天数须大于 0"})
        if locked.extension_days + days > maximum:
            raise ValidationError(
                {"days": f"延长期限最多不得超过{maximum}日（行政复议法第六十二条），已延长{locked.extension_days}日"}
            )
        if approved_on < locked.accepted_on:
            raise ValidationError({"approved_on": "批准延长日期不能早于受理日期"})
        if approved_on > locked.decision_due:
            raise ValidationError(
                {"approved_on": f"延长须在审理期限（{locked.decision_due:%Y年%m月%d日}）届满前批准并告知"}
            )
        if approved_on > _today():
            raise ValidationError({"approved_on": "批准延长日期不能晚于今天"})
        before = _snapshot(locked)
        locked.extension_days += days
        locked.status = target
        _compute_dues(locked)
        locked.save(update_fields=["extension_days", "decision_due", "status", "updated_at"])
        _record(
            locked,
            Action.EXTEND,
            actor=actor,
            on=approved_on,
            before=before,
            note=f"延长{days}日，审理期限至{locked.decision_due:%Y年%m月%d日}。{reason.strip()}".strip(),
            data={"days": days},
            request=request,
        )
    return locked


def appeal_record_result(
    *,
    appeal: Appeal,
    actor: Any,
    result: str,
    result_on: dt.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> Appeal:
    """The decision, judgment or ruling. The result must be in the mapping in force (表四 counts it there); one mapped
    to 结果纠正 reopens each linked 依申请公开 case for a new reply (e.g. 行政复议法第六十四条“责令被申请人……重新作出
    行政行为”, 行政诉讼法第七十条), which needs the 负责人."""
    with transaction.atomic():
        locked = _lock(appeal)
        target = _transition(locked, Action.RESULT)
        definition = RESULTS.get(result)
        if definition is None:
            raise ValidationError({"result": f"结果“{result}”不是法定的复议或诉讼结果"})
        if definition.kind != locked.kind:
            raise ValidationError({"result": f"“{definition.label}”不是{AppealKind(locked.kind).label}的结果"})
        row = ResultMapping.objects.filter(result=result).first()
        if row is None:
            raise ValidationError(
                {"result": f"结果“{definition.label}”不在本平台的表四结果归类中，请系统管理员先在归类表中设定其栏目"}
            )
        if result == ResultCode.LT_APPEAL_DISMISSED and locked.instance != Instance.SECOND:
            raise ValidationError({"result": "“驳回上诉，维持原判”只适用于二审"})
        errors: dict[str, str] = {}
        if result_on < locked.filed_on:
            errors["result_on"] = "结果日期不能早于申请（起诉）日期"
        elif locked.accepted_on is not None and result_on < locked.accepted_on:
            errors["result_on"] = "结果日期不能早于受理（立案）日期"
        elif locked.answered_on is not None and result_on < locked.answered_on:
            errors["result_on"] = "结果日期不能早于提交答复（答辩）日期"
        elif result_on > _today():
            errors["result_on"] = "结果日期不能晚于今天"
        if errors:
            raise ValidationError(errors)
        corrected = row.column == Column.CORRECTED
        _check_actor(actor, locked.agency_id, Perm.APPROVE if corrected else Perm.HANDLE_CASES)
        if corrected and not isinstance(actor, User):
            raise ValidationError({"actor": "结果纠正须重新办理相关申请，应由本机关负责人记录"})
        before = _snapshot(locked)
        locked.result = result
        locked.result_on = result_on
        locked.result_note = note.strip()
        locked.status = target
        locked.save(update_fields=["result", "result_on", "result_note", "status", "updated_at"])
        text = f"{definition.label}（{definition.basis.split('：')[0]}），表四归入“{row.get_column_display()}”。"
        reopened: list[str] = []
        if corrected:
            assert isinstance(actor, User)
            reason = (
                f"{locked.body}{locked.number and '（' + locked.number + '）'}于{result_on:%Y年%m月%d日}"
                f"作出{AppealKind(locked.kind).label}结果“{definition.label}”，依法重新办理。{note.strip()}".strip()
            )
            for case in locked.cases.order_by("pk"):
                if case.status == CaseStatus.CLOSED:
                    case_services.case_reopen(case=case, actor=actor, reason=reason, request=request)
                    reopened.append(case.number)
                else:
                    case_services.case_add_note(case=case, actor=actor, note=reason, request=request)
            if reopened:
                text += f"已重新办理：{'、'.join(reopened)}。"
        _record(
            locked,
            Action.RESULT,
            actor=actor,
            on=result_on,
            before=before,
            note=f"{text}{note.strip()}",
            data={"column": row.column, "reopened": reopened},
            request=request,
        )
    return locked


def appeal_draft_document(
    *, appeal: Appeal, actor: Any, on: dt.date | None = None, request: HttpRequest | None = None
) -> AppealDocument:
    """Render the 答复书 (复议) or 答辩状 (诉讼) draft as DOCX and PDF from the linked cases, and keep both."""
    from gongkai.appeals import documents
    from gongkai.documents.render import DocumentRenderError, render_docx, render_pdf

    _check_actor(actor, appeal.agency_id)
    on = on or _today()
    with transaction.atomic():
        locked = _lock(appeal)
        target = _transition(locked, Action.DRAFT)
        official = documents.build(locked, on=on)
        try:
            docx_bytes, pdf_bytes = render_docx(official), render_pdf(official)
        except DocumentRenderError as error:  # e.g. no CJK font installed: say so, keep nothing
            raise ValidationError({"document": str(error)}) from None
        except OSError:  # WeasyPrint could not load Pango
            raise ValidationError({"document": "无法生成 PDF：缺少 Pango 组件"}) from None
        doc = AppealDocument.objects.create(
            appeal=locked,
            kind=documents.draft_kind_for(locked),
            title=official.title,
            date_on=on,
            docx_sha256=hashlib.sha256(docx_bytes).hexdigest(),
            pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(),
            created_by=actor if isinstance(actor, User) else None,
        )
        base = f"appeals/{locked.agency_id}/{locked.pk}-{doc.pk}-{doc.kind}"
        doc.docx.save(f"{base}.docx", ContentFile(docx_bytes), save=False)
        doc.pdf.save(f"{base}.pdf", ContentFile(pdf_bytes), save=False)
        doc.save(update_fields=["docx", "pdf"])
        locked.status = target
        before = _snapshot(locked)
        _record(
            locked,
            Action.DRAFT,
            actor=actor,
            on=on,
            before=before,
            note=f"生成{doc.get_kind_display()}草稿",
            data={"document": doc.pk, "pdf_sha256": doc.pdf_sha256},
            request=request,
        )
    return doc


def mapping_set(*, actor: Any, result: str, column: str, request: HttpRequest | None = None) -> ResultMapping | None:
    """Set the 表四 column of ``result`` (a platform 系统管理员, or ``None`` = a command run on the server).
    ``column=""`` removes the result from the mapping: it can no longer be recorded — refused while appeals carry it."""
    if actor is not None and getattr(actor, "platform_role", "") != PlatformRole.SYSTEM_ADMIN:
        raise ValidationError({"actor": "只有平台系统管理员可以修改表四结果归类"})
    if result not in RESULTS:
        raise ValidationError({"result": f"结果“{result}”不是法定的复议或诉讼结果"})
    if column and column not in Column.values:
        raise ValidationError({"column": f"栏目“{column}”不是表四的结果栏目（结果维持、结果纠正、其他结果）"})
    with transaction.atomic():
        row = ResultMapping.objects.select_for_update().filter(result=result).first()
        before = {"result": result, "column": row.column if row else ""}
        if not column:
            if Appeal.objects.filter(result=result).exists():
                raise ValidationError({"column": "已有案件记录了此结果，不能将其移出归类（可改归其他栏目）"})
            if row is not None:
                row.delete()
            row = None
        elif row is None:
            row = ResultMapping.objects.create(result=result, column=column)
        else:
            row.column = column
            row.save(update_fields=["column", "updated_at"])
        audit_record(
            action="appeal.mapping_set",
            actor=actor,
            agency_id=None,
            obj=row,
            before=before,
            after={"result": result, "column": column},
            request=request,
            actor_label=None if actor is not None else "系统",
        )
    return row
