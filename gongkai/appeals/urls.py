from django.urls import path

from gongkai.appeals import views

app_name = "appeals"

urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("new/", views.appeal_create, name="create"),
    path("mapping/", views.mapping, name="mapping"),
    path("<int:appeal_id>/", views.appeal_detail, name="detail"),
    path("<int:appeal_id>/edit/", views.appeal_edit, name="edit"),
    path("<int:appeal_id>/draft/", views.appeal_draft, name="draft"),
    path("<int:appeal_id>/documents/<int:document_id>.<str:fmt>", views.document_download, name="document"),
    path("<int:appeal_id>/<str:op>/", views.appeal_action, name="action"),
]
