from django.urls import include, path

urlpatterns = [
    path("", include("gongkai.portal.urls")),
    path("account/", include("gongkai.accounts.urls_public")),
    path("tools/", include("gongkai.clock.urls_public")),
    path("staff/platform/calendar/", include("gongkai.clock.urls")),
    path("staff/", include("gongkai.staff.urls")),
]
