from django.urls import path

from gongkai.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="notice_create"),
    path("<int:notice_id>/", views.notice_detail, name="notice"),
    path("<int:notice_id>/edit/", views.notice_edit, name="notice_edit"),
    path("<int:notice_id>/items/", views.notice_items, name="notice_items"),
    path("<int:notice_id>/items/<int:item_id>/file/", views.notice_attachment, name="notice_attachment"),
    path("<int:notice_id>/<slug:action>/", views.notice_act, name="notice_act"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:complaint_id>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:complaint_id>/reveal/", views.complaint_reveal, name="complaint_reveal"),
    path("complaints/<int:complaint_id>/<slug:action>/", views.complaint_act, name="complaint_act"),
]
