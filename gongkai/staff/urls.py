from django.urls import path

from gongkai.staff import views

app_name = "staff"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("agencies/<int:agency_id>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:agency_id>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:agency_id>/members/", views.agency_members, name="agency_members"),
    path(
        "agencies/<int:agency_id>/members/<int:membership_id>/revoke/",
        views.membership_revoke_view,
        name="membership_revoke",
    ),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:event_id>/", views.audit_detail, name="audit_detail"),
]
