from django.urls import path

from gongkai.staff import views, views_auth

app_name = "staff"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("password/", views_auth.password_change_view, name="password_change"),
    path("2fa/setup/", views_auth.otp_setup, name="otp_setup"),
    path("2fa/setup/qr.svg", views_auth.otp_qr, name="otp_qr"),
    path("2fa/verify/", views_auth.otp_verify, name="otp_verify"),
    path("security/", views_auth.security, name="security"),
    path("security/unlock/", views_auth.security_unlock, name="security_unlock"),
    path("security/otp-reset/", views_auth.security_otp_reset, name="security_otp_reset"),
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
