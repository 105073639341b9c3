from django.urls import path

from gongkai.publications import views_staff as views

app_name = "publications"

_ITEM = "<int:publication_id>/"

urlpatterns = [
    path("", views.publication_list, name="list"),
    path("new/", views.create, name="create"),
    path(_ITEM, views.detail, name="detail"),
    path(_ITEM + "edit/", views.edit, name="edit"),
    path(_ITEM + "actions/<slug:action>/", views.action, name="action"),
    path(_ITEM + "pdf/", views.pdf, name="pdf"),
    path(_ITEM + "findings/<int:finding_id>/redact/", views.finding_redact, name="finding_redact"),
    path(_ITEM + "findings/<int:finding_id>/dismiss/", views.finding_dismiss, name="finding_dismiss"),
    path(_ITEM + "attachments/", views.attachment_add, name="attachment_add"),
    path(_ITEM + "attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path(_ITEM + "attachments/<int:attachment_id>/remove/", views.attachment_remove, name="attachment_remove"),
]
