from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "tremplin.workshops"
    label = "workshops"

    def ready(self):
        from tremplin.workshops import journal  # noqa: F401  (the journal's sentences of this app)
