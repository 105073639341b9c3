"""Staff endpoints: token authentication, the access gate (same 404 for missing and not yours), the workflow through
the case services, refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from gongkai.accounts.roles import Role
from gongkai.api.models import ApiToken
from gongkai.api.services import token_create
from gongkai.api.views import ACTIONS
from gongkai.cases import services
from gongkai.cases.models import Case
from gongkai.cases.states import Status
from tests.api.conftest import staff_client
from tests.cases.conftest import application, d
from tests.factories import make_agency, make_staff

LIST = "/api/staff/cases/"


def detail(case: Case) -> str:
    return f"/api/staff/cases/{case.pk}/"


def action(case: Case | int, name: str) -> str:
    pk = case if isinstance(case, int) else case.pk
    return f"/api/staff/cases/{pk}/actions/{name}/"


@pytest.fixture
def other_case(government: Any) -> Case:
    other = make_agency("湛河区财政局", parent=government)
    return services.case_submit_online(agency=other, data=application(applicant_name="王五"))


@pytest.fixture
def case(agency: Any) -> Case:
    return services.case_submit_online(agency=agency, data=application())


# --- authentication ---------------------------------------------------------------------------------------------------


def test_staff_list_needs_a_token(api: APIClient, case: Case) -> None:
    response = api.get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token nonsense", "Token " + "A" * 40, "Token", "Token a b", "Token \u00e9\u00e9"])
def test_bad_tokens_are_401(api: APIClient, handler: Any, header: str) -> None:
    token_create(user=handler, name="真令牌")
    response = api.get(LIST, HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    assert response.status_code == 401


def test_revoked_expired_and_inactive_are_refused_alike(api: APIClient, handler: Any) -> None:
    token, key = token_create(user=handler, name="对接", days=1)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(LIST).status_code == 200
    refused = []
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        refused.append(api.get(LIST))
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    refused.append(api.get(LIST))
    handler.is_active = True
    handler.save(update_fields=["is_active"])
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    refused.append(api.get(LIST))
    assert [r.status_code for r in refused] == [401, 401, 401]
    assert len({r.content for r in refused}) == 1


def test_last_used_is_written_at_most_once_a_minute(handler: Any, handler_api: APIClient) -> None:
    token = ApiToken.objects.get(user=handler)
    assert token.last_used_at is None
    with time_machine.travel("2026-03-02 09:00:00 +0800", tick=False):
        handler_api.get(LIST)
        first = ApiToken.objects.get(pk=token.pk).last_used_at
    with time_machine.travel("2026-03-02 09:00:40 +0800", tick=False):
        handler_api.get(LIST)
        assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel("2026-03-02 09:01:30 +0800", tick=False):
        handler_api.get(LIST)
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_a_session_does_not_authenticate(case: Case, handler: Any) -> None:
    client = APIClient()
    client.force_login(handler)
    assert client.get(LIST).status_code == 401


# --- reading ---------------------------------------------------------------------------------------------------------


def test_list_shows_only_the_users_agencies(handler_api: APIClient, case: Case, other_case: Case) -> None:
    response = handler_api.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row == {
        "id": case.pk,
        "agency": case.agency.code,
        "number": case.number,
        "status": "pending",
        "status_label": "待确认",
        "channel": "online",
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "subject": "2024年法律援助经费使用情况",
        "received_on": None,
        "reply_due": None,
        "provisional": False,
        "assignee": None,
        "outcome": "",
    }


def test_list_filters(handler_api: APIClient, case: Case, agency: Any) -> None:
    services.case_submit_online(
        agency=agency, data=application(applicant_name="李四", items=[services.ItemInput("采购合同")])
    )
    assert handler_api.get(LIST, {"queue": "pending"}).json()["count"] == 2
    assert handler_api.get(LIST, {"queue": "closed"}).json()["count"] == 0
    found = handler_api.get(LIST, {"q": "采购"}).json()
    assert [r["applicant_name"] for r in found["results"]] == ["李四"]
    assert handler_api.get(LIST, {"q": case.number}).json()["count"] == 1
    assert handler_api.get(LIST, {"agency": agency.code}).json()["count"] == 2
    assert handler_api.get(LIST, {"agency": "elsewhere"}).json()["count"] == 0
    bad = handler_api.get(LIST, {"queue": "everything", "page": "x"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"queue", "page"}
    assert bad.json()["errors"]["queue"][0].startswith("队列：")
    assert handler_api.get(LIST, {"page": 9}).status_code == 404


def test_list_paginates_by_fifty_in_few_queries(
    handler_api: APIClient, agency: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(52):
        services.case_submit_online(agency=agency, data=application(applicant_name=f"申请人{n}"))
    with django_assert_max_num_queries(8):
        first = handler_api.get(LIST).json()
    assert first["count"] == 52
    assert len(first["results"]) == 50
    assert first["next"]
    assert len(handler_api.get(LIST, {"page": 2}).json()["results"]) == 2


def test_detail_masks_personal_data(handler_api: APIClient, case: Case) -> None:
    body = handler_api.get(detail(case)).json()
    assert body["phone"] == "139****1234"
    assert body["id_number"].startswith("410")
    assert "*" in body["id_number"]
    assert case.id_number not in str(body)
    assert body["items"][0]["title"] == "2024年法律援助经费使用情况"
    assert [e["action"] for e in body["events"]] == ["submit"]
    assert body["fee"] is None
    assert body["explanation"]


def test_other_agency_is_404_like_a_missing_case(handler_api: APIClient, other_case: Case) -> None:
    missing = handler_api.get(f"/api/staff/cases/{other_case.pk + 1000}/")
    hidden = handler_api.get(detail(other_case))
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()
    acting = handler_api.post(action(other_case, "confirm_receipt"), {"received_on": "2026-03-02"})
    acting_missing = handler_api.post(action(other_case.pk + 1000, "confirm_receipt"), {"received_on": "2026-03-02"})
    assert acting.status_code == acting_missing.status_code == 404
    assert acting.json() == acting_missing.json()
    assert Case.objects.get(pk=other_case.pk).status == Status.PENDING


# --- acting ----------------------------------------------------------------------------------------------------------


def test_workflow_to_a_partial_reply(handler_api: APIClient, agency: Any) -> None:
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = services.case_submit_online(agency=agency, data=application())
        confirmed = handler_api.post(action(case, "confirm_receipt"), {"received_on": "2026-03-02", "note": "电话确认"})
        assert confirmed.status_code == 200, confirmed.content
        assert confirmed.json()["status"] == "processing"
        assert confirmed.json()["reply_due"] == "2026-03-30"
    with time_machine.travel("2026-03-20 16:00 +0800", tick=False):
        asked = handler_api.post(
            action(case, "request_correction"), {"on": "2026-03-04", "items": "请明确年份", "period_days": 10}
        )
        assert asked.status_code == 200, asked.content
        assert asked.json()["status"] == "awaiting_correction"
        corrected = handler_api.post(action(case, "record_correction"), {"on": "2026-03-09"})
        assert corrected.json()["status"] == "processing"
        assert corrected.json()["reply_due"] == "2026-04-07"
        replied = handler_api.post(
            action(case, "reply"),
            {
                "outcome": "partial",
                "on": "2026-03-20",
                "withheld": [{"description": "受援人姓名", "ground": "withheld_third_party", "reason": "涉及个人隐私"}],
            },
        )
        assert replied.status_code == 200, replied.content
    body = replied.json()
    assert body["status"] == "closed"
    assert body["outcome"] == "partial"
    assert body["outcome_label"] == "部分公开"
    assert body["withheld"] == [
        {"description": "受援人姓名", "ground": "withheld_third_party", "reason": "涉及个人隐私"}
    ]
    assert {doc["kind"] for doc in body["documents"]} >= {"correction_notice", "reply"}
    assert [e["action"] for e in body["events"]] == [
        "submit",
        "confirm_receipt",
        "request_correction",
        "record_correction",
        "reply",
    ]
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_on == d("2026-03-20")


def test_invalid_transition_is_409_and_changes_nothing(handler_api: APIClient, case: Case) -> None:
    response = handler_api.post(action(case, "reply"), {"outcome": "disclosed", "on": "2026-03-02"})
    assert response.status_code == 409
    assert response.json() == {"detail": "案件当前状态为“待确认”，不能执行“答复”"}
    case.refresh_from_db()
    assert case.status == Status.PENDING
    assert case.events.count() == 1


def test_role_refusal_is_403(handler_api: APIClient, agency: Any, handler: Any) -> None:
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = services.case_submit_online(agency=agency, data=application())
        services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-03-02"))
        response = handler_api.post(
            action(case, "extend"), {"days": 10, "reason": "需要检索档案", "approved_on": "2026-03-02"}
        )
    assert response.status_code == 403
    assert response.json() == {"detail": "“延长答复期限”须由本机关负责人执行"}


def test_a_supervisor_reads_but_cannot_act(government: Any, case: Case) -> None:
    office = make_agency("湛河区人民政府办公室", parent=government)
    government.supervisor = office
    government.save(update_fields=["supervisor"])
    case.agency.supervisor = office
    case.agency.save(update_fields=["supervisor"])
    supervisor = staff_client(make_staff(office, Role.SUPERVISOR))
    assert supervisor.get(detail(case)).status_code == 200
    assert supervisor.post(action(case, "claim"), {}).status_code == 403


def test_service_refusals_are_400_keyed_by_field(handler_api: APIClient, agency: Any) -> None:
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = services.case_submit_online(agency=agency, data=application())
        future = handler_api.post(action(case, "confirm_receipt"), {"received_on": "2026-03-03"})
        assert future.status_code == 400
        assert future.json() == {"errors": {"received_on": ["日期（2026-03-03）不能晚于今天"]}}
        wrong = handler_api.post(action(case, "confirm_receipt"), {"received_on": "03/02/2026"})
        assert wrong.json()["errors"]["received_on"][0].startswith("收到申请之日")
        far = handler_api.post(action(case, "confirm_receipt"), {"received_on": "0001-01-01"})
        assert far.json()["errors"]["received_on"][0].endswith("日期应在2000年至2100年之间")
        assert handler_api.post(action(case, "confirm_receipt"), {"received_on": "2026-03-02"}).status_code == 200
        claimed = handler_api.post(action(case, "claim"))
        assert claimed.status_code == 400
        assert claimed.json() == {"errors": {"non_field_errors": ["该申请已由您办理"]}}
        nobody = handler_api.post(action(case, "assign"), {"assignee": "no-such-user"})
        assert nobody.json() == {"errors": {"assignee": ["只能分办给本机关的经办人或负责人"]}}
        no_grounds = handler_api.post(action(case, "reply"), {"outcome": "partial", "on": "2026-03-02"})
        assert list(no_grounds.json()["errors"]) == ["withheld"]
        unknown = handler_api.post(action(case, "note_everything"), {})
        assert unknown.status_code == 404
        assert unknown.json() == {"detail": "没有该操作"}
        opinion = handler_api.post(
            action(case, "record_opinion"), {"consultation_id": 1, "result": "agree", "on": "2026-03-02"}
        )
        assert opinion.status_code == 409
    case.refresh_from_db()
    assert case.status == Status.PROCESSING


def test_assign_withdraw_reopen_and_note(handler_api: APIClient, agency: Any, handler: Any, head: Any) -> None:
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = services.case_submit_online(agency=agency, data=application())
        assert handler_api.post(action(case, "assign"), {"assignee": head.username}).json()["assignee"] == head.username
        assert handler_api.post(action(case, "claim")).json()["assignee"] == handler.username
        cancelled = handler_api.post(action(case, "withdraw"), {"reason": "申请人电话撤回"})
        assert cancelled.json()["status"] == "cancelled"
        second = services.case_submit_online(agency=agency, data=application())
        handler_api.post(action(second, "confirm_receipt"), {"received_on": "2026-03-02"})
        withdrawn = handler_api.post(action(second, "withdraw"), {"on": "2026-03-02", "reason": "申请人书面撤回"})
        assert withdrawn.json()["outcome"] == "other"
        assert handler_api.post(action(second, "reopen"), {"reason": "误操作"}).status_code == 403
        head_api = staff_client(head)
        reopened = head_api.post(action(second, "reopen"), {"reason": "误操作"})
        assert reopened.json()["status"] == "processing"
        noted = head_api.post(action(second, "add_note"), {"note": "已电话联系申请人"})
        assert noted.json()["events"][-1]["note"] == "已电话联系申请人"


def test_every_action_reaches_its_service(agency: Any, head: Any) -> None:
    api = staff_client(head)

    def post(case: Case, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = api.post(action(case, name), body or {})
        assert response.status_code == 200, (name, response.content)
        result: dict[str, Any] = response.json()
        return result

    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        cases = [services.case_submit_online(agency=agency, data=application()) for _ in range(4)]
        for case in cases:
            post(case, "confirm_receipt", {"received_on": "2026-03-02"})
        full, excessive, lapsed, unpaid = cases
        post(lapsed, "request_correction", {"on": "2026-03-02", "items": "请写明文号", "period_days": 5})
        post(unpaid, "notify_fee", {"on": "2026-03-02", "method": "per_volume", "pages": 31})
        consulting = post(
            full,
            "start_consultation",
            {"on": "2026-03-02", "consultees": [{"kind": "agency", "party": "湛河区财政局", "matter": "是否同意公开"}]},
        )
        assert consulting["status"] == "consulting"
    with time_machine.travel("2026-03-10 09:00 +0800", tick=False):
        opinion = consulting["consultations"][0]["id"]
        assert (
            post(full, "record_opinion", {"consultation_id": opinion, "result": "agree", "on": "2026-03-09"})["status"]
            == "processing"
        )
        assert (
            post(full, "extend", {"days": 10, "reason": "需检索档案", "approved_on": "2026-03-10"})["extension_days"]
            == 10
        )
        fee = post(full, "notify_fee", {"on": "2026-03-10", "method": "per_volume", "pages": 50})
        assert (fee["status"], fee["fee"]["amount"]) == ("awaiting_fee", 200)
        assert (
            post(full, "record_payment", {"on": "2026-03-10", "amount": 200, "receipt_number": "0001"})["fee"][
                "paid_amount"
            ]
            == 200
        )
        assert post(full, "ask_reasons", {"on": "2026-03-10"})["status"] == "awaiting_reasons"
        accepted = post(full, "reasons_accepted", {"on": "2026-03-10", "reasons": "研究需要", "until": "2026-05-06"})
        assert accepted["delay_until"] == "2026-05-06"
        replied = post(full, "reply", {"outcome": "disclosed", "variant": "provided", "on": "2026-03-10"})
        assert (replied["status"], replied["outcome"]) == ("closed", "disclosed")
        post(excessive, "ask_reasons", {"on": "2026-03-10", "note": "本月已申请40件"})
        assert post(excessive, "reasons_rejected", {"on": "2026-03-10"})["outcome"] == "not_processed_excessive"
        assert post(lapsed, "correction_lapsed")["outcome"] == "other_no_correction"
    with time_machine.travel("2026-04-20 09:00 +0800", tick=False):
        assert post(unpaid, "fee_lapsed", {"on": "2026-04-20"})["outcome"] == "other_fee_unpaid"
        other = services.case_submit_online(agency=agency, data=application())
        post(other, "confirm_receipt", {"received_on": "2026-04-20"})
        post(
            other,
            "start_consultation",
            {"on": "2026-04-20", "consultees": [{"kind": "third_party", "party": "某公司", "matter": "商业秘密"}]},
        )
    with time_machine.travel("2026-05-20 09:00 +0800", tick=False):
        resumed = post(other, "consultation_lapsed")
        assert resumed["status"] == "processing"
        assert resumed["consultations"][0]["result"] == "no_answer"


def test_out_of_range_ids_are_404(handler_api: APIClient, case: Case) -> None:
    huge = 2**70
    assert handler_api.get(f"/api/staff/cases/{huge}/").status_code == 404
    assert handler_api.post(action(huge, "claim")).status_code == 404
    response = handler_api.post(
        action(case, "record_opinion"), {"consultation_id": huge, "result": "agree", "on": "2026-03-02"}
    )
    assert response.status_code in (400, 409)


_body_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=20),
    st.sampled_from(["2026-03-02", "2026-02-30", "9999-12-31", "partial", "agree", "per_item", "third_party"]),
    st.lists(st.dictionaries(st.text(max_size=12), st.text(max_size=10) | st.integers(), max_size=4), max_size=2),
)
_keys = st.sampled_from(
    [
        "on",
        "received_on",
        "note",
        "items",
        "period_days",
        "outcome",
        "withheld",
        "consultees",
        "consultation_id",
        "result",
        "days",
        "reason",
        "approved_on",
        "method",
        "pieces",
        "pages",
        "amount",
        "until",
        "reasons",
        "assignee",
        "variant",
        "earlier_case_number",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(ACTIONS)), body=st.dictionaries(_keys, _body_value, max_size=6))
def test_action_fuzz_never_5xx(head: Any, name: str, body: dict[str, Any]) -> None:
    case = Case.objects.filter(agency=head.memberships.get().agency).first()
    if case is None:
        agency = head.memberships.get().agency
        case = services.case_submit_online(agency=agency, data=application())
        services.case_confirm_receipt(case=case, actor=head, received_on=timezone.localdate())
    response = staff_client(head).post(action(case, name), body)
    assert response.status_code < 500, (name, body, response.content)
