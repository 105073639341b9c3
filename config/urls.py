from django.urls import include, path

urlpatterns = [
    path("", include("gongkai.portal.urls")),
    path("apply/", include("gongkai.cases.urls_public")),
    path("complaints/", include("gongkai.rectification.urls_public")),
    path("api/", include("gongkai.api.urls")),
    path("staff/cases/", include("gongkai.cases.urls_staff")),
    path("staff/reports/", include("gongkai.reports.urls_staff")),
    path("staff/publications/", include("gongkai.publications.urls_staff")),
    path("staff/responses/", include("gongkai.responses.urls")),
    path("staff/appeals/", include("gongkai.appeals.urls")),
    path("staff/oversight/", include("gongkai.oversight.urls")),
    path("staff/rectification/", include("gongkai.rectification.urls")),
    path("agencies/<slug:code>/reports/", include("gongkai.reports.urls_public")),
    path("account/privacy/", include("gongkai.privacy.urls")),
    path("account/", include("gongkai.accounts.urls_public")),
    path("tools/", include("gongkai.clock.urls_public")),
    path("subscribe/", include("gongkai.subscriptions.urls")),
    path("captcha/", include("captcha.urls")),  # the CAPTCHA images, drawn locally (gongkai/ratelimit)
    path("staff/platform/calendar/", include("gongkai.clock.urls")),
    path("staff/", include("gongkai.staff.urls")),
]
