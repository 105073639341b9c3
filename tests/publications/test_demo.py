"""The demo catalogue gives the seed report's figures for 湛河区司法局 2024 and real 表二 lifecycles elsewhere."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.demo.load import demo_load
from gongkai.demo.publications import SEED_PORTAL_ITEMS, SEED_WECHAT_POSTS, publications_load
from gongkai.publications import selectors
from gongkai.publications.codebook import DocKind, Validity
from gongkai.publications.models import ChannelDelivery, Publication

pytestmark = pytest.mark.django_db

ZERO = {"规章": (0, 0, 0), "行政规范性文件": (0, 0, 0)}


def counts(agency: Agency, year: int) -> dict[str, tuple[int, int, int]]:
    table = selectors.table2_documents([agency.pk], year)
    return {kind: tuple(cols[c][0] for c in selectors.TABLE2_COLUMNS) for kind, cols in table.items()}  # type: ignore[misc]


def test_demo_catalogue_matches_the_seed_and_loads_once() -> None:
    summary = demo_load(cases=False)
    assert summary.publications.created > 0
    assert summary.changed
    sfj = Agency.objects.get(code="zhanhe-sfj")
    assert selectors.channel_counts([sfj.pk], 2024) == {
        "门户网站": SEED_PORTAL_ITEMS,
        "政务新媒体/公众号": SEED_WECHAT_POSTS,
    }
    assert (SEED_PORTAL_ITEMS, SEED_WECHAT_POSTS) == (19, 467)
    assert counts(sfj, 2024) == ZERO
    assert not Publication.objects.filter(agency=sfj, doc_kind__in=[DocKind.RULE, DocKind.NORMATIVE]).exists()

    gov = Agency.objects.get(code="zhanhe-gov")
    czj = Agency.objects.get(code="zhanhe-czj")
    normative = {
        gov.code: {2024: (3, 0, 3), 2025: (2, 1, 4), 2026: (1, 1, 4)},
        czj.code: {2024: (2, 0, 2), 2025: (0, 0, 2), 2026: (1, 1, 2)},
    }
    for agency in (gov, czj):
        previous = counts(agency, 2023)["行政规范性文件"][2]
        for year in (2024, 2025, 2026):
            issued, abolished, current = counts(agency, year)["行政规范性文件"]
            assert (issued, abolished, current) == normative[agency.code][year]
            assert current == previous + issued - abolished
            previous = current
    # the lifecycle links: amended and replaced documents point to their successors; 解读 to their documents
    amended = Publication.objects.get(agency=gov, doc_number="湛政〔2024〕11号")
    assert amended.validity == Validity.AMENDED
    assert amended.replaced_by is not None
    assert amended.replaced_by.doc_number == "湛政〔2025〕21号"
    abolished = Publication.objects.get(agency=gov, doc_number="湛政〔2024〕5号")
    assert (abolished.validity, abolished.abolished_on) == (Validity.ABOLISHED, dt.date(2025, 6, 1))
    assert abolished.replaced_by is not None
    assert abolished.replaced_by.doc_number == "湛政〔2025〕12号"
    assert abolished.replaced_by.interpretations.count() == 1
    assert Publication.objects.filter(interprets__isnull=False).count() >= 4

    # 索引号: gap-free per agency and year, after the default pattern
    for agency in (sfj, gov, czj):
        for year in (2024, 2025, 2026):
            seqs = list(
                Publication.objects.filter(agency=agency, year=year).order_by("seq").values_list("seq", flat=True)
            )
            assert seqs == list(range(1, len(seqs) + 1))
    post = Publication.objects.filter(agency=sfj, year=2024).order_by("-seq").first()
    assert post is not None
    assert post.index_number == f"{sfj.identifier}/2024-{post.seq:05d}"
    assert Publication.objects.filter(agency=sfj, year=2024).count() == SEED_PORTAL_ITEMS + SEED_WECHAT_POSTS - 6

    rows = (Publication.objects.count(), ChannelDelivery.objects.count())
    again = demo_load(cases=False)
    assert again.publications.skipped
    assert not again.changed
    assert publications_load().skipped
    assert (Publication.objects.count(), ChannelDelivery.objects.count()) == rows


def test_demo_has_items_in_every_workflow_state() -> None:
    from gongkai.publications.codebook import FindingStatus, Status
    from gongkai.publications.models import ScanFinding

    summary = demo_load(cases=False)
    assert summary.publications.in_workflow == 6
    sfj = Agency.objects.get(code="zhanhe-sfj")
    statuses = list(Publication.objects.filter(agency=sfj).values_list("status", flat=True))
    assert {Status.DRAFT, Status.SECRECY_REVIEW, Status.APPROVAL} <= set(statuses)
    reviewing = Publication.objects.get(agency=sfj, status=Status.SECRECY_REVIEW)
    assert selectors.has_open_high(reviewing)
    approving = Publication.objects.filter(agency=sfj, status=Status.APPROVAL, scheduled_for__isnull=True).get()
    assert not selectors.has_open_high(approving)
    assert "■" in approving.body
    assert ScanFinding.objects.filter(publication=approving, status=FindingStatus.DISMISSED).exists()
    assert Publication.objects.filter(agency=sfj, status=Status.APPROVAL, scheduled_for__isnull=False).count() == 1
    result = selectors.timeliness([sfj.pk], timezone.localdate())
    assert result.overdue
    assert result.due_soon


def test_demo_loaded_earlier_leaves_out_what_is_after_that_day() -> None:
    with time_machine.travel("2025-03-01 09:00 +0800", tick=False):
        demo_load(cases=False)
    sfj = Agency.objects.get(code="zhanhe-sfj")
    gov = Agency.objects.get(code="zhanhe-gov")
    assert selectors.channel_counts([sfj.pk], 2024) == {
        "门户网站": SEED_PORTAL_ITEMS,
        "政务新媒体/公众号": SEED_WECHAT_POSTS,
    }
    assert not Publication.objects.filter(published_on__gt=dt.date(2025, 3, 1)).exists()
    assert not ChannelDelivery.objects.filter(delivered_at__gt=timezone.now()).exists()
    assert counts(gov, 2024)["行政规范性文件"] == (3, 0, 3)
    assert counts(gov, 2025)["行政规范性文件"] == (0, 0, 3)  # nothing issued, amended or abolished yet
