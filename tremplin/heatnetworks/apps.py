from django.apps import AppConfig


class HeatNetworksConfig(AppConfig):
    name = "tremplin.heatnetworks"
    label = "heatnetworks"

    def ready(self):
        from tremplin.heatnetworks import journal  # noqa: F401  (the journal's sentences of this app)
