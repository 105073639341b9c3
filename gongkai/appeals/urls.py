from django.urls import path

from gongkai.appeals import views

app_name = "appeals"

urlpatterns = [
    path("", views.placeholder, name="list"),
]
