"""Public tools on the portal, under /tools/."""

from django.urls import path

from gongkai.clock import views

app_name = "tools"

urlpatterns = [
    path("deadline/", views.deadline_calculator, name="deadline"),
]
