"""The demo's 行政复议 / 行政诉讼, registered and carried through the same services as real use.

湛河区司法局 (the seed report's agency) has none touching 2024 — its published 2024 report says “未发生……行政复议或行政
诉讼” and 表四 is all zero — and in 2025 it has at least one appeal with every result: every 复议 result, and every 诉讼
result under both routes (未经复议直接起诉, 复议后起诉; the two 二审 results on appeals from 一审), so that each column of
表四 is in use. One 撤销 reopens the case it concerns (the other 纠正 results concern 主动公开 work, so the demo's 表三
stays as planned). Some 2025 appeals are still open at the year end and are carried into 2026 (one concluded there,
two still open); 2026 has an answer due within days and one overdue. 湛河区教育局 has a 2024 复议 and a 2025 suit.

Idempotent: skipped when 湛河区司法局 already has an appeal, or when it has no cases (``demo_load(cases=False)``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongkai.accounts.models import User
from gongkai.agencies.models import Agency
from gongkai.appeals import services
from gongkai.appeals.codebook import RESULTS, AppealKind, Instance, ResultCode, Route
from gongkai.appeals.models import Appeal
from gongkai.cases.codebook import Outcome
from gongkai.cases.models import Case
from gongkai.cases.states import Status as CaseStatus

__all__ = ["AppealsSummary", "appeals_load"]

MAIN_AGENCY = "zhanhe-sfj"
SECOND_AGENCY = "zhanhe-jyj"
HANDLER = "zh_handler"
HEAD = "zh_head"
JYJ_STAFF = "jyj_handler"  # 经办人 and 负责人 of 湛河区教育局
REVIEW_BODY = "湛河区人民政府"
COURT = "平顶山市湛河区人民法院"
APPEAL_COURT = "平顶山市中级人民法院"
FIRST_FILED = dt.date(2025, 3, 3)
STEP = dt.timedelta(days=6)
REOPENED_RESULT = ResultCode.RC_REVOKED
APPELLANTS = ("张伟", "王芳", "李娜", "刘强", "陈静", "杨洋", "赵磊", "黄敏", "周涛", "吴霞", "河南某某律师事务所")

_LT_FIRST = (
    ResultCode.LT_CLAIM_DISMISSED,
    ResultCode.LT_REVOKED,
    ResultCode.LT_PERFORM,
    ResultCode.LT_VARIED,
    ResultCode.LT_ILLEGAL,
    ResultCode.LT_VOID,
    ResultCode.LT_SUIT_DISMISSED,
    ResultCode.LT_WITHDRAWN,
    ResultCode.LT_MEDIATED,
)
_LT_SECOND = (ResultCode.LT_APPEAL_DISMISSED, ResultCode.LT_REMANDED)
_LT_CORRECTED = frozenset(
    {ResultCode.LT_REVOKED, ResultCode.LT_PERFORM, ResultCode.LT_VARIED, ResultCode.LT_ILLEGAL, ResultCode.LT_VOID}
)


@dataclass
class AppealsSummary:
    created: int = 0
    reopened_case: str = ""


def _number(kind: str, instance: str, year: int, n: int) -> str:
    if kind == AppealKind.RECONSIDERATION:
        return f"湛政复〔{year}〕{n}号"
    if instance == Instance.SECOND:
        return f"（{year}）豫04行终{n}号"
    return f"（{year}）豫0411行初{n}号"


class _Loader:
    def __init__(self, agency: Agency, handler: User, head: User) -> None:
        self.agency = agency
        self.handler = handler
        self.head = head
        self.n = 0
        self.summary = AppealsSummary()

    def register(
        self,
        *,
        kind: str,
        filed: dt.date,
        route: str = "",
        instance: str = "",
        preceding: Appeal | None = None,
        cases: tuple[Case, ...] = (),
        subject: str = "",
        simplified: bool = False,
    ) -> Appeal:
        self.n += 1
        body = (
            REVIEW_BODY
            if kind == AppealKind.RECONSIDERATION
            else (APPEAL_COURT if instance == Instance.SECOND else COURT)
        )
        appeal = services.appeal_create(
            agency=self.agency,
            actor=self.handler,
            data=services.AppealInput(
                kind=kind,
                route=route,
                instance=instance,
                preceding=preceding,
                body=body,
                number=_number(kind, instance, filed.year, 100 + self.n),
                appellant=APPELLANTS[self.n % len(APPELLANTS)],
                subject=subject
                or (
                    f"对申请{cases[0].number}作出的政府信息公开申请答复"
                    if cases
                    else "未依法主动公开相关政府信息（未在门户网站公开执法决定信息）"
                ),
                proactive=not cases,
                simplified=simplified,
                cases=cases,
                filed_on=filed,
            ),
        )
        self.summary.created += 1
        return appeal

    def progress(
        self,
        appeal: Appeal,
        *,
        accepted: dt.date,
        copy: dt.date | None = None,
        answered: dt.date | None = None,
        extend: int = 0,
        result: str = "",
        result_on: dt.date | None = None,
    ) -> Appeal:
        appeal = services.appeal_record_acceptance(appeal=appeal, actor=self.handler, accepted_on=accepted)
        if copy is not None:
            appeal = services.appeal_record_copy_received(appeal=appeal, actor=self.handler, received_on=copy)
        if answered is not None:
            appeal = services.appeal_record_answer(appeal=appeal, actor=self.handler, answered_on=answered)
        if extend:
            assert appeal.decision_due is not None
            appeal = services.appeal_extend_decision(
                appeal=appeal,
                actor=self.handler,
                days=extend,
                approved_on=min(appeal.decision_due, accepted + dt.timedelta(days=50)),
                reason="案情复杂，经行政复议机构负责人批准延长",
            )
        if result:
            assert result_on is not None
            # A result that reopens a case is recorded by the 负责人 (cases.services.case_reopen needs Perm.APPROVE).
            appeal = services.appeal_record_result(
                appeal=appeal,
                actor=self.head,
                result=result,
                result_on=result_on,
                note=RESULTS[result].basis.split("：")[0],
            )
        return appeal

    def concluded(self, appeal: Appeal, filed: dt.date, result: str, *, extend: int = 0) -> Appeal:
        """The usual course: 受理 after 3 days, the copy after 5, the answer a week later, the result after 40 days
        (不予受理 is decided on the application itself)."""
        if result == ResultCode.RC_NOT_ACCEPTED:
            return services.appeal_record_result(
                appeal=appeal, actor=self.handler, result=result, result_on=filed + dt.timedelta(days=4)
            )
        return self.progress(
            appeal,
            accepted=filed + dt.timedelta(days=3),
            copy=filed + dt.timedelta(days=5),
            answered=filed + dt.timedelta(days=12),
            extend=extend,
            result=result,
            result_on=filed + dt.timedelta(days=40 + extend // 2),
        )


def _reopen_candidate(agency: Agency, before: dt.date) -> Case | None:
    """A 2025 case answered 予以公开 (the most common outcome) whose applicant type has at least two others so answered
    in 2025: reopening it leaves every 表三 cell of the plan in use."""
    closed = Case.objects.filter(
        agency=agency, status=CaseStatus.CLOSED, outcome=Outcome.DISCLOSED, closed_on__year=2025, received_on__year=2025
    )
    for case in closed.filter(closed_on__lt=before).order_by("closed_on", "pk"):
        if closed.filter(applicant_type=case.applicant_type).exclude(pk=case.pk).count() >= 2:
            return case
    return None


def _closed_cases(agency: Agency, before: dt.date, year: int) -> list[Case]:
    return list(
        Case.objects.filter(agency=agency, status=CaseStatus.CLOSED, closed_on__lt=before, received_on__year=year)
        .exclude(outcome=Outcome.DISCLOSED)
        .order_by("closed_on", "pk")
    )


def appeals_load(*, today: dt.date | None = None) -> AppealsSummary:
    today = today or timezone.localdate()
    agency = Agency.objects.filter(code=MAIN_AGENCY).first()
    if agency is None or Appeal.objects.filter(agency=agency).exists():
        return AppealsSummary()
    if not Case.objects.filter(agency=agency).exists() or today < dt.date(2026, 4, 1):
        return AppealsSummary()  # no cases loaded, or a clock set before the demo's history
    handler = User.objects.get(username=HANDLER)
    head = User.objects.get(username=HEAD)
    with transaction.atomic():
        loader = _Loader(agency, handler, head)
        pool = _closed_cases(agency, dt.date(2026, 1, 1), 2025)
        filed = FIRST_FILED

        def next_filed() -> dt.date:
            nonlocal filed
            current = filed
            filed = filed + STEP
            return current

        def some_case(on: dt.date) -> tuple[Case, ...]:
            for i, case in enumerate(pool):
                if case.closed_on is not None and case.closed_on < on:
                    return (pool.pop(i),)
            return ()

        # 行政复议: every result. 撤销 reopens a 予以公开 case; the other 纠正 results concern 主动公开 work.
        reviews: dict[str, Appeal] = {}
        corrected = {
            ResultCode.RC_VARIED,
            ResultCode.RC_REVOKED,
            ResultCode.RC_ILLEGAL,
            ResultCode.RC_ORDERED,
            ResultCode.RC_VOID,
        }
        for code, definition in RESULTS.items():
            if definition.kind != AppealKind.RECONSIDERATION:
                continue
            on = next_filed()
            if code == REOPENED_RESULT:
                candidate = _reopen_candidate(agency, on)
                cases: tuple[Case, ...] = (candidate,) if candidate is not None else ()
            elif code in corrected:
                cases = ()
            else:
                cases = some_case(on)
            appeal = loader.register(kind=AppealKind.RECONSIDERATION, filed=on, cases=cases)
            reviews[code] = loader.concluded(appeal, on, code, extend=30 if code == ResultCode.RC_UPHELD else 0)
            if code == REOPENED_RESULT and cases:
                loader.summary.reopened_case = cases[0].number

        # 行政诉讼, both routes: every 一审 result, then the two 二审 results on appeals from an 一审 judgment.
        upheld_review = reviews[ResultCode.RC_UPHELD]
        for route in (Route.DIRECT, Route.AFTER_REVIEW):
            after = route == Route.AFTER_REVIEW
            first_instances: list[Appeal] = []
            for code in _LT_FIRST:
                on = next_filed()
                if code in _LT_CORRECTED:
                    cases = ()  # 纠正 judgments concern 主动公开 work here, so no planned case reopens
                elif after:
                    cases = tuple(upheld_review.cases.all())
                else:
                    cases = some_case(on)
                appeal = loader.register(
                    kind=AppealKind.LITIGATION,
                    route=route,
                    instance=Instance.FIRST,
                    preceding=upheld_review if after else None,
                    filed=on,
                    cases=cases,
                )
                first_instances.append(loader.concluded(appeal, on, code))
            for code in _LT_SECOND:
                on = next_filed()
                first = first_instances[0]  # 判决驳回诉讼请求, appealed by the 原告
                appeal = loader.register(
                    kind=AppealKind.LITIGATION,
                    route=route,
                    instance=Instance.SECOND,
                    preceding=first,
                    filed=max(on, first.result_on or on),
                    cases=tuple(first.cases.all()),
                    subject=first.subject,
                )
                loader.concluded(appeal, appeal.filed_on, code)

        # Carried into 2026: filed late in 2025, open at the year end.
        on = dt.date(2025, 11, 24)
        late_review = loader.register(kind=AppealKind.RECONSIDERATION, filed=on, cases=some_case(on))
        loader.progress(
            late_review,
            accepted=dt.date(2025, 11, 26),
            copy=dt.date(2025, 11, 28),
            answered=dt.date(2025, 12, 9),
            result=ResultCode.RC_UPHELD,
            result_on=dt.date(2026, 1, 20),
        )
        on = dt.date(2025, 12, 8)
        open_suit = loader.register(
            kind=AppealKind.LITIGATION, route=Route.DIRECT, instance=Instance.FIRST, filed=on, cases=some_case(on)
        )
        loader.progress(
            open_suit, accepted=dt.date(2025, 12, 15), copy=dt.date(2025, 12, 18), answered=dt.date(2025, 12, 30)
        )
        on = dt.date(2025, 12, 15)
        after_suit = loader.register(
            kind=AppealKind.LITIGATION,
            route=Route.AFTER_REVIEW,
            instance=Instance.FIRST,
            preceding=late_review if late_review.filed_on <= on else None,
            filed=on,
            cases=tuple(late_review.cases.all()),
        )
        loader.progress(after_suit, accepted=dt.date(2025, 12, 22), copy=dt.date(2025, 12, 25))

        # 2026: a 答辩 due within days (15 days from the copy), and a 答复 overdue (relative to the day of loading).
        on = today - dt.timedelta(days=20)
        soon = loader.register(
            kind=AppealKind.LITIGATION, route=Route.DIRECT, instance=Instance.FIRST, filed=on, cases=some_case(on)
        )
        loader.progress(soon, accepted=today - dt.timedelta(days=15), copy=today - dt.timedelta(days=12))
        on = today - dt.timedelta(days=40)
        overdue = loader.register(kind=AppealKind.RECONSIDERATION, filed=on, cases=some_case(on))
        loader.progress(overdue, accepted=today - dt.timedelta(days=35), copy=today - dt.timedelta(days=30))

        # 湛河区教育局: a 2024 复议 (维持) and a 2025 direct suit withdrawn.
        jyj = Agency.objects.filter(code=SECOND_AGENCY).first()
        jyj_staff = User.objects.filter(username=JYJ_STAFF).first()
        if jyj is not None and jyj_staff is not None:
            other = _Loader(jyj, jyj_staff, jyj_staff)
            other.n = 50
            plan: tuple[tuple[int, str, str, str], ...] = (
                (2024, AppealKind.RECONSIDERATION, "", ResultCode.RC_UPHELD),
                (2025, AppealKind.LITIGATION, Route.DIRECT, ResultCode.LT_WITHDRAWN),
            )
            for year, kind, suit_route, code in plan:
                on = dt.date(year, 6, 3)
                case = (
                    Case.objects.filter(agency=jyj, status=CaseStatus.CLOSED, closed_on__lt=on, received_on__year=year)
                    .order_by("closed_on", "pk")
                    .first()
                )
                appeal = other.register(
                    kind=kind,
                    route=suit_route,
                    instance=Instance.FIRST if kind == AppealKind.LITIGATION else "",
                    filed=on,
                    cases=(case,) if case is not None else (),
                )
                other.concluded(appeal, on, code)
            loader.summary.created += other.summary.created
    return loader.summary
