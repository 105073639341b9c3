"""Region-wide summaries (gongkai/reports/rollup.py): the parts are the government's subtree, the sum equals the parts'
tables cell by cell, R1–R4 hold on consistent parts and fail — naming the part — when one part is broken, the CLI's
formats, and the staff page's access (the same 404 for everyone who may not read every part)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from gongkai.accounts.models import Membership
from gongkai.accounts.roles import PlatformRole, Role
from gongkai.agencies.models import Agency, Kind, Level
from gongkai.cases.codebook import ApplicantType, Channel, Outcome
from gongkai.cases.models import Case
from gongkai.cases.states import Status as CaseStatus
from gongkai.reports import builder, rollup
from gongkai.reports.management.commands.report import Command as ReportCommand
from gongkai.reports.models import AnnualFigures, AnnualReport, ReportStatus
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db
YEAR = 2024


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel("2025-06-02 10:00 +0800", tick=False):
        yield


_n = iter(range(1, 100_000))


def case(
    agency: Agency, received: str, closed: str | None = None, outcome: Outcome = Outcome.DISCLOSED, **kw: Any
) -> Case:
    n = next(_n)
    on = dt.date.fromisoformat(received)
    return Case.objects.create(
        agency=agency,
        year=on.year,
        seq=n,
        number=f"{on.year}-R{n:05d}",
        tracking_code=f"R{n:011d}",
        channel=Channel.IN_PERSON,
        status=CaseStatus.CLOSED if closed else CaseStatus.PROCESSING,
        outcome=outcome.value if closed else "",
        submitted_at=dt.datetime(on.year, on.month, on.day, 9, tzinfo=dt.UTC),
        received_on=on,
        closed_on=dt.date.fromisoformat(closed) if closed else None,
        applicant_type=kw.get("applicant_type", ApplicantType.NATURAL_PERSON),
        applicant_name="测试",
        id_type="resident_id",
        provision_form="electronic",
        obtain_method="email",
    )


@pytest.fixture
def region(db: Any) -> dict[str, Agency]:
    """湛河区人民政府 with two departments, its office (the 主管部门 of the region), a township government with a
    department of its own; an inactive department and another district outside the sum."""
    gov = make_agency("湛河区人民政府", code="zh-gov", kind=Kind.GOVERNMENT, level=Level.COUNTY)
    office = make_agency("湛河区人民政府办公室", code="zh-office", kind=Kind.OFFICE, parent=gov)
    Agency.objects.filter(pk=gov.pk).update(supervisor=office)
    gov.refresh_from_db()
    sfj = make_agency("湛河区司法局", code="zh-sfj", parent=gov, supervisor=office)
    jyj = make_agency("湛河区教育局", code="zh-jyj", parent=gov, supervisor=office)
    town = make_agency("曹镇乡人民政府", code="zh-town", kind=Kind.GOVERNMENT, level=Level.TOWNSHIP, parent=gov)
    town_dept = make_agency("曹镇乡综合办公室", code="zh-town-dept", kind=Kind.OTHER, level=Level.TOWNSHIP, parent=town)
    gone = make_agency("湛河区已撤销局", code="zh-gone", parent=gov, is_active=False)
    other = make_agency("新华区人民政府", code="xh-gov", kind=Kind.GOVERNMENT, level=Level.COUNTY)
    # Cases in several parts: carried in from 2023, received and closed in 2024, carried out into 2025.
    case(sfj, "2023-12-20", "2024-01-10")
    case(sfj, "2024-03-01", "2024-03-20", Outcome.DISCLOSED, applicant_type=ApplicantType.LEGAL_SERVICE)
    case(sfj, "2024-12-28")
    case(jyj, "2024-04-01", "2024-04-15", Outcome.UNAVAILABLE_NOT_HELD)
    case(jyj, "2024-05-01", "2024-05-10", Outcome.PARTIAL, applicant_type=ApplicantType.COMMERCIAL)
    case(gov, "2024-06-01", "2024-06-20", Outcome.DISCLOSED)
    case(town_dept, "2024-07-01", "2024-07-09", Outcome.DISCLOSED)
    case(gone, "2024-02-01", "2024-02-05", Outcome.DISCLOSED)  # inactive: not summed
    case(other, "2024-02-01", "2024-02-05", Outcome.DISCLOSED)  # another district
    AnnualFigures.objects.create(agency=sfj, year=YEAR, licensing=3, penalties=5, fees_wan=Decimal("1.25"), source="t")
    AnnualFigures.objects.create(
        agency=town, year=YEAR, licensing=2, enforcement=1, fees_wan=Decimal("0.5"), source="t"
    )
    return {
        "gov": gov,
        "office": office,
        "sfj": sfj,
        "jyj": jyj,
        "town": town,
        "town_dept": town_dept,
        "gone": gone,
        "other": other,
    }


def test_the_parts_are_the_government_and_its_active_subtree(region: dict[str, Agency]) -> None:
    names = [a.name for a in rollup.rollup_agencies(region["gov"])]
    # The government first, its bodies by name, then the lower government with its own.
    assert names == [
        "湛河区人民政府",
        "湛河区人民政府办公室",
        "湛河区司法局",
        "湛河区教育局",
        "曹镇乡人民政府",
        "曹镇乡综合办公室",
    ]
    assert [a.name for a in rollup.rollup_agencies(region["town"])] == ["曹镇乡人民政府", "曹镇乡综合办公室"]
    with pytest.raises(rollup.RollupError, match="不是人民政府"):
        rollup.rollup_agencies(region["sfj"])


def test_the_sum_equals_the_sum_of_the_parts_cell_by_cell(region: dict[str, Agency]) -> None:
    summed = rollup.rollup_build(agency=region["gov"], year=YEAR)
    parts = [builder.build_report_data(a, YEAR) for a in rollup.rollup_agencies(region["gov"])]
    assert [p.name for p in summed.parts] == [p.agency for p in parts]
    nonzero = 0
    for table, row, col in rollup.cells():
        expected = sum((rollup.cell_value(p, table, row, col) or 0 for p in parts), start=0)
        assert rollup.cell_value(summed.data, table, row, col) == expected, (table, row, col)
        nonzero += expected != 0
        # The trace names exactly the parts with a non-zero value, with that value.
        contributors = {p.name: v for p, v in summed.contributors(table, row, col)}
        assert contributors == {
            p.agency: rollup.cell_value(p, table, row, col) for p in parts if rollup.cell_value(p, table, row, col)
        }
    assert nonzero > 10
    t3 = summed.data.table3
    assert t3["1"]["总计"] == 6
    assert t3["3.7"]["总计"] == 6
    assert t3["2"]["总计"] == 1
    assert t3["4"]["总计"] == 1
    assert summed.data.table2["行政许可"] == 5
    assert summed.data.table2["行政事业性收费"] == Decimal("1.75")
    assert {p.name: v for p, v in summed.contributors("table3", "1", "总计")} == {
        "湛河区人民政府": 1,
        "湛河区教育局": 2,
        "湛河区司法局": 2,
        "曹镇乡综合办公室": 1,
    }


def test_r1_to_r4_pass_on_consistent_parts(region: dict[str, Agency]) -> None:
    summed = rollup.rollup_build(agency=region["gov"], year=YEAR)
    assert summed.data.findings == []
    assert all(not p.findings for p in summed.parts)
    assert all(p.source == rollup.LIVE for p in summed.parts)


def _publish_broken(agency: Agency) -> AnnualReport:
    """A published report of ``agency`` whose 表三 does not balance: 5 more received than closed or carried over."""
    data = builder.build_report_data(agency, YEAR)
    data.table3["1"]["自然人"] = (data.table3["1"]["自然人"] or 0) + 5
    data.table3["1"]["总计"] = (data.table3["1"]["总计"] or 0) + 5
    return AnnualReport.objects.create(
        agency=agency,
        year=YEAR,
        status=ReportStatus.PUBLISHED,
        published_on=dt.date(2025, 1, 20),
        index_number="X-2025-00001",
        snapshot={"report": data.as_json(), "sections": {}, "meta": {"published_on": "2025-01-20"}},
    )


def test_a_broken_part_fails_r1_on_the_sum_and_the_finding_and_trace_name_it(region: dict[str, Agency]) -> None:
    _publish_broken(region["town_dept"])
    summed = rollup.rollup_build(agency=region["gov"], year=YEAR)
    failed = {(f.rule, f.where) for f in summed.data.findings}
    assert ("R1", "汇总 表三 列“自然人”") in failed
    assert ("R1", "汇总 表三 列“总计”") in failed
    assert all("不平衡的组成机关：曹镇乡综合办公室" in f.message for f in summed.data.findings)
    part = next(p for p in summed.parts if p.name == "曹镇乡综合办公室")
    assert part.source == rollup.PUBLISHED
    assert {f.rule for f in part.findings} == {"R1"}
    trace = summed.trace()["table3"]["1"]["自然人"]
    assert {"agency": "曹镇乡综合办公室", "value": 6} in trace["parts"]
    # --live sums today's data instead of the published snapshot: balanced again.
    assert rollup.rollup_build(agency=region["gov"], year=YEAR, live=True).data.findings == []


def _command(*args: str) -> ReportCommand:
    command = ReportCommand()
    call_command(command, "build", *args)
    return command


def test_cli_rollup_formats(region: dict[str, Agency], tmp_path: Path) -> None:
    for fmt in ("md", "html", "json", "docx", "xlsx", "trace"):
        out = tmp_path / f"r.{fmt}"
        command = _command("--agency", "zh-gov", "--year", str(YEAR), "--rollup", "--format", fmt, "--output", str(out))
        assert command.exit_code == 0
        assert out.stat().st_size > 300
    body = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert body["rollup"] is True
    assert body["findings"] == []
    assert body["table3"]["3.7"]["总计"] == 6
    assert [p["agency"] for p in body["parts"]][:2] == ["湛河区人民政府", "湛河区人民政府办公室"]
    assert "trace" not in body
    trace = json.loads((tmp_path / "r.trace").read_text(encoding="utf-8"))["trace"]
    assert trace["table2"]["行政许可"][""] == {
        "value": 5,
        "parts": [{"agency": "湛河区司法局", "value": 3}, {"agency": "曹镇乡人民政府", "value": 2}],
    }
    assert trace["table2"]["行政事业性收费"][""]["value"] == "1.7500"
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "湛河区人民政府2024年政府信息公开工作统计数据（全区汇总）" in md
    assert "6. 曹镇乡综合办公室（按当前数据生成）" in md


def test_cli_rollup_errors(region: dict[str, Agency], tmp_path: Path) -> None:
    _publish_broken(region["sfj"])
    out = tmp_path / "r.json"
    command = _command("--agency", "zh-gov", "--year", str(YEAR), "--rollup", "--format", "json", "--output", str(out))
    assert command.exit_code == 1
    assert json.loads(out.read_text(encoding="utf-8"))["findings"][0]["rule"] == "R1"
    with pytest.raises(CommandError, match="不是人民政府") as bad:
        _command("--agency", "zh-sfj", "--year", str(YEAR), "--rollup")
    assert bad.value.returncode == 2
    with pytest.raises(CommandError, match="--rollup") as trace_alone:
        _command("--agency", "zh-gov", "--year", str(YEAR), "--format", "trace")
    assert trace_alone.value.returncode == 2


def _get(user: Any, name: str, agency: Agency, year: int = YEAR, **kwargs: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse(name, kwargs={"agency_id": agency.pk, "year": year, **kwargs}))


def test_the_page_for_the_office_that_supervises_the_region(region: dict[str, Agency]) -> None:
    supervisor = make_staff(region["office"], Role.SUPERVISOR)
    page = _get(supervisor, "reports:rollup", region["gov"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "湛河区人民政府2024年政府信息公开工作统计数据（全区汇总）" in text
    assert "汇总表内勾稽关系一致" in text
    cell_url = reverse(
        "reports:rollup_cell",
        kwargs={"agency_id": region["gov"].pk, "year": YEAR, "table": "table3", "row": "1", "col": "总计"},
    )
    assert f'href="{cell_url}"' in text
    cell = _get(supervisor, "reports:rollup_cell", region["gov"], table="table3", row="1", col="总计")
    assert cell.status_code == 200
    listed = cell.content.decode()
    for name in ("湛河区司法局", "湛河区教育局", "曹镇乡综合办公室"):
        assert name in listed
    assert "湛河区人民政府办公室" not in listed  # 0: not a contributor
    fee = _get(supervisor, "reports:rollup_cell", region["gov"], table="table2", row="行政事业性收费", col="_")
    assert fee.status_code == 200
    assert "1.25" in fee.content.decode()
    download = _get(supervisor, "reports:rollup_download", region["gov"], fmt="xlsx")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    trace = _get(supervisor, "reports:rollup_download", region["gov"], fmt="trace")
    assert json.loads(b"".join(trace.streaming_content) if trace.streaming else trace.content)["trace"]


def test_the_district_office_may_see_its_district_when_the_city_supervises_the_government(
    region: dict[str, Agency],
) -> None:
    """As in the demo: the district government's 主管部门 is the city's office; the district office supervises the
    departments and townships. 条例第四十九条第二款 makes the district office publish the government's own report."""
    city_office = make_agency("平顶山市人民政府办公室", code="pds-office", kind=Kind.OFFICE, level=Level.CITY)
    Agency.objects.filter(pk=region["gov"].pk).update(supervisor=city_office)
    Agency.objects.filter(pk__in=[region["town"].pk, region["town_dept"].pk]).update(supervisor=region["office"])
    district = make_staff(region["office"], Role.SUPERVISOR)
    assert _get(district, "reports:rollup", region["gov"]).status_code == 200
    city = make_staff(city_office, Role.SUPERVISOR)
    assert _get(city, "reports:rollup", region["gov"]).status_code == 200
    # A handler of the office holds no SUPERVISE: the government's own figures stay closed to them.
    handler = make_staff(region["office"], Role.HANDLER)
    for key in ("sfj", "jyj", "town", "town_dept"):
        Membership.objects.create(user=handler, agency=region[key], role=Role.HANDLER)
    assert _get(handler, "reports:rollup", region["gov"]).status_code == 404


def test_a_member_of_every_part_may_see_it(region: dict[str, Agency]) -> None:
    user = make_staff()
    for key in ("gov", "office", "sfj", "jyj", "town", "town_dept"):
        Membership.objects.create(user=user, agency=region[key], role=Role.HANDLER)
    assert _get(user, "reports:rollup", region["gov"]).status_code == 200
    assert _get(user, "reports:rollup", region["town"]).status_code == 200
    Membership.objects.filter(user=user, agency=region["town_dept"]).delete()
    assert _get(user, "reports:rollup", region["gov"]).status_code == 404
    assert _get(user, "reports:rollup", region["town"]).status_code == 404


@pytest.mark.parametrize("who", ["department_head", "other_district", "platform_admin_without_reports"])
def test_everyone_else_gets_404(region: dict[str, Agency], who: str) -> None:
    if who == "department_head":
        user = make_staff(region["sfj"], Role.HEAD)
    elif who == "other_district":
        user = make_staff(region["other"], Role.SUPERVISOR)
    else:
        user = make_staff(platform_role=PlatformRole.NONE)
    for name, extra in (
        ("reports:rollup", {}),
        ("reports:rollup_download", {"fmt": "json"}),
        ("reports:rollup_cell", {"table": "table3", "row": "1", "col": "总计"}),
    ):
        assert _get(user, name, region["gov"], **extra).status_code == 404


def test_not_a_government_or_a_bad_cell_is_404(region: dict[str, Agency]) -> None:
    supervisor = make_staff(region["office"], Role.SUPERVISOR)
    assert _get(supervisor, "reports:rollup", region["sfj"]).status_code == 404
    assert _get(supervisor, "reports:rollup", region["gov"], year=2007).status_code == 404  # before the 条例
    assert _get(supervisor, "reports:rollup", region["gov"], year=2026).status_code == 404  # the future
    assert (
        _get(supervisor, "reports:rollup_cell", region["gov"], table="table3", row="9", col="总计").status_code == 404
    )
    assert _get(supervisor, "reports:rollup_download", region["gov"], fmt="exe").status_code == 404


def test_the_index_links_governments_to_their_summary(region: dict[str, Agency]) -> None:
    user = make_staff(region["gov"], Role.HEAD)
    client = Client()
    client.force_login(user)
    text = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:rollup", kwargs={"agency_id": region["gov"].pk, "year": YEAR}) in text
