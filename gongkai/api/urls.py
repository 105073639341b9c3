from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from gongkai.api import views, views_reports

app_name = "api"

urlpatterns = [
    # OpenAPI 3: YAML by default, JSON with ?format=json. No Swagger UI or Redoc: they load assets from a CDN.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("public/agencies/<str:code>/applications/", views.IntakeView.as_view(), name="public-intake"),
    path("public/track/", views.TrackView.as_view(), name="public-track"),
    path(
        "public/agencies/<str:code>/reports/<int:year>/", views_reports.PublicReportView.as_view(), name="public-report"
    ),
    path("staff/reports/<int:agency_id>/<int:year>/", views_reports.StaffReportView.as_view(), name="staff-report"),
    path(
        "staff/reports/<int:agency_id>/<int:year>/submit/",
        views_reports.StaffReportSubmitView.as_view(),
        name="staff-report-submit",
    ),
    path(
        "staff/reports/<int:agency_id>/<int:year>/publish/",
        views_reports.StaffReportPublishView.as_view(),
        name="staff-report-publish",
    ),
    path("staff/cases/", views.CaseListView.as_view(), name="staff-cases"),
    path("staff/cases/<int:pk>/", views.CaseDetailView.as_view(), name="staff-case"),
    *(
        path(f"staff/cases/<int:pk>/actions/{name}/", view.as_view(), name=f"staff-case-{name.replace('_', '-')}")
        for name, view in views.ACTION_VIEWS.items()
    ),
    path("staff/cases/<int:pk>/actions/<str:action>/", views.UnknownActionView.as_view(), name="staff-case-action"),
]
