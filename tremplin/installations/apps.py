from django.apps import AppConfig


class InstallationsConfig(AppConfig):
    name = "tremplin.installations"
    label = "installations"

    def ready(self):
        from tremplin.installations import journal  # noqa: F401  (the journal's sentences of this app)
