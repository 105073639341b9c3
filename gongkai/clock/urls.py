"""Calendar administration, under /staff/platform/calendar/ (platform system administrator only)."""

from django.urls import path

from gongkai.clock import views

app_name = "calendar_admin"

urlpatterns = [
    path("", views.calendar_index, name="index"),
    path("load/", views.calendar_load, name="load"),
    path("<int:year>/", views.calendar_year, name="year"),
    path("<int:year>/day/", views.calendar_day, name="day"),
    path("versions/<int:version_id>/", views.calendar_version, name="version"),
]
