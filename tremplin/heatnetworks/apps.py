from django.apps import AppConfig


class HeatNetworksConfig(AppConfig):
    name = "tremplin.heatnetworks"
    label = "heatnetworks"
