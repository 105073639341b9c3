from django.urls import path

from gongkai.reports import views_public as views

app_name = "annual"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:year>/", views.report_detail, name="detail"),
    path("<int:year>/download/<slug:fmt>/", views.report_download, name="download"),
    path("<int:year>/v<int:version>/", views.report_detail, name="version"),
    path("<int:year>/v<int:version>/download/<slug:fmt>/", views.report_download, name="version_download"),
]
