"""The 指南 (条例第十二条) is generated from the agency's data: it changes when that data changes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.agencies.services import agency_update
from gongkai.cases import fees
from gongkai.clock.rules import PERIODS
from gongkai.portal.guide import period_text
from gongkai.publications.codebook import Category, Channel, DeliveryStatus
from gongkai.publications.models import ChannelDelivery
from tests.factories import make_agency
from tests.portal.conftest import make_item

pytestmark = pytest.mark.django_db


def guide_text(client: Client, agency: Agency) -> str:
    response = client.get(reverse("portal:guide", args=[agency.code]))
    assert response.status_code == 200
    return response.content.decode()


def test_guide_changes_with_the_contact_data(client: Client, agency: Agency) -> None:
    before = guide_text(client, agency)
    for value in ("湛河区司法局办公室", "平顶山市湛河区开源路12号", "467000", "0375-8166000", "0375-8166001"):
        assert value in before
    assert "sfj@zhanhe.example.cn" in before

    agency_update(
        actor=None,
        agency=agency,
        data={"office_phone": "0375-2999888", "office_address": "平顶山市湛河区曙光街88号", "office_fax": ""},
        fields=("office_phone", "office_address", "office_fax"),
    )
    after = guide_text(client, agency)
    assert "0375-2999888" in after
    assert "平顶山市湛河区曙光街88号" in after
    assert "0375-8166000" not in after
    assert "开源路12号" not in after
    assert "传真申请" not in after  # no fax number, no fax channel

    # Through the service, as every write is: it saves ``updated_at``, which the portal's page cache keys on.
    agency_update(actor=None, agency=agency, data={"office_hours": "周一至周五 9:00—17:00"}, fields=("office_hours",))
    assert "周一至周五 9:00—17:00" in guide_text(client, agency)


def test_guide_shows_the_statutory_periods_fees_and_remedies(client: Client, agency: Agency) -> None:
    text = guide_text(client, agency)
    for key in ("reply", "extension", "correction_notice", "third_party_opinion", "fee_payment"):
        statutory = PERIODS[key]
        assert statutory.label_zh in text
        assert statutory.basis in text
    assert f"自收到申请之日起{period_text(PERIODS['reply'])}内予以答复" in text
    assert f"最长不超过{period_text(PERIODS['extension'])}" in text
    assert f"{period_text(PERIODS['correction_notice'])}内一次性告知补正" in text
    assert period_text(PERIODS["reply"]) == "20个工作日"
    assert period_text(PERIODS["correction_notice"]) == "7个工作日"
    # 国办函〔2020〕109号 tiers, from gongkai.cases.fees
    assert f"累计申请{fees.ITEM_FREE}件以下" in text
    assert f"{fees.ITEM_FIRST_TIER_PRICE}元/件" in text
    assert "31—40件为200元/件" in text
    assert "31—100页（含100页）的部分：10元/页" in text
    assert "201页以上的部分：40元/页" in text
    # remedies
    assert f"{period_text(PERIODS['reconsideration_application'])}内提出" in text
    assert "60日" in text
    assert "6个月" in text
    assert "复议前置" in text
    assert "行政机关不予公开的，应当先向行政复议机关申请行政复议" in text
    # links
    assert reverse("apply:form", args=[agency.code]) in text
    assert reverse("apply:track") in text
    assert reverse("annual:list", args=[agency.code]) in text
    assert "每年1月31日前" in text  # a department (条例第四十九条)


def test_guide_lists_only_the_categories_and_channels_in_use(client: Client, agency: Agency) -> None:
    make_item(agency, category=Category.ART20_7)
    make_item(agency, category=Category.ART20_7)
    wechat = make_item(agency, category=Category.LOCAL)
    ChannelDelivery.objects.create(publication=wechat, channel=Channel.WECHAT, status=DeliveryStatus.DELIVERED)
    make_item(agency, category=Category.ART20_14, status="draft")
    text = guide_text(client, agency)
    assert Category.ART20_7.label in text
    assert Category.LOCAL.label in text
    assert Category.ART20_14.label not in text  # only a draft
    assert reverse("portal:category", args=[agency.code, Category.ART20_7.value]) in text
    assert Channel.WECHAT.label in text
    assert Channel.GAZETTE.label not in text
    # 编排体系: the agency's own 索引号 pattern, with an example
    assert f"{agency.identifier}/{timezone.localdate().year}-00001" in text


def test_guide_names_the_supervisor_and_the_upper_agency(client: Client, government: Agency) -> None:
    office = make_agency("湛河区人民政府办公室", parent=government)
    department = make_agency("湛河区财政局", parent=government, supervisor=office)
    text = guide_text(client, department)
    assert "向上一级行政机关（湛河区人民政府）" in text
    assert "（湛河区人民政府办公室）投诉、举报" in text
    assert "每年3月31日前" in guide_text(client, government)


def test_unknown_or_inactive_agency_is_404(client: Client, agency: Agency) -> None:
    assert client.get(reverse("portal:guide", args=["no-such"])).status_code == 404
    Agency.objects.filter(pk=agency.pk).update(is_active=False)
    assert client.get(reverse("portal:guide", args=[agency.code])).status_code == 404
