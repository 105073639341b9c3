"""Loading the demo world through the same services as real use; a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from gongkai.accounts.models import Membership, User
from gongkai.accounts.roles import Role
from gongkai.accounts.services import applicant_register, membership_grant, staff_create
from gongkai.agencies.models import Agency
from gongkai.agencies.services import agency_create
from gongkai.demo.cases import CasesSummary, cases_load
from gongkai.demo.data import AGENCIES, APPLICANTS, DEMO_PASSWORD, STAFF, credit_code, org_code
from gongkai.demo.publications import PublicationsSummary, publications_load


@dataclass
class LoadSummary:
    agencies_created: int = 0
    staff_created: int = 0
    memberships_created: int = 0
    applicants_created: int = 0
    cases: CasesSummary = field(default_factory=CasesSummary)
    publications: PublicationsSummary = field(default_factory=PublicationsSummary)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.agencies_created,
                self.staff_created,
                self.memberships_created,
                self.applicants_created,
                self.cases.created,
                self.publications.created,
            )
        )


SYSTEM_LABEL = "系统（演示数据）"


def demo_load(*, cases: bool = True) -> LoadSummary:
    """The demo world; ``cases=False`` leaves out the few hundred 依申请公开 cases (they take some seconds)."""
    summary = LoadSummary()
    with transaction.atomic():
        by_code: dict[str, Agency] = {agency.code: agency for agency in Agency.objects.all()}
        for item in AGENCIES:
            if item.code in by_code:
                continue
            agency = agency_create(
                actor=None,
                data={
                    "code": item.code,
                    "name": item.name,
                    "short_name": item.short_name,
                    "level": item.level,
                    "kind": item.kind,
                    "division_code": item.division,
                    "credit_code": credit_code(item.division, item.org_body),
                    "org_code": org_code(item.org_body),
                    "parent": by_code.get(item.parent) if item.parent else None,
                    "supervisor": by_code.get(item.supervisor) if item.supervisor else None,
                    "office_name": item.office_name,
                    "office_address": item.address,
                    "office_postcode": item.postcode,
                    "office_hours": item.hours,
                    "office_phone": item.phone,
                    "office_fax": item.fax,
                    "office_email": item.email,
                    "website": item.website,
                    "doc_number_pattern": item.doc_pattern,
                    "letterhead": item.name,
                },
            )
            by_code[item.code] = agency
            summary.agencies_created += 1

        for person in STAFF:
            user = User.objects.filter(username=person.username).first()
            if user is None:
                user = staff_create(
                    actor=None,
                    username=person.username,
                    password=DEMO_PASSWORD,
                    full_name=person.full_name,
                    email=f"{person.username}@demo.gongkai.local",
                    platform_role=person.platform_role,
                    validate=False,
                )
                summary.staff_created += 1
            for code, role in person.roles:
                agency = by_code[code]
                if not Membership.objects.filter(user=user, agency=agency, role=role).exists():
                    membership_grant(actor=None, user=user, agency=agency, role=Role(role))
                    summary.memberships_created += 1

        for applicant in APPLICANTS:
            if User.objects.filter(username=applicant.username).exists():
                continue
            applicant_register(
                username=applicant.username,
                password=DEMO_PASSWORD,
                full_name=applicant.full_name,
                email=applicant.email,
                id_type=applicant.id_type,
                id_number=applicant.id_number,
                phone=applicant.phone,
                postal_address=applicant.address,
                postcode=applicant.postcode,
                validate=False,
                must_change_password=True,  # the demo password is public: replaced at first sign-in
            )
            summary.applicants_created += 1
    summary.publications = publications_load()
    if summary.publications.created or summary.publications.bulk_posts:
        # The catalogue's bulk part is written without the per-item outbox: index everything once.
        from gongkai.search.services import search_rebuild

        search_rebuild()
    if cases:
        summary.cases = cases_load()
        # 行政复议 / 行政诉讼 on the demo cases (none of 司法局's touches 2024: the seed report's 表四 is all zero).
        from gongkai.demo.appeals import appeals_load

        appeals_load()
        # The seed's report, published from the demo data (needs the cases loaded: 司法局 has none in 2024).
        from gongkai.demo.reports import reports_load

        reports_load()
    return summary
