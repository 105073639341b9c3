from django.urls import include, path

urlpatterns = [
    path("", include("gongkai.portal.urls")),
    path("account/", include("gongkai.accounts.urls_public")),
    path("staff/", include("gongkai.staff.urls")),
]
