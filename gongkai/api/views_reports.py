"""The annual report as JSON (issue 5 §7): the published snapshot for everyone, the live build for staff.

Both return exactly the report's fixed keys (``agency``, ``year``, ``table2``, ``table3``, ``table4``, ``findings``)
so that ``report build --format json``, ``report check --format json`` and the API agree.
"""

from __future__ import annotations

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
