"""Back-office pages of 依申请公开: queues, registration, the case page with its actions, documents.

Thin: parse input, fetch through the access gate, call one service, render. Every rule (transition, permission,
statute) is the service's; the action panel only hides what the user could not do anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.cases import forms_staff as f
from gongkai.cases import selectors, services, uploads
from gongkai.cases.codebook import RECEIPT_RULES, Channel
from gongkai.cases.models import Case, CaseAttachment, CaseDocument, CaseEvent, FeeAssessment
from gongkai.cases.states import Action, Actor, Status, TransitionError, rule_for
from gongkai.clock.models import DueDateMove
from gongkai.core.form_errors import error_text as _error_text
from gongkai.core.form_errors import errors_to_form as _errors_to_form
from gongkai.core.form_errors import form_problem as _form_problem

PAGE_SIZE = 50
_REVEAL_KEY = "cases_revealed"


def _case(request: HttpRequest, case_id: int, queryset: QuerySet[Case] | None = None) -> Case:
    return access.access_object(
        request.user, queryset if queryset is not None else Case.objects.all(), case_id, Perm.VIEW_CASES
    )


def _not_found() -> Http404:
    return Http404(access.NOT_FOUND)


# ---------------------------------------------------------------------------------------------------------------------
# Queues


@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    name = request.GET.get("q") or selectors.Queue.TODO
    if name not in selectors.Queue.LABELS:
        name = selectors.Queue.TODO
    today = timezone.localdate()
    agencies = access.scope(user, Agency.objects.all(), Perm.VIEW_CASES, agency_field="pk").order_by("name")
    form = f.QueueFilterForm(request.GET or None, agencies=agencies)
    cases = selectors.queue(user, name, today=today)
    if form.is_bound:
        form.is_valid()  # invalid filters are shown with their error and ignored
        data = getattr(form, "cleaned_data", {})
        if data.get("agency"):
            cases = cases.filter(agency=data["agency"])
        for field in ("status", "channel", "applicant_type"):
            if data.get(field):
                cases = cases.filter(**{field: data[field]})
        if data.get("received_from"):
            cases = cases.filter(received_on__gte=data["received_from"])
        if data.get("received_to"):
            cases = cases.filter(received_on__lte=data["received_to"])
        if data.get("s"):
            cases = selectors.search(cases, data["s"])
    page = Paginator(cases.prefetch_related("items"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.queue_counts(user, today=today)
    can_handle = access.has_any(user, Perm.HANDLE_CASES)
    handle_ids = access.agency_ids_with(user, Perm.HANDLE_CASES)
    assignees = f.handling_staff(handle_ids) if can_handle and isinstance(handle_ids, set) else User.objects.none()
    return render(
        request,
        "cases/staff/list.html",
        {
            "queue": name,
            "queues": [(key, label, counts[key]) for key, label in selectors.Queue.LABELS.items()],
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "can_handle": can_handle,
            "bulk_form": f.BulkForm(assignees=assignees) if can_handle else None,
        },
    )


@staff_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign or claim several cases: each row through its own service call, each failure reported by number."""
    user = staff_user(request)
    if not access.has_any(user, Perm.HANDLE_CASES):
        raise _not_found()
    handle_ids = access.agency_ids_with(user, Perm.HANDLE_CASES)
    assignees = f.handling_staff(handle_ids) if isinstance(handle_ids, set) else User.objects.none()
    form = f.BulkForm(request.POST, assignees=assignees)
    back = reverse("cases:list") + (
        f"?q={request.POST['q']}" if request.POST.get("q") in selectors.Queue.LABELS else ""
    )
    if not form.is_valid():
        messages.error(request, "批量操作未执行：" + "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(back)
    visible = selectors.cases_for_staff(user)
    done: list[str] = []
    failed: list[str] = []
    for case_id in form.cleaned_data["cases"]:
        case = visible.filter(pk=case_id).first()
        if case is None:
            failed.append(f"编号{case_id}：未找到该申请")
            continue
        try:
            if form.cleaned_data["op"] == "assign":
                services.case_assign(case=case, actor=user, assignee=form.cleaned_data["assignee"], request=request)
            else:
                services.case_claim(case=case, actor=user, request=request)
        except ValidationError as error:
            failed.append(f"{case.number}：{_error_text(error)}")
        else:
            done.append(case.number)
    label = "分办" if form.cleaned_data["op"] == "assign" else "认领"
    if done:
        messages.success(request, f"已{label}{len(done)}件：{'、'.join(done)}")
    for line in failed:
        messages.error(request, f"{label}失败 {line}")
    return redirect(back)


# ---------------------------------------------------------------------------------------------------------------------
# Registration


@staff_required
def register(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    agencies = access.scope(user, Agency.objects.filter(is_active=True), Perm.HANDLE_CASES, agency_field="pk")
    if not agencies.exists():
        raise _not_found()
    form = f.RegisterForm(request.POST or None, request.FILES or None, agencies=agencies.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            sniffed = [
                uploads.sniff(upload.name or "", upload.read(), field="attachments")
                for upload in form.cleaned_data["attachments"]
            ]
            channel = form.cleaned_data["channel"]
            case = services.case_register(
                agency=form.cleaned_data["agency"],
                data=form.application(
                    [services.UploadInput(s.name, s.content, s.content_type) for s in sniffed],
                ),
                channel=channel,
                actor=user,
                received_on=None if Channel(channel).needs_confirmation else form.cleaned_data["received_on"],
                receipt_note=form.cleaned_data["receipt_note"],
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"已登记申请 {case.number}（{case.get_status_display()}）。")
            return redirect("cases:detail", case_id=case.pk)
    if form.is_bound and form.errors:
        messages.error(request, "申请未登记：请检查下方标出的内容。")
    return render(
        request,
        "cases/staff/register.html",
        {"form": form, "rules": [(Channel(c).label, text) for c, text in RECEIPT_RULES.items() if c != Channel.ONLINE]},
    )


# ---------------------------------------------------------------------------------------------------------------------
# The case page and its actions


@dataclass(frozen=True)
class ActionSpec:
    label: str
    form: type[f.ActionForm]
    run: Callable[[Any, Case, User, HttpRequest], Any]
    rule: Action | None = None  # the transition-table row; None: the slug is the row
    button: str = "提交"


def _d(form: Any) -> dict[str, Any]:
    return dict(form.cleaned_data)


ACTIONS: dict[str, ActionSpec] = {
    "confirm_receipt": ActionSpec(
        "确认收到申请",
        f.ConfirmReceiptForm,
        lambda fm, c, u, r: services.case_confirm_receipt(case=c, actor=u, request=r, **_d(fm)),
    ),
    "claim": ActionSpec("认领", f.EmptyForm, lambda fm, c, u, r: services.case_claim(case=c, actor=u, request=r)),
    "assign": ActionSpec(
        "分办", f.AssignForm, lambda fm, c, u, r: services.case_assign(case=c, actor=u, request=r, **_d(fm))
    ),
    "request_correction": ActionSpec(
        "告知补正",
        f.RequestCorrectionForm,
        lambda fm, c, u, r: services.case_request_correction(
            case=c,
            actor=u,
            on=fm.cleaned_data["on"],
            items=fm.items_text(),
            period_days=fm.cleaned_data["period_days"],
            request=r,
        ),
    ),
    "record_correction": ActionSpec(
        "收到补正",
        f.DatedNoteForm,
        lambda fm, c, u, r: services.case_record_correction(case=c, actor=u, request=r, **_d(fm)),
    ),
    "correction_lapsed": ActionSpec(
        "逾期未补正",
        f.DateOnlyForm,
        lambda fm, c, u, r: services.case_correction_lapsed(case=c, actor=u, request=r, **_d(fm)),
    ),
    "start_consultation": ActionSpec(
        "征求意见",
        f.StartConsultationForm,
        lambda fm, c, u, r: services.case_start_consultation(
            case=c, actor=u, on=fm.cleaned_data["on"], consultees=fm.consultees(), request=r
        ),
    ),
    "record_opinion": ActionSpec(
        "收到意见",
        f.RecordOpinionForm,
        lambda fm, c, u, r: services.case_record_opinion(case=c, actor=u, request=r, **_d(fm)),
    ),
    "consultation_lapsed": ActionSpec(
        "意见期限届满",
        f.EmptyForm,
        lambda fm, c, u, r: services.case_consultation_lapsed(case=c, actor=u, request=r),
    ),
    "extend": ActionSpec(
        "延长答复期限", f.ExtendForm, lambda fm, c, u, r: services.case_extend(case=c, actor=u, request=r, **_d(fm))
    ),
    "notify_fee": ActionSpec(
        "发出收费通知",
        f.NotifyFeeForm,
        lambda fm, c, u, r: services.case_notify_fee(case=c, actor=u, request=r, **_d(fm)),
    ),
    "record_payment": ActionSpec(
        "收到缴费",
        f.RecordPaymentForm,
        lambda fm, c, u, r: services.case_record_payment(case=c, actor=u, request=r, **_d(fm)),
    ),
    "fee_lapsed": ActionSpec(
        "逾期未缴费", f.DateOnlyForm, lambda fm, c, u, r: services.case_fee_lapsed(case=c, actor=u, request=r, **_d(fm))
    ),
    "ask_reasons": ActionSpec(
        "要求说明理由",
        f.DatedNoteForm,
        lambda fm, c, u, r: services.case_ask_reasons(case=c, actor=u, request=r, **_d(fm)),
    ),
    "reasons_accepted": ActionSpec(
        "理由合理，延迟答复",
        f.ReasonsAcceptedForm,
        lambda fm, c, u, r: services.case_accept_reasons(case=c, actor=u, request=r, **_d(fm)),
    ),
    "reasons_rejected": ActionSpec(
        "理由不合理，不予处理",
        f.ReasonsRejectedForm,
        lambda fm, c, u, r: services.case_reject_reasons(case=c, actor=u, request=r, **_d(fm)),
    ),
    "reply": ActionSpec(
        "答复",
        f.ReplyForm,
        lambda fm, c, u, r: services.case_reply(case=c, actor=u, data=fm.reply_input(), request=r),
    ),
    "withdraw": ActionSpec(
        "撤回申请",
        f.WithdrawForm,
        lambda fm, c, u, r: services.case_withdraw(case=c, actor=u, request=r, **_d(fm)),
    ),
    "reopen": ActionSpec(
        "重新办理", f.ReopenForm, lambda fm, c, u, r: services.case_reopen(case=c, actor=u, request=r, **_d(fm))
    ),
    "add_note": ActionSpec(
        "备注", f.NoteForm, lambda fm, c, u, r: services.case_add_note(case=c, actor=u, request=r, **_d(fm))
    ),
    "add_attachment": ActionSpec(
        "上传附件",
        f.AttachmentForm,
        lambda fm, c, u, r: _add_attachment(fm, c, u, r),
        rule=Action.ADD_NOTE,
        button="上传",
    ),
}


def _add_attachment(form: f.AttachmentForm, case: Case, user: User, request: HttpRequest) -> CaseAttachment:
    upload = form.cleaned_data["file"]
    sniffed = uploads.sniff(upload.name or "", upload.read(), field="file")
    return services.case_add_attachment(
        case=case,
        actor=user,
        upload=services.UploadInput(
            sniffed.name, sniffed.content, sniffed.content_type, kind=form.cleaned_data["kind"]
        ),
        request=request,
    )


def _rule_action(slug: str, case: Case) -> Action:
    spec = ACTIONS[slug]
    if spec.rule is not None:
        return spec.rule
    if slug == "withdraw" and case.status == Status.PENDING:
        return Action.CANCEL  # withdrawn before receipt was confirmed: cancelled, never counted
    return Action(slug)


def refusal(user: User, case: Case, slug: str) -> str | None:
    """Why ``user`` may not take this action on ``case`` now (the transition table and the rule's permission)."""
    try:
        rule = rule_for(_rule_action(slug, case), case.status, Actor.STAFF)
    except TransitionError as error:
        return error.message
    if rule.perm is None or not access.has_perm(user, rule.perm, case.agency_id):
        need = "负责人" if rule.perm == Perm.APPROVE else "经办人或负责人"
        return f"“{ACTIONS[slug].label}”须由本机关{need}执行"
    return None


def _available(user: User, case: Case) -> list[str]:
    slugs = [slug for slug in ACTIONS if refusal(user, case, slug) is None]
    if case.assignee_id == user.pk and "claim" in slugs:
        slugs.remove("claim")
    has_open = any(c.is_open for c in case.consultations.all())
    if not has_open:
        slugs = [s for s in slugs if s not in ("record_opinion", "consultation_lapsed")]
    return slugs


def _detail_queryset() -> QuerySet[Case]:
    return Case.objects.select_related(
        "agency", "agency__parent", "ledger", "assignee", "registered_by", "earlier_case", "extension_approved_by"
    ).prefetch_related(
        "items",
        "consultations",
        "withheld_parts",
        "attachments",
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("seq")),
        Prefetch("documents", queryset=CaseDocument.objects.prefetch_related("deliveries").order_by("id")),
    )


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, f.ActionForm] | None = None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    bound = bound or {}
    forms = []
    for slug in _available(user, case):
        form = bound.get(slug) or ACTIONS[slug].form(case=case, user=user, prefix=slug)
        forms.append({"slug": slug, "label": ACTIONS[slug].label, "button": ACTIONS[slug].button, "form": form})
    revealed = request.session.pop(_REVEAL_KEY, None)
    if not (isinstance(revealed, dict) and revealed.get("case") == case.pk):
        revealed = None
    fee = FeeAssessment.objects.filter(case=case).first()
    moves = DueDateMove.objects.filter(ledger_id=case.ledger_id).order_by("id") if case.ledger_id else []
    context = {
        "case": case,
        "fee": fee,
        "explanation": selectors.case_explanation(case),
        "receipt_job": selectors.receipt_job_open(case),
        "moves": moves,
        "actions": forms,
        "revealed": revealed,
        "can_reveal": access.has_perm(user, Perm.HANDLE_CASES, case.agency_id),
        "today": timezone.localdate(),
        **(extra or {}),
    }
    return render(request, "cases/staff/detail.html", context, status=status)


@staff_required
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, _case(request, case_id, _detail_queryset()))


@staff_required
@require_POST
def action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    user = staff_user(request)
    case = _case(request, case_id, _detail_queryset())
    spec = ACTIONS.get(action)
    if spec is None:
        raise _not_found()
    reason = refusal(user, case, action)
    if reason is not None:
        messages.error(request, f"未执行：{reason}")
        return redirect("cases:detail", case_id=case.pk)
    form = spec.form(request.POST, request.FILES, case=case, user=user, prefix=action)
    if form.is_valid():
        try:
            result = spec.run(form, case, user, request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if isinstance(result, CaseDocument):
                messages.success(
                    request, f"“{spec.label}”已完成，已生成{result.get_kind_display()}草稿，请核对后签发。"
                )
            elif isinstance(result, list) and result:
                messages.success(request, f"“{spec.label}”已完成，已生成{len(result)}份征求意见书草稿。")
            else:
                messages.success(request, f"“{spec.label}”已完成。")
            return redirect("cases:detail", case_id=case.pk)
    messages.error(request, f"“{spec.label}”未执行，案件未作任何改动：{_form_problem(form)}")
    case = _case(request, case_id, _detail_queryset())
    return _render_case(request, case, bound={action: form}, extra={"open_action": action})


@staff_required
def fee_quote(request: HttpRequest, case_id: int) -> HttpResponse:
    """试算: the fee the notice would state, computed without writing anything."""
    user = staff_user(request)
    case = _case(request, case_id, _detail_queryset())
    form = f.NotifyFeeForm(request.GET or None, case=case, user=user, prefix="notify_fee")
    quote = None
    if form.is_valid():
        try:
            quote = services.fee_quote(
                case=case,
                method=form.cleaned_data["method"],
                pieces=form.cleaned_data["pieces"],
                pages=form.cleaned_data["pages"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
    return _render_case(request, case, bound={"notify_fee": form}, extra={"quote": quote, "open_action": "notify_fee"})


@staff_required
@require_POST
def reveal(request: HttpRequest, case_id: int) -> HttpResponse:
    """Show the full ID number or phone once: audited here, then shown on the next page only (a reload is not)."""
    case = _case(request, case_id)
    field = request.POST.get("field", "")
    try:
        value = services.case_personal_data_reveal(case=case, actor=staff_user(request), field=field, request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        request.session[_REVEAL_KEY] = {"case": case.pk, "field": field, "value": value}
    return redirect("cases:detail", case_id=case.pk)


@staff_required
def attachment(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    case = _case(request, case_id)
    item = CaseAttachment.objects.filter(case=case, pk=attachment_id).first()
    if item is None:
        raise _not_found()
    return _download(_read(item.file), item.original_name, item.content_type)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    # Always an attachment, never rendered inline: an uploaded file must not run in the back office's origin.
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _read(stored: Any) -> bytes:
    with stored.open("rb") as handle:
        data: bytes = handle.read()
    return data


# ---------------------------------------------------------------------------------------------------------------------
# Documents


def _document(request: HttpRequest, case_id: int, document_id: int) -> CaseDocument:
    case = _case(request, case_id)
    doc = (
        CaseDocument.objects.select_related("case", "case__agency", "issued_by", "consultation")
        .prefetch_related("deliveries")
        .filter(case=case, pk=document_id)
        .first()
    )
    if doc is None:
        raise _not_found()
    return doc


def _render_document(
    request: HttpRequest,
    doc: CaseDocument,
    *,
    edit: f.DocumentEditForm | None = None,
    issue: f.IssueForm | None = None,
    deliver: f.DeliveryForm | None = None,
) -> HttpResponse:
    can_handle = access.has_perm(request.user, Perm.HANDLE_CASES, doc.case.agency_id)
    if edit is None:
        edit = f.DocumentEditForm(
            initial={"title": doc.title, "addressee": doc.addressee, "body": "\n\n".join(doc.body)}, prefix="doc"
        )
    return render(
        request,
        "cases/staff/document.html",
        {
            "doc": doc,
            "case": doc.case,
            "can_handle": can_handle,
            "edit_form": edit,
            "issue_form": issue or f.IssueForm(prefix="issue"),
            "delivery_form": deliver or f.DeliveryForm(prefix="delivery"),
        },
    )


@staff_required
def document(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    doc = _document(request, case_id, document_id)
    if request.method != "POST":
        return _render_document(request, doc)
    form = f.DocumentEditForm(request.POST, prefix="doc")
    if form.is_valid():
        try:
            services.document_update(
                document=doc,
                actor=staff_user(request),
                title=form.cleaned_data["title"],
                addressee=form.cleaned_data["addressee"],
                body=form.paragraphs(),
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "文书草稿已保存。")
            return redirect("cases:document", case_id=doc.case_id, document_id=doc.pk)
    messages.error(request, "文书未保存：" + _form_problem(form))
    return _render_document(request, doc, edit=form)


@staff_required
@require_POST
def document_issue(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    doc = _document(request, case_id, document_id)
    form = f.IssueForm(request.POST, prefix="issue")
    if form.is_valid():
        try:
            issued = services.document_issue(
                document=doc, actor=staff_user(request), on=form.cleaned_data["on"], request=request
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"文书已签发：{issued.doc_number or issued.get_kind_display()}。")
            return redirect("cases:document", case_id=doc.case_id, document_id=doc.pk)
    messages.error(request, "文书未签发：" + _form_problem(form))
    return _render_document(request, doc, issue=form)


@staff_required
@require_POST
def document_deliver(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    doc = _document(request, case_id, document_id)
    form = f.DeliveryForm(request.POST, prefix="delivery")
    if form.is_valid():
        try:
            services.document_deliver(document=doc, actor=staff_user(request), data=form.delivery(), request=request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "送达情况已记录。")
            return redirect("cases:document", case_id=doc.case_id, document_id=doc.pk)
    messages.error(request, "送达未记录：" + _form_problem(form))
    return _render_document(request, doc, deliver=form)


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _document_file(request: HttpRequest, case_id: int, document_id: int, fmt: str) -> HttpResponse:
    from gongkai.cases import letters
    from gongkai.documents.render import DocumentRenderError, render_docx, render_pdf

    doc = _document(request, case_id, document_id)
    content_type = _DOCX if fmt == "docx" else "application/pdf"
    name = f"{doc.case.number}-{doc.get_kind_display()}"
    if doc.is_issued:
        stored = doc.docx if fmt == "docx" else doc.pdf
        if not stored:
            raise _not_found()
        return _download(_read(stored), f"{doc.doc_number or name}.{fmt}", content_type)
    # A draft is rendered on the fly, marked 草稿, and never stored: only issue freezes a document.
    official = letters.official(doc, draft=True)
    try:
        data = render_docx(official) if fmt == "docx" else render_pdf(official)
    except DocumentRenderError as error:
        messages.error(request, f"草稿预览生成失败：{error}")
        return redirect("cases:document", case_id=doc.case_id, document_id=doc.pk)
    return _download(data, f"{name}（草稿）.{fmt}", content_type)


@staff_required
def document_docx(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    return _document_file(request, case_id, document_id, "docx")


@staff_required
def document_pdf(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    return _document_file(request, case_id, document_id, "pdf")
