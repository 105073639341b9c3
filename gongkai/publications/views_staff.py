"""Back-office pages of 主动公开: work lists, the catalogue entry form, the item page with the 保密审查 findings
highlighted in the body, the action panel, attachments and downloads.

Thin: parse input, fetch through the access gate (the same 404 for missing and not yours), call one service, render.
Every rule (transition, permission, open high-severity finding) is the service's; the action panel only hides what
the user could not do anyway, and a POST is checked again by the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.core.form_errors import error_text as _error_text
from gongkai.core.form_errors import errors_to_form as _errors_to_form
from gongkai.core.form_errors import form_problem as _form_problem
from gongkai.publications import forms_staff as f
from gongkai.publications import selectors, services
from gongkai.publications.codebook import (
    LIFECYCLE_KINDS,
    VALIDITY_TRANSITIONS,
    Action,
    Actor,
    Channel,
    FindingStatus,
    ReviewDecision,
    Severity,
    Status,
    TransitionError,
    Validity,
    transition_for,
)
from gongkai.publications.models import ChannelDelivery, Publication, PublicationAttachment, ScanFinding
from gongkai.publications.sanitize import clean_html

PAGE_SIZE = 50
# Who reads the items of an agency in the back office: its 经办人, 审核人 and 负责人, and the 主管部门 above it —
# the readers of its 依申请公开 cases. Not the 机构管理员 or the platform roles: configuration is not content, and a
# draft before 保密审查 may hold exactly what the review is there to catch.
VIEW = Perm.VIEW_CASES
_WHO: dict[Perm, str] = {
    Perm.HANDLE_CASES: "经办人或负责人",
    Perm.REVIEW_SECRECY: "审核人",
    Perm.APPROVE: "负责人",
}


def _not_found() -> Http404:
    return Http404(access.NOT_FOUND)


def _publication(
    request: HttpRequest, publication_id: int, queryset: QuerySet[Publication] | None = None
) -> Publication:
    return access.access_object(
        request.user,
        queryset if queryset is not None else Publication.objects.select_related("agency"),
        publication_id,
        VIEW,
    )


def _form_errors_text(form: Any) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def visible_agency_ids(user: Any, perm: Perm = VIEW) -> list[int]:
    ids = access.agency_ids_with(user, perm)
    if isinstance(ids, access.AllAgencies):
        return list(Agency.objects.values_list("pk", flat=True))
    return sorted(ids)


# ---------------------------------------------------------------------------------------------------------------------
# Work lists


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    status: Status | None = None  # None: a 条例第二十六条 timeliness list


TABS: tuple[Tab, ...] = (
    Tab("draft", "草稿", Status.DRAFT),
    Tab("review", "待保密审查", Status.SECRECY_REVIEW),
    Tab("approval", "待审批", Status.APPROVAL),
    Tab("published", "已发布", Status.PUBLISHED),
    Tab("withdrawn", "已撤回", Status.WITHDRAWN),
    Tab("due_soon", "即将超期"),
    Tab("overdue", "已超期"),
)
_TAB = {tab.key: tab for tab in TABS}


def tab_counts(agency_ids: Sequence[int], today: dt.date) -> tuple[dict[str, int], selectors.Timeliness]:
    """Items per tab over the agencies: one grouped count by status, and the 条例第二十六条 lists."""
    by_status = dict(
        Publication.objects.filter(agency_id__in=list(agency_ids))
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    timely = selectors.timeliness(agency_ids, today)
    counts = {tab.key: by_status.get(tab.status, 0) for tab in TABS if tab.status is not None}
    counts["due_soon"] = len(timely.due_soon)
    counts["overdue"] = len(timely.overdue)
    return counts, timely


def _tab_queryset(tab: Tab, agency_ids: Sequence[int], timely: selectors.Timeliness) -> QuerySet[Publication]:
    if tab.status is None:
        rows = timely.due_soon if tab.key == "due_soon" else timely.overdue
        # The selector's list is the rule (条例第二十六条, working days); filters and pages apply to its rows.
        ids = [p.pk for p in rows]
        return _annotated(Publication.objects.filter(pk__in=ids)).order_by("disclosure_due_on", "pk")
    queryset = selectors.workflow_queue(agency_ids, tab.status)
    if tab.status in (Status.PUBLISHED, Status.WITHDRAWN):
        queryset = queryset.order_by("-published_on", "-year", "-seq")
    return queryset


def _annotated(queryset: QuerySet[Publication]) -> QuerySet[Publication]:
    open_ = Q(findings__status=FindingStatus.OPEN)
    return queryset.select_related("agency").annotate(
        open_findings=Count("findings", filter=open_),
        open_high=Count("findings", filter=open_ & Q(findings__severity=Severity.HIGH)),
    )


def _default_tab(user: User) -> Tab:
    # A 审核人 (who neither drafts nor approves) starts at the items waiting for the 保密审查.
    if access.has_any(user, Perm.REVIEW_SECRECY) and not access.has_any(user, Perm.HANDLE_CASES):
        return _TAB["review"]
    return TABS[0]


@staff_required
def publication_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    tab = _TAB.get(request.GET.get("tab") or "") or _default_tab(user)
    today = timezone.localdate()
    ids = visible_agency_ids(user)
    agencies = Agency.objects.filter(pk__in=ids).order_by("name")
    form = f.ListFilterForm(request.GET or None, agencies=agencies)
    counts, timely = tab_counts(ids, today)
    items = _tab_queryset(tab, ids, timely)
    if form.is_bound:
        form.is_valid()  # invalid filters are shown with their error and ignored
        data = getattr(form, "cleaned_data", {})
        if data.get("agency"):
            items = items.filter(agency=data["agency"])
        for name in ("category", "doc_kind", "validity"):
            if data.get(name):
                items = items.filter(**{name: data[name]})
        if data.get("year"):
            items = items.filter(year=data["year"])
        if data.get("s"):
            s = data["s"].strip()
            items = items.filter(Q(title__icontains=s) | Q(doc_number__icontains=s) | Q(index_number__icontains=s))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publications/staff/list.html",
        {
            "tab": tab,
            "tabs": [(t.key, t.label, counts[t.key]) for t in TABS],
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "can_create": bool(visible_agency_ids(user, Perm.HANDLE_CASES)),
        },
    )


# ---------------------------------------------------------------------------------------------------------------------
# Creating and editing a draft


def _handling_agencies(user: User) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=visible_agency_ids(user, Perm.HANDLE_CASES), is_active=True).order_by("name")


@staff_required
def create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    agencies = _handling_agencies(user)
    if not agencies.exists():
        raise _not_found()
    form = f.PublicationForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            publication = services.publication_create(
                agency=form.cleaned_data["agency"], actor=user, data=form.data_for_service()
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"已新建草稿，索引号 {publication.index_number}。")
            return redirect("publications:detail", publication_id=publication.pk)
    if form.is_bound and form.errors:
        messages.error(request, "草稿未保存：" + _form_problem(form))
    return render(request, "publications/staff/form.html", {"form": form, "publication": None})


@staff_required
def edit(request: HttpRequest, publication_id: int) -> HttpResponse:
    user = staff_user(request)
    publication = _publication(request, publication_id)
    reason = refusal(user, publication, "edit")
    if reason is not None:
        messages.error(request, f"不能修改：{reason}")
        return redirect("publications:detail", publication_id=publication.pk)
    form = f.PublicationForm(
        request.POST or None,
        agencies=Agency.objects.none(),
        publication=publication,
        initial=f.PublicationForm.initial_for(publication),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.publication_update(publication=publication, actor=user, data=form.data_for_service())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "草稿已保存。")
            return redirect("publications:detail", publication_id=publication.pk)
    if form.is_bound and form.errors:
        messages.error(request, "草稿未保存：" + _form_problem(form))
    return render(
        request,
        "publications/staff/form.html",
        {
            "form": form,
            "publication": publication,
            "attachments": selectors.attachments_of(publication),
            "attachment_form": f.AttachmentForm(),
        },
    )


# ---------------------------------------------------------------------------------------------------------------------
# The item page and its actions


@dataclass(frozen=True)
class ActionSpec:
    label: str
    form: type[f.ActionForm]
    run: Callable[[Any, Publication, User], Any]
    rule: Action | None  # the transition-table row; None: not a workflow transition (validity)
    button: str = "提交"


def _cd(form: Any) -> dict[str, Any]:
    return dict(form.cleaned_data)


ACTIONS: dict[str, ActionSpec] = {
    "submit": ActionSpec(
        "提交保密审查",
        f.EmptyForm,
        lambda fm, p, u: services.publication_submit(publication=p, actor=u),
        Action.SUBMIT,
        button="提交保密审查",
    ),
    "review_pass": ActionSpec(
        "审查通过",
        f.PassForm,
        lambda fm, p, u: services.publication_review(
            publication=p, actor=u, decision=ReviewDecision.AGREE, opinion=fm.cleaned_data["opinion"]
        ),
        Action.REVIEW_PASS,
        button="审查通过",
    ),
    "review_return": ActionSpec(
        "保密审查退回",
        f.ReturnForm,
        lambda fm, p, u: services.publication_review(publication=p, actor=u, **_cd(fm)),
        Action.REVIEW_RETURN,
        button="退回",
    ),
    "approve": ActionSpec(
        "审批通过（发布/定时发布）",
        f.ApproveForm,
        lambda fm, p, u: services.publication_approve(
            publication=p,
            actor=u,
            decision=ReviewDecision.AGREE,
            opinion=fm.cleaned_data["opinion"],
            scheduled_for=fm.cleaned_data["scheduled_for"],
            channels=fm.cleaned_data["channels"],
        ),
        Action.APPROVE,
        button="审批通过",
    ),
    "approval_return": ActionSpec(
        "审批退回",
        f.ReturnForm,
        lambda fm, p, u: services.publication_approve(publication=p, actor=u, **_cd(fm)),
        Action.APPROVAL_RETURN,
        button="退回",
    ),
    "withdraw": ActionSpec(
        "撤回",
        f.WithdrawForm,
        lambda fm, p, u: services.publication_withdraw(publication=p, actor=u, **_cd(fm)),
        Action.WITHDRAW,
        button="撤回",
    ),
    "set_validity": ActionSpec(
        "设置有效性",
        f.ValidityForm,
        lambda fm, p, u: services.publication_set_validity(publication=p, actor=u, **_cd(fm)),
        None,
        button="保存",
    ),
}


def refusal(user: User, publication: Publication, slug: str) -> str | None:
    """Why ``user`` may not take this action on ``publication`` now (the transition table and its permission)."""
    if slug == "set_validity":
        return _validity_refusal(user, publication)
    action = Action.EDIT if slug == "edit" else ACTIONS[slug].rule
    assert action is not None
    try:
        rule = transition_for(action, publication.status, Actor.STAFF)
    except TransitionError as error:
        return str(error)
    if rule.perm is None or not access.has_perm(user, rule.perm, publication.agency_id):
        label = "修改" if slug == "edit" else ACTIONS[slug].label
        who = _WHO.get(rule.perm, "有权限的工作人员") if rule.perm is not None else "系统"
        return f"“{label}”须由本机关{who}执行"
    return None


def _validity_refusal(user: User, publication: Publication) -> str | None:
    # publication_set_validity checks kind, status and the validity table, but not who acts: the 经办人 or 负责人
    # who keeps the catalogue records it (the same duty as drafting).
    if publication.doc_kind not in LIFECYCLE_KINDS:
        return "只有规章和行政规范性文件有有效性"
    if publication.status != Status.PUBLISHED:
        return "只有已发布的文件才能变更有效性"
    if not VALIDITY_TRANSITIONS.get(publication.validity):
        return f"有效性为“{Validity(publication.validity).label}”的文件不能再变更"
    if not access.has_perm(user, Perm.HANDLE_CASES, publication.agency_id):
        return "“设置有效性”须由本机关经办人或负责人执行"
    return None


def _available(user: User, publication: Publication) -> list[str]:
    return [slug for slug in ACTIONS if refusal(user, publication, slug) is None]


def highlight(text: str, findings: Iterable[ScanFinding]) -> SafeString:
    """``text`` escaped, each finding's span [start, end) inside a ``<mark>`` whose class says its state: sev-high /
    sev-medium / sev-low while open, redacted or dismissed once handled. Overlapping spans are clipped so that marks
    never nest; spans beyond the text (it changed since the scan) are left out."""
    parts: list[str] = []
    cursor = 0
    for finding in sorted(findings, key=lambda x: (x.start, -x.end, x.pk)):
        start, end = max(finding.start, cursor), min(finding.end, len(text))
        if end <= start:
            continue
        parts.append(escape(text[cursor:start]))
        parts.append(
            format_html(
                '<mark class="{}" id="finding-{}-text" title="{}（{}风险，{}）">{}</mark>',
                _mark_class(finding),
                finding.pk,
                finding.get_kind_display(),
                finding.get_severity_display(),
                finding.get_status_display(),
                text[start:end],
            )
        )
        cursor = end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def _mark_class(finding: ScanFinding) -> str:
    if finding.status == FindingStatus.OPEN:
        return f"sev-{finding.severity}"
    return str(finding.status)


SNIPPET_CONTEXT = 30


def snippet(text: str, finding: ScanFinding) -> SafeString:
    """The finding in its attachment's text, with some context either side, highlighted."""
    if not text or finding.end > len(text):
        return escape(finding.masked_text)
    lo, hi = max(0, finding.start - SNIPPET_CONTEXT), min(len(text), finding.end + SNIPPET_CONTEXT)
    shifted = ScanFinding(
        pk=finding.pk,
        kind=finding.kind,
        severity=finding.severity,
        status=finding.status,
        start=finding.start - lo,
        end=finding.end - lo,
    )
    body = highlight(text[lo:hi], [shifted])
    return mark_safe(("…" if lo else "") + body + ("…" if hi < len(text) else ""))  # noqa: S308 - escaped


def _detail_queryset() -> QuerySet[Publication]:
    return Publication.objects.select_related("agency", "interprets", "replaced_by", "created_by")


def _render_detail(
    request: HttpRequest,
    publication: Publication,
    *,
    bound: dict[str, f.ActionForm] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    user = staff_user(request)
    bound = bound or {}
    actions = []
    for slug in _available(user, publication):
        form = bound.get(slug) or ACTIONS[slug].form(publication=publication, user=user, prefix=slug)
        actions.append({"slug": slug, "label": ACTIONS[slug].label, "button": ACTIONS[slug].button, "form": form})
    findings = list(selectors.findings_of(publication))
    body_findings = [x for x in findings if x.attachment_id is None and x.source_label == "正文"]
    other_findings = [
        {"finding": x, "snippet": snippet(x.attachment.extracted_text if x.attachment else "", x)}
        for x in findings
        if x not in body_findings
    ]
    can_review = publication.status == Status.SECRECY_REVIEW and access.has_perm(
        user, Perm.REVIEW_SECRECY, publication.agency_id
    )
    can_edit = refusal(user, publication, "edit") is None
    removable = (can_edit and publication.status == Status.DRAFT) or can_review
    context = {
        "publication": publication,
        "body": highlight(publication.body, body_findings),
        "body_html": mark_safe(clean_html(publication.body_html)),  # noqa: S308 - sanitised again on the way out
        "body_findings": body_findings,
        "other_findings": other_findings,
        "open_high": any(x.status == FindingStatus.OPEN and x.severity == Severity.HIGH for x in findings),
        "opinions": selectors.opinions_of(publication),
        "attachments": selectors.attachments_of(publication),
        "deliveries": ChannelDelivery.objects.filter(publication=publication).order_by("channel"),
        "channel_labels": [Channel(c).label if c in Channel.values else c for c in publication.channels or []],
        "interpretations": publication.interpretations.order_by("pk"),
        "actions": actions,
        "can_review": can_review,
        "can_edit": can_edit,
        "can_remove_attachment": removable,
        "dismiss_form": f.DismissForm(),
        "attachment_form": f.AttachmentForm(),
        "days_left": selectors.working_days_left(publication, timezone.localdate()),
        "today": timezone.localdate(),
        **(extra or {}),
    }
    return render(request, "publications/staff/detail.html", context)


@staff_required
def detail(request: HttpRequest, publication_id: int) -> HttpResponse:
    return _render_detail(request, _publication(request, publication_id, _detail_queryset()))


@staff_required
@require_POST
def action(request: HttpRequest, publication_id: int, action: str) -> HttpResponse:
    user = staff_user(request)
    publication = _publication(request, publication_id, _detail_queryset())
    spec = ACTIONS.get(action)
    if spec is None:
        raise _not_found()
    reason = refusal(user, publication, action)
    if reason is not None:
        messages.error(request, f"未执行：{reason}")
        return redirect("publications:detail", publication_id=publication.pk)
    form = spec.form(request.POST, publication=publication, user=user, prefix=action)
    if form.is_valid():
        try:
            spec.run(form, publication, user)
        except ValidationError as error:
            _errors_to_form(form, error)
            problem = _error_text(error)
        else:
            messages.success(request, f"“{spec.label}”已完成。")
            return redirect("publications:detail", publication_id=publication.pk)
    else:
        problem = _form_problem(form)
    messages.error(request, f"“{spec.label}”未执行，信息未作任何改动：{problem}")
    publication = _publication(request, publication_id, _detail_queryset())
    return _render_detail(request, publication, bound={action: form}, extra={"open_action": action})


# ---------------------------------------------------------------------------------------------------------------------
# 保密审查 findings


def _finding(request: HttpRequest, publication_id: int, finding_id: int) -> ScanFinding:
    publication = _publication(request, publication_id)
    finding = ScanFinding.objects.select_related("publication").filter(publication=publication, pk=finding_id).first()
    if finding is None:
        raise _not_found()
    return finding


def _back_to_findings(publication_id: int) -> HttpResponse:
    return redirect(reverse("publications:detail", kwargs={"publication_id": publication_id}) + "#findings")


@staff_required
@require_POST
def finding_redact(request: HttpRequest, publication_id: int, finding_id: int) -> HttpResponse:
    finding = _finding(request, publication_id, finding_id)
    try:
        services.finding_redact(finding=finding, actor=staff_user(request))
    except ValidationError as error:
        messages.error(request, "未遮盖：" + _error_text(error))
    else:
        messages.success(request, f"已遮盖{finding.get_kind_display()}，正文中的该内容已替换为■。")
    return _back_to_findings(finding.publication_id)


@staff_required
@require_POST
def finding_dismiss(request: HttpRequest, publication_id: int, finding_id: int) -> HttpResponse:
    finding = _finding(request, publication_id, finding_id)
    form = f.DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未排除：" + _form_errors_text(form))
        return _back_to_findings(finding.publication_id)
    try:
        services.finding_dismiss(finding=finding, actor=staff_user(request), reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, "未排除：" + _error_text(error))
    else:
        messages.success(request, f"已排除{finding.get_kind_display()}（{finding.masked_text}）。")
    return _back_to_findings(finding.publication_id)


# ---------------------------------------------------------------------------------------------------------------------
# Attachments and downloads


@staff_required
@require_POST
def attachment_add(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = _publication(request, publication_id)
    form = f.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "附件未上传：" + _form_errors_text(form))
    else:
        upload = form.cleaned_data["file"]
        try:
            added = services.publication_add_attachment(
                publication=publication, actor=staff_user(request), name=upload.name or "", content=upload.read()
            )
        except ValidationError as error:
            messages.error(request, "附件未上传：" + _error_text(error))
        else:
            messages.success(request, f"已上传附件“{added.original_name}”。")
    return redirect(reverse("publications:detail", kwargs={"publication_id": publication.pk}) + "#attachments")


def _attachment(request: HttpRequest, publication_id: int, attachment_id: int) -> PublicationAttachment:
    publication = _publication(request, publication_id)
    item = (
        PublicationAttachment.objects.select_related("publication")
        .filter(publication=publication, pk=attachment_id)
        .first()
    )
    if item is None:
        raise _not_found()
    return item


@staff_required
def attachment(request: HttpRequest, publication_id: int, attachment_id: int) -> HttpResponse:
    item = _attachment(request, publication_id, attachment_id)
    with item.file.open("rb") as handle:
        content: bytes = handle.read()
    return _download(content, item.original_name, item.content_type)


@staff_required
@require_POST
def attachment_remove(request: HttpRequest, publication_id: int, attachment_id: int) -> HttpResponse:
    item = _attachment(request, publication_id, attachment_id)
    try:
        services.publication_remove_attachment(attachment=item, actor=staff_user(request))
    except ValidationError as error:
        messages.error(request, "附件未删除：" + _error_text(error))
    else:
        messages.success(request, f"已删除附件“{item.original_name}”。")
    return redirect(reverse("publications:detail", kwargs={"publication_id": item.publication_id}) + "#attachments")


@staff_required
def pdf(request: HttpRequest, publication_id: int) -> HttpResponse:
    from gongkai.documents.render import DocumentRenderError
    from gongkai.publications.pdf import publication_pdf

    publication = _publication(request, publication_id, _detail_queryset())
    try:
        data = publication_pdf(publication)
    except DocumentRenderError as error:
        messages.error(request, f"PDF 生成失败：{error}")
        return redirect("publications:detail", publication_id=publication.pk)
    draft = "" if publication.status in (Status.PUBLISHED, Status.WITHDRAWN) else "（未发布）"
    name = publication.index_number.replace("/", "-")
    return _download(data, f"{name}{draft}.pdf", "application/pdf")


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    # Always an attachment, never rendered inline: an uploaded file must not run in the back office's origin.
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------------------------------
# The box on the staff home page


def home_counts(user: Any, today: dt.date | None = None) -> list[tuple[str, str, int]] | None:
    """(tab, label, count) for 待审查, 待审批, 即将超期, 已超期 over the agencies the user reads; None without any."""
    ids = visible_agency_ids(user)
    if not ids:
        return None
    counts, _timely = tab_counts(ids, today or timezone.localdate())
    return [(key, label, counts[key]) for key, label in HOME_TABS]


HOME_TABS: tuple[tuple[str, str], ...] = (
    ("review", "待审查"),
    ("approval", "待审批"),
    ("due_soon", "即将超期"),
    ("overdue", "已超期"),
)
