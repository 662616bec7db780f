from django.apps import AppConfig


class EstablishmentsConfig(AppConfig):
    name = "tremplin.establishments"
    label = "establishments"
