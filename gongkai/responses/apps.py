from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "gongkai.responses"
    verbose_name = "舆情回应"
