"""The catalogue's writes: 索引号 gap-free per agency and year after the agency's pattern, publish / withdraw through the
transition table, the validity lifecycle, channel deliveries, an audit row for each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.audit.models import AuditEvent
from gongkai.publications import services
from gongkai.publications.codebook import (
    Category,
    Channel,
    DeliveryStatus,
    DisclosureMode,
    DocKind,
    Status,
    Validity,
    WithheldGround,
)
from gongkai.publications.models import ChannelDelivery, Publication
from tests.factories import make_agency
from tests.publications.conftest import create, published, through_workflow

pytestmark = pytest.mark.django_db


def test_index_number_default_pattern_gap_free_per_agency_and_year(agency: Agency, handler: Any) -> None:
    other = make_agency("湛河区财政局")
    numbers = [create(agency, handler, formed_on=dt.date(2024, 5, 1)).index_number for _ in range(3)]
    assert numbers == [f"{agency.identifier}/2024-0000{n}" for n in (1, 2, 3)]
    # another year, another agency: each starts at 1
    assert create(agency, handler, formed_on=dt.date(2025, 1, 2)).index_number == f"{agency.identifier}/2025-00001"
    assert create(other, None, formed_on=dt.date(2024, 5, 1)).index_number == f"{other.identifier}/2024-00001"
    assert create(agency, handler, formed_on=dt.date(2024, 12, 31)).index_number == f"{agency.identifier}/2024-00004"
    rows = Publication.objects.filter(agency=agency, year=2024).order_by("seq")
    assert list(rows.values_list("seq", flat=True)) == [1, 2, 3, 4]


def test_index_number_custom_pattern_with_month(agency: Agency) -> None:
    agency.index_number_pattern = "{org}/{year}{month}-{seq:04d}"
    agency.save()
    item = create(agency, formed_on=dt.date(2025, 3, 9))
    assert item.index_number == f"{agency.identifier}/202503-0001"
    assert (item.year, item.seq) == (2025, 1)


def test_broken_pattern_falls_back_to_default(agency: Agency) -> None:
    agency.index_number_pattern = "{org}/{nonsense}"
    agency.save()
    assert create(agency).index_number == f"{agency.identifier}/2024-00001"


def test_refused_create_gives_its_number_back(agency: Agency) -> None:
    with pytest.raises(ValidationError) as refused:
        create(agency, title="  ")
    assert "title" in refused.value.message_dict
    try:
        with transaction.atomic():
            create(agency)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert create(agency).seq == 1


def test_create_draft_defaults_and_audit(agency: Agency, handler: Any) -> None:
    item = create(agency, handler, doc_number="湛司〔2024〕3号")
    assert item.status == Status.DRAFT
    assert item.issuing_body == agency.name
    assert item.validity == Validity.CURRENT
    assert item.published_on is None
    assert item.created_by == handler
    assert AuditEvent.objects.filter(action="publication.create", object_id=str(item.pk)).count() == 1
    other = create(agency, doc_kind=DocKind.OTHER, category=Category.OTHER, title="工作动态")
    assert other.validity == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "art20_16"}, "category"),
        ({"doc_kind": DocKind.NORMATIVE, "category": Category.ART20_7}, "category"),
        ({"doc_kind": "policy"}, "doc_kind"),
        ({"disclosure_mode": DisclosureMode.WITHHELD}, "withheld_ground"),
        ({"withheld_ground": WithheldGround.THIRD_PARTY}, "withheld_ground"),
        ({"formed_on": dt.date(2026, 11, 28)}, "formed_on"),
        ({"written_on": dt.date(2024, 3, 2)}, "written_on"),
        ({"status": Status.PUBLISHED}, "data"),
    ],
)
def test_create_refusals_name_the_field(agency: Agency, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        create(agency, **data)
    assert field in refused.value.message_dict
    assert not Publication.objects.exists()


def test_publish_delivers_portal_now_others_pending(agency: Agency, handler: Any, reviewer: Any, head: Any) -> None:
    item = create(agency, handler, formed_on=dt.date(2026, 11, 20))
    done = through_workflow(item, handler, reviewer, head, channels=[Channel.PORTAL, Channel.WECHAT, Channel.PORTAL])
    assert done.status == Status.PUBLISHED
    assert done.published_on == dt.date(2026, 11, 27)
    assert done.index_number == item.index_number
    deliveries = {d.channel: d for d in done.deliveries.all()}
    assert set(deliveries) == {Channel.PORTAL, Channel.WECHAT}
    assert deliveries[Channel.PORTAL].status == DeliveryStatus.DELIVERED
    assert deliveries[Channel.PORTAL].delivered_at == timezone.now()
    assert deliveries[Channel.WECHAT].status == DeliveryStatus.PENDING
    assert AuditEvent.objects.filter(action="publication.approve").count() == 1


def test_registering_needs_an_earlier_day(agency: Agency, handler: Any) -> None:
    """An item registered as published (archive import) skips the review here, so it cannot be published today:
    先审查、后公开 for everything new."""
    item = create(agency, handler, formed_on=dt.date(2026, 11, 20))
    for on in (None, dt.date(2026, 11, 27)):
        with pytest.raises(ValidationError) as refused:
            services.publication_publish(publication=item, actor=None, on=on)
        assert "on" in refused.value.message_dict
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_backdated_publish_delivers_portal_that_day(agency: Agency) -> None:
    item = published(agency, dt.date(2024, 12, 31))
    delivery = item.deliveries.get()
    assert timezone.localtime(delivery.delivered_at).date() == dt.date(2024, 12, 31)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on": dt.date(2026, 11, 28)}, "on"),
        ({"on": dt.date(2024, 2, 29)}, "on"),  # before 形成日期 2024-03-01
        ({"channels": []}, "channels"),
        ({"channels": ["weibo"]}, "channels"),
    ],
)
def test_publish_refusals(agency: Agency, kwargs: dict[str, Any], field: str) -> None:
    item = create(agency)
    with pytest.raises(ValidationError) as refused:
        services.publication_publish(publication=item, actor=None, **kwargs)
    assert field in refused.value.message_dict
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    assert not ChannelDelivery.objects.exists()


def test_withheld_item_cannot_be_published(agency: Agency) -> None:
    item = create(agency, disclosure_mode=DisclosureMode.WITHHELD, withheld_ground=WithheldGround.PROCESS_INFO)
    with pytest.raises(ValidationError) as refused:
        services.publication_publish(publication=item, actor=None, on=dt.date(2024, 3, 5))
    assert "disclosure_mode" in refused.value.message_dict


def test_withdraw_keeps_index_number_and_is_never_reused(agency: Agency, handler: Any, head: Any) -> None:
    item = published(agency, dt.date(2024, 3, 5), handler)
    with pytest.raises(ValidationError) as refused:
        services.publication_withdraw(publication=item, actor=head, reason=" ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as not_head:
        services.publication_withdraw(publication=item, actor=handler, reason="误发")
    assert "actor" in not_head.value.message_dict
    gone = services.publication_withdraw(publication=item, actor=head, reason="误发，内容有误", on=dt.date(2024, 3, 6))
    assert gone.status == Status.WITHDRAWN
    assert gone.index_number == item.index_number
    assert gone.withdrawn_on == dt.date(2024, 3, 6)
    assert gone.withdrawal_notice == "本信息已于2024年3月6日撤回。"
    assert create(agency).seq == 2
    with pytest.raises(ValidationError) as again:
        services.publication_withdraw(publication=gone, actor=head, reason="再次撤回")
    assert "status" in again.value.message_dict
    with pytest.raises(ValidationError):
        services.publication_publish(publication=gone, actor=None, on=dt.date(2024, 3, 7))


def test_validity_lifecycle(agency: Agency, handler: Any) -> None:
    old = published(agency, dt.date(2024, 3, 5))
    amending = published(agency, dt.date(2025, 2, 1), title="关于修改《湛河区行政执法公示办法》的决定")
    with pytest.raises(ValidationError) as refused:
        services.publication_set_validity(
            publication=old, actor=handler, validity=Validity.AMENDED, on=dt.date(2025, 2, 1)
        )
    assert "replaced_by" in refused.value.message_dict
    amended = services.publication_set_validity(
        publication=old, actor=handler, validity=Validity.AMENDED, on=dt.date(2025, 2, 1), replaced_by=amending
    )
    assert (amended.validity, amended.abolished_on, amended.replaced_by) == (Validity.AMENDED, None, amending)
    assert list(amending.replaces.all()) == [amended]
    with pytest.raises(ValidationError) as earlier:
        services.publication_set_validity(
            publication=old, actor=handler, validity=Validity.ABOLISHED, on=dt.date(2025, 1, 1)
        )
    assert "on" in earlier.value.message_dict
    ended = services.publication_set_validity(
        publication=old, actor=handler, validity=Validity.ABOLISHED, on=dt.date(2026, 1, 1)
    )
    assert (ended.validity, ended.abolished_on, ended.validity_changed_on) == (
        Validity.ABOLISHED,
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as terminal:
        services.publication_set_validity(
            publication=old, actor=handler, validity=Validity.CURRENT, on=dt.date(2026, 2, 1)
        )
    assert "validity" in terminal.value.message_dict
    assert AuditEvent.objects.filter(action="publication.set_validity").count() == 2


def test_validity_only_for_rules_and_normative_documents(agency: Agency) -> None:
    news = published(agency, dt.date(2024, 3, 5), doc_kind=DocKind.OTHER, category=Category.OTHER)
    with pytest.raises(ValidationError) as refused:
        services.publication_set_validity(
            publication=news, actor=None, validity=Validity.EXPIRED, on=dt.date(2025, 1, 1)
        )
    assert "validity" in refused.value.message_dict
    draft = create(agency)
    with pytest.raises(ValidationError) as unpublished:
        services.publication_set_validity(
            publication=draft, actor=None, validity=Validity.EXPIRED, on=dt.date(2025, 1, 1)
        )
    assert "status" in unpublished.value.message_dict
    doc = published(agency, dt.date(2024, 3, 5))
    with pytest.raises(ValidationError) as before_publication:
        services.publication_set_validity(
            publication=doc, actor=None, validity=Validity.EXPIRED, on=dt.date(2024, 3, 4)
        )
    assert "on" in before_publication.value.message_dict
    with pytest.raises(ValidationError) as replaced_by_news:
        services.publication_set_validity(
            publication=doc, actor=None, validity=Validity.AMENDED, on=dt.date(2025, 1, 1), replaced_by=news
        )
    assert "replaced_by" in replaced_by_news.value.message_dict
    doc.refresh_from_db()
    assert doc.validity == Validity.CURRENT


def test_interpretation_links_both_ways(agency: Agency) -> None:
    doc = published(agency, dt.date(2025, 4, 1))
    reading = published(
        agency,
        dt.date(2025, 4, 2),
        title="《湛河区行政执法公示办法》政策解读",
        doc_kind=DocKind.OTHER,
        category=Category.ART20_1,
        interprets=doc,
    )
    assert reading.interprets == doc
    assert list(doc.interpretations.all()) == [reading]


def test_channel_record_delivery(agency: Agency, handler: Any) -> None:
    item = published(agency, dt.date(2024, 3, 5))
    with pytest.raises(ValidationError) as no_error:
        services.channel_record_delivery(publication=item, channel=Channel.WECHAT, actor=handler, delivered=False)
    assert "error" in no_error.value.message_dict
    failed = services.channel_record_delivery(
        publication=item, channel=Channel.WECHAT, actor=handler, delivered=False, error="接口超时"
    )
    assert (failed.status, failed.attempts, failed.error) == (DeliveryStatus.FAILED, 1, "接口超时")
    at = dt.datetime(2024, 3, 5, 20, 0, tzinfo=timezone.get_default_timezone())
    done = services.channel_record_delivery(
        publication=item, channel=Channel.WECHAT, actor=handler, delivered=True, at=at, external_id="mp-1"
    )
    assert (done.status, done.attempts, done.delivered_at, done.external_id) == (
        DeliveryStatus.DELIVERED,
        2,
        at,
        "mp-1",
    )
    with pytest.raises(ValidationError) as twice:
        services.channel_record_delivery(publication=item, channel=Channel.WECHAT, actor=handler, delivered=True, at=at)
    assert "channel" in twice.value.message_dict
    with pytest.raises(ValidationError) as early:
        services.channel_record_delivery(
            publication=item,
            channel=Channel.GAZETTE,
            actor=handler,
            delivered=True,
            at=dt.datetime(2024, 3, 4, 23, 59, tzinfo=timezone.get_default_timezone()),
        )
    assert "at" in early.value.message_dict
    assert AuditEvent.objects.filter(action="publication.deliver").count() == 2


def test_category_article() -> None:
    assert Category.ART20_1.article == "条例第二十条（一）"
    assert Category.ART20_15.article == "条例第二十条（十五）"
    assert Category.LOCAL.article == "条例第二十一条"
    assert len([c for c in Category if c.value.startswith("art20_")]) == 15


def test_block_of_index_numbers_shares_the_counter(agency: Agency) -> None:
    first = create(agency)
    block = services.take_index_block(agency, 2024, 3)
    after = create(agency)
    assert (first.seq, list(block), after.seq) == (1, [2, 3, 4], 5)
    assert services.format_index_number(agency, year=2024, month=3, seq=block[0]) == f"{agency.identifier}/2024-00002"
