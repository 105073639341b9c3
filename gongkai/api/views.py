"""The JSON API: parse with a serializer, call one service or selector, serialize. Access to cases goes through the
one gate (``gongkai.accounts.access``); every write through ``gongkai.cases.services``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, generics, permissions, status
from rest_framework import serializers as drf_serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongkai.accounts.access import access_object, has_perm, is_staff_user
from gongkai.accounts.models import User, UserKind
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.api import serializers as s
from gongkai.api.errors import Conflict
from gongkai.api.throttles import IntakeThrottle, TrackThrottle
from gongkai.cases import selectors, services
from gongkai.cases.models import Case, Consultation
from gongkai.cases.selectors import Queue
from gongkai.cases.states import Action, Actor, Status, TransitionError, rule_for
from gongkai.ratelimit.services import (
    applicant_hits,
    rate_from_settings,
    rate_hit,
    rate_hit_all,
    tracking_code_ident,
)

TRACK_REFUSED = "查询码或手机号后四位不正确"

_ERRORS = OpenApiResponse(
    inline_serializer(
        "Errors",
        {
            "errors": drf_serializers.DictField(
                help_text="按字段的中文错误说明；与字段无关的在 non_field_errors 下",
                child=drf_serializers.ListField(child=drf_serializers.CharField()),
            )
        },
    ),
    description="输入有误",
)
_DETAIL = OpenApiResponse(
    inline_serializer("Detail", {"detail": drf_serializers.CharField(help_text="中文说明")}), description="见 detail"
)


def _django(request: Request) -> HttpRequest:
    # Services take the plain Django request (for the client address in the audit log).
    return request._request


def _staff(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsActiveStaff has run
    return user


# ---------------------------------------------------------------------------------------------------------------------
# Public


class PublicView(APIView):
    """Anonymous: no session authentication, hence no CSRF; throttled per client address."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]


class IntakeView(PublicView):
    throttle_classes = [IntakeThrottle]

    @extend_schema(
        operation_id="public_application_submit",
        summary="在线提交政府信息公开申请",
        description=(
            "条例第二十九条。申请提交后处于“待确认”状态，工作机构与申请人确认后以确认之日为收到申请之日"
            "（第三十一条（三））。返回申请编号和查询码，凭查询码和手机号后四位可查询办理进度。"
            "JSON 接口不支持上传附件（如身份证明复印件）：需要时请通过网站申请表提交，或由工作机构告知补正。"
            "按访问地址和申请人（联系电话、证件号码，与网站申请表合并计数）限制提交频率，超过时返回 429 和 Retry-After。"
        ),
        request=s.ApplicationSerializer,
        responses={201: s.IntakeResultSerializer, 400: _ERRORS, 404: _DETAIL, 429: _DETAIL},
        tags=["公众"],
    )
    def post(self, request: Request, code: str) -> Response:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise exceptions.NotFound("没有该机关，请核对机关代码")
        serializer = s.ApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.to_input()
        # Per applicant, counted together with the web form (gongkai.ratelimit): rotating addresses does not help.
        applicant = rate_hit_all(
            applicant_hits(phone=data.phone, id_number=data.id_number), rate_from_settings("GONGKAI_APPLICANT_RATE")
        )
        if not applicant.allowed:
            raise exceptions.Throttled(wait=applicant.retry_after)
        case = services.case_submit_online(agency=agency, data=data, request=_django(request))
        return Response(s.IntakeResultSerializer(case).data, status=status.HTTP_201_CREATED)


class TrackView(PublicView):
    throttle_classes = [TrackThrottle]

    @extend_schema(
        operation_id="public_application_track",
        summary="查询申请办理进度",
        description=(
            "凭查询码和申请时所留电话的后四位查询：状态、答复期限及其计算说明、办结结果、办理进度和已送达的文书。"
            "查询码不存在与后四位不符返回同样的 404。按访问地址和查询码（与网站查询页合并计数）限制查询频率，"
            "超过时返回 429 和 Retry-After。"
        ),
        request=s.TrackRequestSerializer,
        responses={200: s.TrackResultSerializer, 400: _ERRORS, 404: _DETAIL, 429: _DETAIL},
        tags=["公众"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.TrackRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Per tracking code, counted together with the web tracking page: guessing four digits must be slow.
        code_limit = rate_hit(
            scope="track_code",
            ident=tracking_code_ident(serializer.validated_data["tracking_code"]),
            rate=rate_from_settings("GONGKAI_TRACK_CODE_RATE"),
        )
        if not code_limit.allowed:
            raise exceptions.Throttled(wait=code_limit.retry_after)
        case = selectors.case_by_tracking(serializer.validated_data["tracking_code"])
        if case is None or not selectors.tracking_check(case, serializer.validated_data["phone_last4"]):
            raise exceptions.NotFound(TRACK_REFUSED)
        closed = case.status == Status.CLOSED
        view = {
            "number": case.number,
            "agency_name": case.agency.name,
            "status": case.status,
            "status_label": case.get_status_display(),
            "submitted_on": timezone.localtime(case.submitted_at).date(),
            "received_on": case.received_on,
            "reply_due": case.reply_due,
            "provisional": bool(case.ledger and case.ledger.provisional),
            "explanation": selectors.case_explanation(case),
            "outcome": case.outcome if closed else None,
            "outcome_label": case.get_outcome_display() if closed else None,
            "timeline": selectors.public_events(case),
            "documents": selectors.public_documents(case),
        }
        return Response(s.TrackResultSerializer(view).data)


# ---------------------------------------------------------------------------------------------------------------------
# Staff


class IsActiveStaff(permissions.BasePermission):
    message = "仅限工作人员使用"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_staff_user(request.user)


class StaffView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsActiveStaff]


class StaffPagination(PageNumberPagination):
    page_size = 50
    invalid_page_message = "页码无效"


def _detail_queryset() -> QuerySet[Case]:
    return Case.objects.select_related("agency", "ledger", "assignee", "fee").prefetch_related(
        "items", "events", "consultations", "documents", "withheld_parts"
    )


def _case(request: Request, pk: int) -> Case:
    """The case if the user may see it; the same 404 for missing and for not yours."""
    return access_object(_staff(request), _detail_queryset(), pk, Perm.VIEW_CASES)


def _case_to_act_on(request: Request, pk: int) -> Case:
    """The same gate as ``_case``, without the detail's related rows: an action is checked against the case's status and
    agency, and most refused requests (409, 403, 400) never need the rest; the services lock and re-read what they
    change, and the answer is read afresh after the action."""
    return access_object(_staff(request), Case.objects.select_related("agency"), pk, Perm.VIEW_CASES)


@extend_schema_view(
    get=extend_schema(
        operation_id="staff_cases_list",
        summary="案件列表",
        description=(
            "当前令牌用户有权查看的申请（本机关；主管部门可看所监督的机关），按队列筛选并检索，每页50条。"
            "检索词匹配申请编号、查询码、申请人姓名或名称、信息名称、文号，以及完整的证件号码或电话（精确匹配）。"
        ),
        parameters=[
            OpenApiParameter(
                "queue",
                str,
                enum=list(Queue.LABELS),
                description="队列：" + "，".join(f"{k} {v}" for k, v in Queue.LABELS.items()),
            ),
            OpenApiParameter("q", str, description="检索词"),
            OpenApiParameter("agency", str, description="只看该机关（机关代码）"),
        ],
        responses={200: s.CaseSummarySerializer(many=True), 400: _ERRORS, 401: _DETAIL, 403: _DETAIL},
        tags=["工作人员：案件"],
    )
)
class CaseListView(StaffView, generics.ListAPIView[Case]):
    serializer_class = s.CaseSummarySerializer
    pagination_class = StaffPagination

    def get_queryset(self) -> QuerySet[Case]:
        filters = s.CaseFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        cases = selectors.queue(_staff(self.request), wanted["queue"])
        cases = selectors.search(cases, wanted["q"])
        if wanted["agency"]:
            cases = cases.filter(agency__code=wanted["agency"])
        return cases.prefetch_related("items")


class CaseDetailView(StaffView):
    @extend_schema(
        operation_id="staff_case_detail",
        summary="案件详情",
        description="含申请内容、办理记录、征求意见、信息处理费、文书和不予公开内容；证件号码和电话已遮盖。",
        responses={200: s.CaseDetailSerializer, 401: _DETAIL, 404: _DETAIL},
        tags=["工作人员：案件"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.CaseDetailSerializer(_case(request, pk)).data)


# ---------------------------------------------------------------------------------------------------------------------
# Staff: workflow actions, one endpoint each


Perform = Callable[[Case, User, dict[str, Any], HttpRequest], object]


@dataclass(frozen=True)
class ActionSpec:
    input: type[s.ApiSerializer]
    perform: Perform
    description: str = ""


def _assign(case: Case, user: User, data: dict[str, Any], request: HttpRequest) -> object:
    assignee = User.objects.filter(username=data["assignee"], kind=UserKind.STAFF, is_active=True).first()
    if assignee is None:
        # The service's own words: the API does not say whether a username exists elsewhere.
        raise ValidationError({"assignee": "只能分办给本机关的经办人或负责人"})
    return services.case_assign(case=case, actor=user, assignee=assignee, request=request)


def _record_opinion(case: Case, user: User, data: dict[str, Any], request: HttpRequest) -> object:
    consultation = Consultation.objects.filter(case=case, pk=data["consultation_id"]).first()
    if consultation is None:
        raise ValidationError({"consultation_id": "该案件没有此征求意见"})
    return services.case_record_opinion(
        case=case,
        actor=user,
        consultation=consultation,
        result=data["result"],
        on=data["on"],
        reasons=data["reasons"],
        request=request,
    )


def _start_consultation(case: Case, user: User, data: dict[str, Any], request: HttpRequest) -> object:
    consultees = [services.ConsulteeInput(**row) for row in data["consultees"]]
    return services.case_start_consultation(
        case=case, actor=user, on=data["on"], consultees=consultees, request=request
    )


def _reply(case: Case, user: User, data: dict[str, Any], request: HttpRequest) -> object:
    withheld = [services.WithheldInput(**part) for part in data.pop("withheld")]
    return services.case_reply(
        case=case, actor=user, data=services.ReplyInput(withheld=withheld, **data), request=request
    )


ACTIONS: dict[str, ActionSpec] = {
    Action.CONFIRM_RECEIPT: ActionSpec(
        s.ConfirmReceiptInput,
        lambda c, u, d, r: services.case_confirm_receipt(case=c, actor=u, request=r, **d),
        "在线、传真申请与申请人确认收到，确认之日为收到申请之日，答复期限开始计算（条例第三十一条（三））。",
    ),
    Action.ASSIGN: ActionSpec(s.AssignInput, _assign, "分办给本机关的经办人或负责人。"),
    Action.CLAIM: ActionSpec(s.NoInput, lambda c, u, d, r: services.case_claim(case=c, actor=u, request=r), "认领。"),
    Action.REQUEST_CORRECTION: ActionSpec(
        s.RequestCorrectionInput,
        lambda c, u, d, r: services.case_request_correction(case=c, actor=u, request=r, **d),
        "一次性告知补正：须在收到申请之日起7个工作日内，写明补正事项和合理期限（条例第三十条）。",
    ),
    Action.RECORD_CORRECTION: ActionSpec(
        s.RecordCorrectionInput,
        lambda c, u, d, r: services.case_record_correction(case=c, actor=u, request=r, **d),
        "收到补正，答复期限自收到补正之日起重新计算（条例第三十条）。",
    ),
    Action.CORRECTION_LAPSED: ActionSpec(
        s.OptionalDateInput,
        lambda c, u, d, r: services.case_correction_lapsed(case=c, actor=u, request=r, on=d.get("on")),
        "申请人无正当理由逾期不补正，视为放弃申请（条例第三十条），办结为“其他处理：逾期不补正”。",
    ),
    Action.START_CONSULTATION: ActionSpec(
        s.StartConsultationInput,
        _start_consultation,
        "征求第三方或其他机关意见，征求意见期间不计入答复期限（条例第三十二条至第三十四条）。",
    ),
    Action.RECORD_OPINION: ActionSpec(
        s.RecordOpinionInput, _record_opinion, "记录一份征求意见的答复；全部答复后期限恢复计算。"
    ),
    Action.CONSULTATION_LAPSED: ActionSpec(
        s.NoInput,
        lambda c, u, d, r: services.case_consultation_lapsed(case=c, actor=u, request=r),
        "征求意见期限届满未答复（其他机关逾期未提出意见的视为同意公开，条例第三十四条）。",
    ),
    Action.EXTEND: ActionSpec(
        s.ExtendInput,
        lambda c, u, d, r: services.case_extend(case=c, actor=u, request=r, **d),
        "经政府信息公开工作机构负责人同意延长答复期限，最长20个工作日（条例第三十三条第二款）；须由负责人执行。",
    ),
    Action.NOTIFY_FEE: ActionSpec(
        s.NotifyFeeInput,
        lambda c, u, d, r: services.case_notify_fee(case=c, actor=u, request=r, **d),
        "发出收费通知：按件或按量计收，二者只能选一（国办函〔2020〕109号）。",
    ),
    Action.RECORD_PAYMENT: ActionSpec(
        s.RecordPaymentInput,
        lambda c, u, d, r: services.case_record_payment(case=c, actor=u, request=r, **d),
        "收到缴费，期限恢复计算。",
    ),
    Action.FEE_LAPSED: ActionSpec(
        s.OptionalDateInput,
        lambda c, u, d, r: services.case_fee_lapsed(case=c, actor=u, request=r, on=d.get("on")),
        "逾期未缴费，视为放弃申请，办结为“其他处理：逾期未缴费”。",
    ),
    Action.ASK_REASONS: ActionSpec(
        s.AskReasonsInput,
        lambda c, u, d, r: services.case_ask_reasons(case=c, actor=u, request=r, **d),
        "申请的数量、频次明显超过合理范围的，要求申请人说明理由（条例第三十五条）。",
    ),
    Action.REASONS_ACCEPTED: ActionSpec(
        s.ReasonsAcceptedInput,
        lambda c, u, d, r: services.case_accept_reasons(case=c, actor=u, request=r, **d),
        "理由合理，确定延迟答复的期限（条例第三十五条）。",
    ),
    Action.REASONS_REJECTED: ActionSpec(
        s.ReasonsRejectedInput,
        lambda c, u, d, r: services.case_reject_reasons(case=c, actor=u, request=r, **d),
        "理由不合理，不予处理（条例第三十五条）。",
    ),
    Action.REPLY: ActionSpec(
        s.ReplyInputSerializer,
        _reply,
        "以办理结果代码表中的一项答复（条例第三十六条）；部分公开、不予公开须列明不予公开的内容和理由。生成答复书草稿。",
    ),
    Action.WITHDRAW: ActionSpec(
        s.WithdrawInput,
        lambda c, u, d, r: services.case_withdraw(case=c, actor=u, request=r, on=d.get("on"), reason=d["reason"]),
        "申请人撤回申请：确认收到前撤回的撤销申请，不计入统计；之后撤回的办结为“其他处理”。",
    ),
    Action.REOPEN: ActionSpec(
        s.ReasonInput,
        lambda c, u, d, r: services.case_reopen(case=c, actor=u, request=r, **d),
        "已办结的申请重新办理；须由负责人执行并写明理由。",
    ),
    Action.ADD_NOTE: ActionSpec(
        s.NoteInput, lambda c, u, d, r: services.case_add_note(case=c, actor=u, request=r, **d), "添加备注。"
    ),
}


class CaseActionView(StaffView):
    """POST one workflow action. 404 for a case the user may not see, 409 when the case's status does not allow the
    action, 403 when the user's role does not, 400 for bad input; otherwise the case after the action."""

    action_name: ClassVar[str] = ""

    def post(self, request: Request, pk: int) -> Response:
        user = _staff(request)
        case = _case_to_act_on(request, pk)
        spec = ACTIONS[self.action_name]
        self._check_allowed(user, case)
        serializer = spec.input(data=request.data)
        serializer.is_valid(raise_exception=True)
        spec.perform(case, user, dict(serializer.validated_data), _django(request))
        return Response(s.CaseDetailSerializer(_case(request, pk)).data)

    def _check_allowed(self, user: User, case: Case) -> None:
        action = self.action_name
        if action == Action.WITHDRAW and case.status == Status.PENDING:
            action = Action.CANCEL  # withdrawn before receipt: cancelled, never counted
        try:
            rule = rule_for(action, case.status, Actor.STAFF)
        except TransitionError as error:
            raise Conflict(error.message) from None
        if rule.perm is not None and not has_perm(user, rule.perm, case.agency_id):
            need = "负责人" if rule.perm == Perm.APPROVE else "经办人或负责人"
            raise exceptions.PermissionDenied(f"“{Action(action).label}”须由本机关{need}执行")


class UnknownActionView(StaffView):
    @extend_schema(exclude=True)
    def post(self, request: Request, pk: int, action: str) -> Response:
        _case_to_act_on(request, pk)
        raise exceptions.NotFound("没有该操作")


def _action_view(name: str, spec: ActionSpec) -> type[CaseActionView]:
    label = Action(name).label
    view = type(f"{''.join(p.title() for p in name.split('_'))}ActionView", (CaseActionView,), {"action_name": name})
    schema = extend_schema(
        operation_id=f"staff_case_{name}",
        summary=label,
        description=spec.description
        + "\n\n案件当前状态不允许该操作时返回 409（说明原因，案件不变）；角色不允许时返回 403。返回操作后的案件详情。",
        request=spec.input,
        responses={200: s.CaseDetailSerializer, 400: _ERRORS, 401: _DETAIL, 403: _DETAIL, 404: _DETAIL, 409: _DETAIL},
        tags=["工作人员：办理"],
    )
    decorated: type[CaseActionView] = extend_schema_view(post=schema)(view)
    return decorated


ACTION_VIEWS: dict[str, type[CaseActionView]] = {name: _action_view(name, spec) for name, spec in ACTIONS.items()}
