from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "gongkai.rectification"
    verbose_name = "督促整改与投诉举报"
