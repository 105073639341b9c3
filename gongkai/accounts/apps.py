from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongkai.accounts"
    label = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from gongkai.accounts import signals  # noqa: F401 — connects the audit receivers
