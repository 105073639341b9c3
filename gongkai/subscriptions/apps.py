from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "gongkai.subscriptions"
    verbose_name = "订阅推送"
