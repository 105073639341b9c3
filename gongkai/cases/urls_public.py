from django.urls import path

from gongkai.cases import views_public

app_name = "apply"

urlpatterns = [
    path("track/", views_public.track, name="track"),
]
