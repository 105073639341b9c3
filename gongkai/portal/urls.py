"""Portal URLs. The 政府信息公开 column of an agency lives under /agencies/<code>/xxgk/ (信息公开, the path segment Chinese
government sites use); 年报 stays at /agencies/<code>/reports/ (namespace ``annual``) and 依申请公开 at /apply/."""

from django.urls import path
from django.views.generic import RedirectView

from gongkai.portal import feeds, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("agencies/<slug:code>/", views.agency_page, name="agency"),
    path("agencies/<slug:code>/xxgk/", RedirectView.as_view(pattern_name="portal:agency"), name="xxgk"),
    path("agencies/<slug:code>/xxgk/guide/", views.guide, name="guide"),
    path("agencies/<slug:code>/xxgk/rules/", views.rules, name="rules"),
    path("agencies/<slug:code>/xxgk/statutory/", views.statutory, name="statutory"),
    path("agencies/<slug:code>/xxgk/statutory/<slug:category>/", views.category_page, name="category"),
    path("agencies/<slug:code>/xxgk/catalogue/", views.catalogue, name="catalogue"),
    # Item pages by pk: 索引号 contain "/" (000014349/2018-00222); the page shows the 索引号.
    path("agencies/<slug:code>/xxgk/<int:pk>/", views.item_page, name="item"),
    path(
        "agencies/<slug:code>/xxgk/<int:pk>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("agencies/<slug:code>/xxgk/feed/rss/", feeds.AgencyRssFeed(), name="feed_rss"),
    path("agencies/<slug:code>/xxgk/feed/atom/", feeds.AgencyAtomFeed(), name="feed_atom"),
    path("agencies/<slug:code>/xxgk/feed/<slug:category>/rss/", feeds.AgencyRssFeed(), name="category_feed_rss"),
    path("agencies/<slug:code>/xxgk/feed/<slug:category>/atom/", feeds.AgencyAtomFeed(), name="category_feed_atom"),
]
