from django.urls import path

from gongkai.oversight import views

app_name = "oversight"

_SCORING = "scoring/<int:agency_id>/<int:year>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("agencies/<int:agency_id>/", views.agency, name="agency"),
    path(_SCORING, views.scoring, name="scoring"),
    path(_SCORING + "edit/", views.scoring_edit, name="scoring_edit"),
    path(_SCORING + "publish/", views.scoring_publish, name="scoring_publish"),
]
