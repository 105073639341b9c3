from django.urls import path

from gongkai.cases import views_staff as views

app_name = "cases"

_DOC = "<int:case_id>/documents/<int:document_id>/"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("bulk/", views.bulk, name="bulk"),
    path("register/", views.register, name="register"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/actions/<slug:action>/", views.action, name="action"),
    path("<int:case_id>/fee-quote/", views.fee_quote, name="fee_quote"),
    path("<int:case_id>/reveal/", views.reveal, name="reveal"),
    path("<int:case_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path(_DOC, views.document, name="document"),
    path(_DOC + "issue/", views.document_issue, name="document_issue"),
    path(_DOC + "deliver/", views.document_deliver, name="document_deliver"),
    path(_DOC + "docx/", views.document_docx, name="document_docx"),
    path(_DOC + "pdf/", views.document_pdf, name="document_pdf"),
]
