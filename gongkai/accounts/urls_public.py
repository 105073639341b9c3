from django.urls import path

from gongkai.accounts import views_public as views

app_name = "account"

urlpatterns = [
    path("login/", views.PublicLoginView.as_view(), name="login"),
    path("logout/", views.PublicLogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("", views.profile, name="profile"),
    path("edit/", views.profile_edit, name="profile_edit"),
    path("reveal/<slug:field>/", views.reveal, name="reveal"),
    path("password/", views.password_change_view, name="password_change"),
]
