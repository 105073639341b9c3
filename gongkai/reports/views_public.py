"""The portal's 年报 column (条例第四十九、五十条): an agency's published annual reports and each report page, from the
frozen snapshot only — a draft or a submitted report does not exist for the public (the same 404 as a missing one)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from gongkai.agencies.models import Agency
from gongkai.reports import selectors
from gongkai.reports.models import PUBLIC_STATUSES, AnnualReport, ReportStatus
from gongkai.reports.render import CONTENT_TYPES, FORMATS, DocumentRenderError, html_fragment
from gongkai.reports.render import render as render_report
from gongkai.reports.views_staff import FORMAT_LABELS, attachment, file_name, meta_of

NOT_PUBLISHED = "未找到该年度报告"


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise Http404("未找到该机关")
    return agency


def _published(agency: Agency, year: int, version: int | None) -> AnnualReport:
    reports = AnnualReport.objects.filter(agency=agency, year=year, snapshot__isnull=False)
    if version is None:
        report = reports.filter(status=ReportStatus.PUBLISHED).first()
    else:
        report = reports.filter(status__in=PUBLIC_STATUSES, version=version).first()
    if report is None:
        raise Http404(NOT_PUBLISHED)
    return report


def report_list(request: HttpRequest, code: str) -> HttpResponse:
    agency = _agency(code)
    reports = list(selectors.published_reports([agency.pk], include_superseded=True))
    years: dict[int, list[AnnualReport]] = {}
    for report in reports:
        years.setdefault(report.year, []).append(report)
    rows = [(versions[0], versions[1:]) for _year, versions in sorted(years.items(), reverse=True)]
    return render(request, "reports/portal/list.html", {"agency": agency, "rows": rows})


def report_detail(request: HttpRequest, code: str, year: int, version: int | None = None) -> HttpResponse:
    agency = _agency(code)
    report = _published(agency, year, version)
    meta = meta_of(agency, year, report)
    data = selectors.report_data_from_snapshot(report)
    versions = list(
        AnnualReport.objects.filter(agency=agency, year=year, status__in=PUBLIC_STATUSES)
        .defer("snapshot", "sections")
        .order_by("-version")
    )
    return render(
        request,
        "reports/portal/detail.html",
        {
            "agency": agency,
            "report": report,
            "meta": meta,
            "body": mark_safe(html_fragment(data, meta=meta)),  # noqa: S308 - the renderer escapes every text
            "versions": versions,
            "current": report.status == ReportStatus.PUBLISHED,
            "formats": [(fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS],
        },
    )


def report_download(request: HttpRequest, code: str, year: int, fmt: str, version: int | None = None) -> HttpResponse:
    agency = _agency(code)
    if fmt not in FORMATS:
        raise Http404(NOT_PUBLISHED)
    report = _published(agency, year, version)
    meta = meta_of(agency, year, report)
    try:
        content = render_report(selectors.report_data_from_snapshot(report), fmt, meta=meta)
    except DocumentRenderError as error:
        return render(
            request,
            "reports/portal/unavailable.html",
            {"agency": agency, "report": report, "message": f"暂时无法生成{FORMAT_LABELS[fmt]}文件：{error}"},
            status=503,
        )
    return attachment(content, file_name(meta, fmt, draft=False), CONTENT_TYPES[fmt])
