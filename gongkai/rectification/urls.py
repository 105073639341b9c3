from django.urls import path

from gongkai.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.placeholder, name="list"),
]
