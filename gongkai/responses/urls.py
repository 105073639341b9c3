from django.urls import path

from gongkai.responses import views

app_name = "responses"

urlpatterns = [
    path("", views.concern_list, name="list"),
    path("new/", views.concern_create, name="create"),
    path("<int:concern_id>/", views.concern_detail, name="detail"),
    path("<int:concern_id>/respond/", views.concern_respond, name="respond"),
    path("<int:concern_id>/link/", views.concern_link, name="link"),
    path("<int:concern_id>/close/", views.concern_close, name="close"),
]
