"""Every staff URL pattern, walked as every kind of actor: 0 leaks.

The expectation table below is written by hand from the roles' duties; a staff URL pattern missing from it fails the
test, so a new staff view cannot ship without stating who may see it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from gongkai.accounts.models import Membership, User
from gongkai.accounts.roles import PlatformRole, Role
from gongkai.agencies.models import Agency, Kind
from gongkai.audit.models import AuditEvent
from gongkai.audit.services import audit_record
from gongkai.cases import services as case_services
from gongkai.cases.codebook import Channel
from gongkai.cases.models import AttachmentKind, Case, CaseAttachment, CaseDocument
from gongkai.clock.models import CalendarVersion
from gongkai.publications import services as publication_services
from gongkai.publications.models import Publication, PublicationAttachment, ScanFinding
from gongkai.responses.models import PublicConcern, Source
from tests.cases.conftest import application
from tests.factories import make_agency, make_public, make_staff
from tests.rectification.matrix import complaint_of, item_of, notice_of

MARKER = "甲机关专属"  # appears in the target agency's name and in its audit rows


@dataclass
class World:
    target: Agency
    actors: dict[str, User | None] = field(default_factory=dict)
    membership: Membership | None = None
    event: AuditEvent | None = None
    case: Case | None = None
    document: CaseDocument | None = None
    attachment: CaseAttachment | None = None


def build_world() -> World:
    city_office = make_agency("市政府办公室", kind=Kind.OFFICE)
    office = make_agency("区政府办公室", kind=Kind.OFFICE, supervisor=city_office)
    other_office = make_agency("另一县政府办公室", kind=Kind.OFFICE)
    target = make_agency(f"{MARKER}司法局", supervisor=office)
    sibling = make_agency("区财政局", supervisor=office)
    other = make_agency("另一县司法局", supervisor=other_office)
    world = World(target=target)
    for role in Role:
        world.actors[f"own_{role.value}"] = make_staff(target, role)
    world.actors["other_agency_admin"] = make_staff(other, Role.AGENCY_ADMIN)
    world.actors["other_agency_auditor"] = make_staff(other, Role.AUDITOR)
    world.actors["other_agency_head"] = make_staff(other, Role.HEAD)
    world.actors["sibling_handler"] = make_staff(sibling, Role.HANDLER)
    world.actors["supervisor"] = make_staff(office, Role.SUPERVISOR)
    world.actors["upper_supervisor"] = make_staff(city_office, Role.SUPERVISOR)
    world.actors["other_supervisor"] = make_staff(other_office, Role.SUPERVISOR)
    world.actors["system_admin"] = make_staff(platform_role=PlatformRole.SYSTEM_ADMIN)
    world.actors["security_admin"] = make_staff(platform_role=PlatformRole.SECURITY_ADMIN)
    world.actors["platform_auditor"] = make_staff(platform_role=PlatformRole.AUDITOR)
    world.actors["staff_without_roles"] = make_staff()
    world.actors["public"] = make_public()
    world.actors["anonymous"] = None
    world.membership = Membership.objects.filter(agency=target, role=Role.HANDLER).first()
    world.event = audit_record(action="test.marker", agency_id=target.pk, obj=target, detail=MARKER)
    audit_record(action="test.other", agency_id=other.pk, obj=other, detail="另一县")
    # One application of the target agency, with a draft 文书 and an uploaded attachment.
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    world.case = case_services.case_register(
        agency=target,
        data=application(
            applicant_name=f"{MARKER}申请人",
            attachments=[case_services.UploadInput("id.png", png, "image/png", AttachmentKind.ID_COPY)],
        ),
        channel=Channel.IN_PERSON,
        actor=world.actors["own_handler"],
        received_on=timezone.localdate(),
    )
    world.document = case_services.case_request_correction(
        case=world.case,
        actor=world.actors["own_handler"],
        on=timezone.localdate(),
        items="请写明年份",
        period_days=10,
    )
    world.attachment = world.case.attachments.first()
    return world


OWN_VIEWERS = {"own_handler", "own_reviewer", "own_head", "own_agency_admin", "own_supervisor"}
REGION_SUPERVISORS = {"supervisor", "upper_supervisor"}
TARGET_MEMBERS = {f"own_{role.value}" for role in Role}
# 依申请公开: who reads the target's cases (VIEW_CASES there), and who may handle cases somewhere (HANDLE_CASES).
CASE_VIEWERS = frozenset({"own_handler", "own_reviewer", "own_head", "own_supervisor"} | REGION_SUPERVISORS)
CASE_HANDLERS_ANYWHERE = frozenset({"own_handler", "own_head", "other_agency_head", "sibling_handler"})
# 年度报告: who reads the target's reports (VIEW_REPORTS there).
REPORT_VIEWERS = frozenset({"own_handler", "own_reviewer", "own_head", "own_supervisor"} | REGION_SUPERVISORS)
# 监督保障: everyone holding a 主管部门 membership somewhere (SUPERVISE).
SUPERVISORS_ANYWHERE = frozenset({"own_supervisor", "other_supervisor"} | REGION_SUPERVISORS)


@dataclass(frozen=True)
class Expect:
    allowed: frozenset[str]  # actors who get the page (200, or 302 onwards for a POST action)
    method: str = "get"
    sees_target: frozenset[str] | None = None  # for pages open to many: who may see the target agency's data
    public: bool = False  # login/logout: open to everyone


EXPECTATIONS: dict[str, Expect] = {
    "staff:login": Expect(frozenset(), public=True),
    "staff:logout": Expect(frozenset(), public=True, method="post"),
    "staff:home": Expect(
        frozenset({"*staff"}),
        sees_target=frozenset(TARGET_MEMBERS | REGION_SUPERVISORS | {"system_admin"}),
    ),
    "staff:agency_detail": Expect(frozenset(OWN_VIEWERS | REGION_SUPERVISORS | {"system_admin"})),
    "staff:agency_edit": Expect(frozenset({"own_agency_admin", "system_admin"})),
    "staff:agency_members": Expect(frozenset({"own_agency_admin", "system_admin"})),
    "staff:membership_revoke": Expect(frozenset({"own_agency_admin", "system_admin"}), method="post"),
    "staff:audit_list": Expect(
        frozenset({"own_auditor", "other_agency_auditor", "platform_auditor"}),
        sees_target=frozenset({"own_auditor", "platform_auditor"}),
    ),
    "staff:audit_detail": Expect(frozenset({"own_auditor", "platform_auditor"})),
    # Sign-in steps every staff member goes through for their own account; the 安全管理员's page to that role alone.
    "staff:password_change": Expect(frozenset({"*staff"})),
    "staff:otp_setup": Expect(frozenset({"*staff"})),
    "staff:otp_qr": Expect(frozenset({"*staff"})),
    "staff:otp_verify": Expect(frozenset({"*staff"})),
    "staff:security": Expect(frozenset({"security_admin"})),
    "staff:security_unlock": Expect(frozenset({"security_admin"}), method="post"),
    "staff:security_otp_reset": Expect(frozenset({"security_admin"}), method="post"),
    # The working-day calendar is platform configuration: the system administrator's duty alone.
    "calendar_admin:index": Expect(frozenset({"system_admin"})),
    "calendar_admin:load": Expect(frozenset({"system_admin"})),
    "calendar_admin:year": Expect(frozenset({"system_admin"})),
    "calendar_admin:day": Expect(frozenset({"system_admin"}), method="post"),
    "calendar_admin:version": Expect(frozenset({"system_admin"})),
    # 依申请公开: the queues open to all staff (empty without cases to see); registration and bulk actions to those
    # who handle cases somewhere; everything about one case to those who may read the target agency's cases.
    "cases:list": Expect(frozenset({"*staff"}), sees_target=CASE_VIEWERS),
    "cases:register": Expect(CASE_HANDLERS_ANYWHERE, sees_target=frozenset({"own_handler", "own_head"})),
    "cases:bulk": Expect(CASE_HANDLERS_ANYWHERE, method="post"),
    "cases:detail": Expect(CASE_VIEWERS),
    "cases:action": Expect(CASE_VIEWERS, method="post"),
    "cases:fee_quote": Expect(CASE_VIEWERS),
    "cases:reveal": Expect(CASE_VIEWERS, method="post"),
    "cases:attachment": Expect(CASE_VIEWERS),
    "cases:document": Expect(CASE_VIEWERS),
    "cases:document_issue": Expect(CASE_VIEWERS, method="post"),
    "cases:document_deliver": Expect(CASE_VIEWERS, method="post"),
    "cases:document_docx": Expect(CASE_VIEWERS),
    "cases:document_pdf": Expect(CASE_VIEWERS),
    # 年度报告: the overview open to all staff (each sees the agencies where they read reports); everything about the
    # target's report to those who read its reports (own members and the 主管部门 above it) — the services decide who
    # may edit, submit or publish; the checker's upload page to 主管部门 staff.
    "reports:index": Expect(frozenset({"*staff"}), sees_target=REPORT_VIEWERS),
    "reports:check": Expect(frozenset({"own_supervisor", "other_supervisor"} | REGION_SUPERVISORS)),
    "reports:detail": Expect(REPORT_VIEWERS),
    "reports:action": Expect(REPORT_VIEWERS, method="post"),
    "reports:download": Expect(REPORT_VIEWERS),
    "reports:cell": Expect(REPORT_VIEWERS),
    # A region-wide summary exists for governments only; the target is a department, so it is the plain 404 for all
    # (a government's summary and who may read it: tests/reports/test_rollup.py).
    "reports:rollup": Expect(frozenset()),
    "reports:rollup_cell": Expect(frozenset()),
    "reports:rollup_download": Expect(frozenset()),
    # 舆情回应: the list open to all staff (each sees the agencies whose cases they read); registering to those who
    # handle cases somewhere; one concern to those who read the target's cases, its actions to those who handle them.
    "responses:list": Expect(frozenset({"*staff"}), sees_target=CASE_VIEWERS),
    "responses:create": Expect(CASE_HANDLERS_ANYWHERE, sees_target=frozenset({"own_handler", "own_head"})),
    "responses:detail": Expect(CASE_VIEWERS),
    "responses:respond": Expect(frozenset({"own_handler", "own_head"}), method="post"),
    "responses:link": Expect(frozenset({"own_handler", "own_head"}), method="post"),
    "responses:close": Expect(frozenset({"own_handler", "own_head"}), method="post"),
    # 主动公开: the work lists open to all staff (each sees the agencies whose cases they read); the new-item form to
    # those who handle cases somewhere; everything about one item to the readers of the target's cases — the services
    # decide who may edit, review, approve (the target item waits in 审批, so no empty POST changes it).
    "publications:list": Expect(frozenset({"*staff"}), sees_target=CASE_VIEWERS),
    "publications:create": Expect(CASE_HANDLERS_ANYWHERE, sees_target=frozenset({"own_handler", "own_head"})),
    "publications:detail": Expect(CASE_VIEWERS),
    "publications:edit": Expect(CASE_VIEWERS),
    "publications:action": Expect(CASE_VIEWERS, method="post"),
    "publications:pdf": Expect(CASE_VIEWERS),
    "publications:finding_redact": Expect(CASE_VIEWERS, method="post"),
    "publications:finding_dismiss": Expect(CASE_VIEWERS, method="post"),
    "publications:attachment_add": Expect(CASE_VIEWERS, method="post"),
    "publications:attachment": Expect(CASE_VIEWERS),
    "publications:attachment_remove": Expect(CASE_VIEWERS, method="post"),
    # 监督保障 (条例第四十七条): 主管部门 staff only. The dashboard and its export show the agencies each one's office
    # supervises (and link the office's own 考核); one agency's figures to the 主管部门 above it; the 考核 of an office
    # (here the target as an office) to that office's own 主管部门 staff.
    "oversight:dashboard": Expect(SUPERVISORS_ANYWHERE, sees_target=frozenset(REGION_SUPERVISORS | {"own_supervisor"})),
    "oversight:export": Expect(SUPERVISORS_ANYWHERE),
    "oversight:agency": Expect(frozenset(REGION_SUPERVISORS)),
    "oversight:scoring": Expect(frozenset({"own_supervisor"})),
    "oversight:scoring_edit": Expect(frozenset({"own_supervisor"})),
    "oversight:scoring_publish": Expect(frozenset({"own_supervisor"}), method="post"),
    # 督促整改 (条例第四十七条): the target's issued notice to the office that issued it (区政府办公室's supervisor) and to
    # the target's staff who handle cases (经办人, 负责人); drafting and complaints to 主管部门 staff, each form listing
    # the agencies its office supervises; a complaint to the receiving office only (the agency never sees it). The
    # edit page is a draft's: the target's notice is issued, so nobody gets it. Unknown actions are 400 behind the gate.
    # The list is walked before the notice exists (names in order), so its scoping is tested in tests/rectification.
    # The target's own 主管部门 member sees the target's name as the office in the drafting forms: its own agency.
    # 行政复议、行政诉讼: the list open to all staff (each sees the agencies whose cases they read), registering to those
    # who handle cases somewhere; one appeal and its drafts to the readers of the target's cases, its actions, edit
    # page and drafting to those who handle them; the 表四 mapping page readable by all staff (edited by the 系统管理员).
    "appeals:list": Expect(frozenset({"*staff"}), sees_target=CASE_VIEWERS),
    "appeals:create": Expect(CASE_HANDLERS_ANYWHERE, sees_target=frozenset({"own_handler", "own_head"})),
    "appeals:mapping": Expect(frozenset({"*staff"})),
    "appeals:detail": Expect(CASE_VIEWERS),
    "appeals:edit": Expect(frozenset({"own_handler", "own_head"})),
    "appeals:action": Expect(frozenset({"own_handler", "own_head"}), method="post"),
    "appeals:draft": Expect(frozenset({"own_handler", "own_head"}), method="post"),
    "appeals:document": Expect(CASE_VIEWERS),
    "rectification:list": Expect(frozenset({"*staff"})),
    "rectification:notice_create": Expect(
        SUPERVISORS_ANYWHERE, sees_target=frozenset(REGION_SUPERVISORS | {"own_supervisor"})
    ),
    "rectification:notice": Expect(frozenset({"supervisor", "own_handler", "own_head"})),
    "rectification:notice_edit": Expect(frozenset()),
    "rectification:notice_items": Expect(frozenset({"supervisor", "own_handler", "own_head"}), method="post"),
    "rectification:notice_attachment": Expect(frozenset({"supervisor", "own_handler", "own_head"})),
    "rectification:notice_act": Expect(frozenset({"supervisor", "own_handler", "own_head"}), method="post"),
    "rectification:complaints": Expect(SUPERVISORS_ANYWHERE, sees_target=frozenset({"supervisor"})),
    "rectification:complaint_create": Expect(
        SUPERVISORS_ANYWHERE, sees_target=frozenset(REGION_SUPERVISORS | {"own_supervisor"})
    ),
    "rectification:complaint": Expect(frozenset({"supervisor"})),
    "rectification:complaint_reveal": Expect(frozenset({"supervisor"}), method="post"),
    "rectification:complaint_act": Expect(frozenset({"supervisor"}), method="post"),
}


def staff_url_names() -> dict[str, str]:
    """Every named URL pattern under /staff/, as {"namespace:name": route}."""
    found: dict[str, str] = {}

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                walk(pattern.url_patterns, route, inner)
            elif route.startswith("staff/"):
                name = ":".join(filter(None, [namespace, pattern.name or ""]))
                found[name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def concern_of(world: World) -> int:
    """The target agency's 舆情 (created on first use)."""
    found = PublicConcern.objects.filter(agency=world.target).values_list("pk", flat=True).first()
    if found is not None:
        return found
    return PublicConcern.objects.create(
        agency=world.target, source=Source.MEDIA, raised_at=timezone.now(), topic=f"{MARKER}舆情"
    ).pk


def publication_of(world: World) -> Publication:
    """The target agency's 主动公开 item (created on first use): scanned, its findings dismissed, waiting in 审批."""
    found = Publication.objects.filter(agency=world.target).first()
    if found is not None:
        return found
    handler, reviewer = world.actors["own_handler"], world.actors["own_reviewer"]
    item = publication_services.publication_create(
        agency=world.target,
        actor=handler,
        data={"title": f"{MARKER}公示", "category": "art20_6", "body": "当事人身份证号11010519491231002X"},
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    publication_services.publication_add_attachment(publication=item, actor=handler, name="a.png", content=png)
    publication_services.publication_submit(publication=item, actor=handler)
    for finding in ScanFinding.objects.filter(publication=item):
        publication_services.finding_dismiss(finding=finding, actor=reviewer, reason="测试")
    return publication_services.publication_review(publication=item, actor=reviewer, decision="agree")


def appeal_of(world: World) -> Any:
    """The target agency's 行政复议 on its case (created on first use), with a generated 答复书 draft."""
    from gongkai.appeals import services as appeal_services
    from gongkai.appeals.models import Appeal

    found = Appeal.objects.filter(agency=world.target).first()
    if found is not None:
        return found
    assert world.case is not None
    appeal = appeal_services.appeal_create(
        agency=world.target,
        actor=world.actors["own_handler"],
        data=appeal_services.AppealInput(
            kind="reconsideration",
            body="区人民政府",
            appellant=f"{MARKER}申请人",
            subject="补正告知",
            filed_on=timezone.localdate(),
            cases=[world.case],
        ),
    )
    appeal_services.appeal_draft_document(appeal=appeal, actor=world.actors["own_handler"])
    return appeal


def kwargs_for(route: str, world: World, *, missing: bool = False) -> dict[str, int | str]:
    publication_route = route.startswith("staff/publications/")
    appeal_route = route.startswith("staff/appeals/")
    builders: dict[str, Callable[[], int | str]] = {
        "agency_id": lambda: world.target.pk,
        "membership_id": lambda: world.membership.pk if world.membership else 0,
        "event_id": lambda: world.event.pk if world.event else 0,
        "year": lambda: 2026,
        "version_id": lambda: (
            CalendarVersion.objects.filter(calendar_year__year=2026).values_list("pk", flat=True).first() or 0
        ),
        "case_id": lambda: world.case.pk if world.case else 0,
        "document_id": lambda: (
            appeal_of(world).documents.first().pk if appeal_route else (world.document.pk if world.document else 0)
        ),
        "appeal_id": lambda: appeal_of(world).pk,
        "attachment_id": lambda: (
            PublicationAttachment.objects.get(publication=publication_of(world)).pk
            if publication_route
            else (world.attachment.pk if world.attachment else 0)
        ),
        "action": lambda: "review_return" if publication_route else "add_note",
        "op": lambda: "answer" if appeal_route else "sections",
        "fmt": lambda: "pdf" if appeal_route else "md",
        "table": lambda: "table3",
        "row": lambda: "1",
        "col": lambda: "总计",
        "concern_id": lambda: concern_of(world),
        "publication_id": lambda: publication_of(world).pk,
        "finding_id": lambda: ScanFinding.objects.filter(publication=publication_of(world)).values_list(
            "pk", flat=True
        )[0],
        "notice_id": lambda: notice_of(world.target).pk,
        "item_id": lambda: item_of(world.target),
        "complaint_id": lambda: complaint_of(world.target).pk,
    }
    kwargs: dict[str, int | str] = {}
    for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
        assert name in builders, f"no value builder for URL parameter '{name}' in {route}: add one to kwargs_for"
        kwargs[name] = 99_999_999 if missing else builders[name]()
    return kwargs


def request(client: Client, method: str, url: str) -> tuple[int, str, str]:
    response = client.post(url) if method == "post" else client.get(url)
    return response.status_code, response.content.decode("utf-8", "replace"), response.get("Location", "")


@pytest.mark.django_db
def test_every_staff_url_pattern_is_in_the_matrix() -> None:
    names = set(staff_url_names())
    missing = names - set(EXPECTATIONS)
    assert not missing, f"staff URL patterns without an access expectation: {sorted(missing)}"
    stale = set(EXPECTATIONS) - names
    assert not stale, f"expectations for URL patterns that no longer exist: {sorted(stale)}"


@pytest.mark.django_db
def test_access_matrix_has_no_leaks(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    routes = staff_url_names()
    failures: list[str] = []
    for name, route in sorted(routes.items()):
        expect = EXPECTATIONS[name]
        if expect.public:
            continue
        url = reverse(name, kwargs=kwargs_for(route, world))
        missing_url = reverse(name, kwargs=kwargs_for(route, world, missing=True)) if "<" in route else None
        for actor_name, user in world.actors.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            is_staff = user is not None and user.kind == "staff"
            allowed = actor_name in expect.allowed or ("*staff" in expect.allowed and is_staff)
            status, body, location = request(client, expect.method, url)
            where = f"{name} as {actor_name}: {status}"
            if not is_staff:
                if not (status == 302 and location.startswith(reverse("staff:login"))):
                    failures.append(f"{where} (expected redirect to the staff login)")
                continue
            if allowed:
                # An empty POST that reaches the view may be refused as bad input (400): access was still granted.
                granted = (200, 302, 400) if expect.method == "post" else (200, 302)
                if status not in granted or (status == 302 and "login" in location):
                    failures.append(f"{where} (expected access)")
                shows_target = MARKER in body
                if (
                    expect.sees_target is not None
                    and status == 200
                    and shows_target != (actor_name in expect.sees_target)
                ):
                    failures.append(f"{where} (target data shown: {MARKER in body})")
                if missing_url and expect.method == "get":
                    missing_status, missing_body, _ = request(client, "get", missing_url)
                    if missing_status != 404:
                        failures.append(f"{name} missing object as {actor_name}: {missing_status}")
            else:
                if status != 404 or MARKER in body:
                    failures.append(f"{where} (expected the plain 404, marker shown: {MARKER in body})")
                elif missing_url:
                    missing_status, missing_body, _ = request(client, expect.method, missing_url)
                    if (missing_status, missing_body) != (status, body):
                        failures.append(f"{name} as {actor_name}: 'missing' and 'not yours' differ")
    assert not failures, "access leaks:\n" + "\n".join(failures)
