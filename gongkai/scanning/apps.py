from django.apps import AppConfig


class ScanningConfig(AppConfig):
    name = "gongkai.scanning"
    verbose_name = "保密审查扫描"
