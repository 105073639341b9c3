"""The annual report as JSON (issue 5 §7): the published snapshot for everyone, the live build for staff.

Both return exactly the report's fixed keys (``agency``, ``year``, ``table2``, ``table3``, ``table4``, ``findings``)
so that ``report build --format json``, ``report check --format json`` and the API agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions
from rest_framework import serializers as drf_serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gongkai.accounts.access import access_agency
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.api.serializers_reports import REPORT_EXAMPLE, AnnualReportSerializer
from gongkai.api.views import PublicView, StaffView, _staff
from gongkai.reports import builder
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.selectors import report_data_from_snapshot

__all__ = ["PublicReportView", "StaffReportView"]

FIRST_YEAR = 2008  # 条例 in force since 2008-05-01
NOT_PUBLISHED = "该机关没有已发布的该年度报告"

_DETAIL = OpenApiResponse(
    inline_serializer("ReportDetail", {"detail": drf_serializers.CharField(help_text="中文说明")}),
    description="见 detail",
)


class PublicReportView(PublicView):
    @extend_schema(
        operation_id="public_annual_report",
        summary="已发布的政府信息公开工作年度报告（JSON）",
        description=(
            "条例第四十九、五十条。返回该机关该年度现行版本（更正后为最新发布的版本）发布时冻结的快照："
            "agency、year、table2、table3、table4、findings 六个固定键。table3 行键 1（一、本年新收）、2（二、上年结转）、"
            "3.1…3.7（三、本年度办理结果，其中 3.3.1…3.3.8、3.4.1…3.4.3、3.5.1…3.5.5、3.6.1…3.6.3 为分项）、"
            "4（四、结转下年度）；列 自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计。"
            "table4 栏 行政复议、未经复议直接起诉、复议后起诉，结果 结果维持、结果纠正、其他结果、尚未审结、总计。"
            "table2 行政事业性收费为万元的十进制字符串。未发布（草稿、已报送）与不存在返回同样的 404。"
        ),
        responses={200: AnnualReportSerializer, 404: _DETAIL},
        examples=[REPORT_EXAMPLE],
        tags=["公众"],
    )
    def get(self, request: Request, code: str, year: int) -> Response:
        report = AnnualReport.objects.filter(
            agency__code=code,
            agency__is_active=True,
            year=year,
            status=ReportStatus.PUBLISHED,
            snapshot__isnull=False,
        ).first()
        if report is None or report.snapshot is None:
            raise exceptions.NotFound(NOT_PUBLISHED)
        # Through ReportData: the tables come back in the template's order (jsonb keeps none).
        return Response(report_data_from_snapshot(report).as_json())


class StaffReportView(StaffView):
    @extend_schema(
        operation_id="staff_annual_report",
        summary="年度报告（按当前数据生成，JSON）",
        description=(
            "按当前数据生成该机关该年度的年度报告及 R1–R10 检查结果（正文取最新版本），键与公开接口相同。"
            "需有查看该机关年度报告的权限（本机关人员或其主管部门）；无权与不存在返回同样的 404。"
        ),
        responses={200: AnnualReportSerializer, 401: _DETAIL, 403: _DETAIL, 404: _DETAIL},
        examples=[REPORT_EXAMPLE],
        tags=["工作人员：年度报告"],
    )
    def get(self, request: Request, agency_id: int, year: int) -> Response:
        agency: Agency = access_agency(_staff(request), agency_id, Perm.VIEW_REPORTS)
        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise exceptions.NotFound("没有该年度的报告")
        return Response(builder.build_report_data(agency, year).as_json())


_STEP_RESULT = inline_serializer(
    name="AnnualReportStepResult",
    fields={
        "status": drf_serializers.CharField(),
        "status_label": drf_serializers.CharField(),
        "version": drf_serializers.IntegerField(),
        "index_number": drf_serializers.CharField(),
    },
)
_BLOCKED = inline_serializer(
    name="AnnualReportBlocked",
    fields={
        "detail": drf_serializers.CharField(),
        "findings": drf_serializers.ListField(child=drf_serializers.DictField(child=drf_serializers.CharField())),
    },
)


class _StaffReportStep(StaffView):
    """报送 / 发布 through the same services as the staff pages: refused on errors, no override."""

    def _step(self, request: Request, agency_id: int, year: int, action: str) -> Response:
        from django.core.exceptions import ValidationError

        from gongkai.reports import services
        from gongkai.reports.models import OPEN_STATUSES

        user = _staff(request)
        agency: Agency = access_agency(user, agency_id, Perm.VIEW_REPORTS)
        if action not in ("submit", "publish"):
            raise exceptions.NotFound("没有该操作")
        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise exceptions.NotFound("没有该年度的报告")
        report = (
            AnnualReport.objects.filter(agency=agency, year=year, status__in=OPEN_STATUSES).order_by("-version").first()
        )
        try:
            if report is None:
                report = services.report_get_or_create_draft(agency=agency, year=year, actor=user)
            if action == "submit":
                report = services.report_submit(report=report, actor=user)
            else:
                report = services.report_publish(report=report, actor=user)
        except services.ReportBlocked as blocked:
            return Response(
                {"detail": "存在错误，已拒绝（不能越过）", "findings": [f.as_json() for f in blocked.findings]},
                status=409,
            )
        except services.ReportStateError as error:
            return Response({"detail": "；".join(error.messages), "findings": []}, status=409)
        except ValidationError as error:
            raise exceptions.PermissionDenied("；".join(error.messages)) from None
        return Response(
            {
                "status": report.status,
                "status_label": report.get_status_display(),
                "version": report.version,
                "index_number": report.index_number,
            }
        )


F = TypeVar("F", bound=Callable[..., Any])


def _step_schema(action: str, summary: str, detail: str) -> Callable[[F], F]:
    decorator: Callable[[F], F] = extend_schema(
        operation_id=f"staff_annual_report_{action}",
        summary=summary,
        description=detail
        + "与工作人员页面调用同一服务：R1–R9 有错误时拒绝（409，列出全部检查结果），不能越过；报告当前状态不允许该操作时"
        "（如已发布的报告再报送）也返回 409；须为本机关负责人（否则 403）。",
        request=None,
        responses={200: _STEP_RESULT, 401: _DETAIL, 403: _DETAIL, 404: _DETAIL, 409: _BLOCKED},
        tags=["工作人员：年度报告"],
    )
    return decorator


class StaffReportSubmitView(_StaffReportStep):
    @_step_schema("submit", "报送主管部门", "把本年度报告报送主管部门（条例第四十九条）。")
    def post(self, request: Request, agency_id: int, year: int) -> Response:
        return self._step(request, agency_id, year, "submit")


class StaffReportPublishView(_StaffReportStep):
    @_step_schema("publish", "发布年度报告", "发布已报送的年度报告，取得索引号并冻结快照。")
    def post(self, request: Request, agency_id: int, year: int) -> Response:
        return self._step(request, agency_id, year, "publish")
