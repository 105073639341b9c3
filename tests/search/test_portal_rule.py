"""Search shows what the portal shows: an item only on the 公众号 (no 门户网站 delivery) has no portal page, so it is
not a search result either."""

from __future__ import annotations

from typing import Any

from gongkai.publications import services as catalogue
from gongkai.publications.codebook import Category, Channel
from gongkai.search.selectors import search
from gongkai.search.services import index_enqueue
from tests.search.conftest import publish, refresh


def test_wechat_only_posts_are_not_results(agency: Any) -> None:
    on_portal = publish(agency, "人民调解员补贴发放标准", body="人民调解员补贴按季度发放")
    data: dict[str, Any] = {
        "title": "人民调解小课堂第3期",
        "body": "人民调解员如何调解邻里纠纷",
        "category": Category.OTHER,
    }
    data["formed_on"] = on_portal.formed_on
    post = catalogue.publication_create(agency=agency, actor=None, data=data)  # type: ignore[arg-type]
    post = catalogue.publication_publish(
        publication=post, actor=None, on=on_portal.formed_on, channels=(Channel.WECHAT,)
    )
    index_enqueue([post.pk], "test: 公众号 only")
    refresh()
    found = [hit.publication_id for hit in search("人民调解")]
    assert found == [on_portal.pk]
