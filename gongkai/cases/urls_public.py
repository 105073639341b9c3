from django.urls import path

from gongkai.cases import views_public

app_name = "apply"

# The fixed words come first: /apply/<agency code>/ would otherwise swallow them.
urlpatterns = [
    path("track/", views_public.track, name="track"),
    path("track/<slug:code>/", views_public.case_page, name="case"),
    path("track/<slug:code>/withdraw/", views_public.withdraw, name="withdraw"),
    path(
        "track/<slug:code>/documents/<int:doc_id>/<str:fmt>/",
        views_public.document_download,
        name="document",
    ),
    path("track/<slug:code>/files/<int:att_id>/", views_public.file_download, name="file"),
    path("mine/", views_public.mine, name="mine"),
    path("submitted/", views_public.submitted, name="submitted"),
    path("<slug:code>/", views_public.application_form, name="form"),
]
