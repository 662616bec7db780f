from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tremplin.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from tremplin.api import journal  # noqa: F401  (the sentences of this app's audit entries)
