from django.urls import path

from gongkai.rectification import views_public

app_name = "complaints"

urlpatterns = [
    path("", views_public.complaint_form, name="form"),
    path("submitted/", views_public.submitted, name="submitted"),
    path("track/", views_public.track, name="track"),
]
