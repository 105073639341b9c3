from django.urls import path

from gongkai.oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.placeholder, name="dashboard"),
]
