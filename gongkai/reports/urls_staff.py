from django.urls import path

from gongkai.reports import views_rollup
from gongkai.reports import views_staff as views

app_name = "reports"

_REPORT = "<int:agency_id>/<int:year>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("check/", views.check, name="check"),
    path(_REPORT, views.detail, name="detail"),
    path(_REPORT + "actions/<slug:op>/", views.action, name="action"),
    path(_REPORT + "download/<slug:fmt>/", views.download, name="download"),
    path(_REPORT + "cell/<slug:table>/<str:row>/<str:col>/", views.cell, name="cell"),
    path("rollup/" + _REPORT, views_rollup.rollup_detail, name="rollup"),
    path("rollup/" + _REPORT + "download/<slug:fmt>/", views_rollup.rollup_download, name="rollup_download"),
    path("rollup/" + _REPORT + "cell/<slug:table>/<str:row>/<str:col>/", views_rollup.rollup_cell, name="rollup_cell"),
]
