from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "quartiere.api"
    label = "api"
    verbose_name = "API"
