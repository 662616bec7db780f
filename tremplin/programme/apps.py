from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "tremplin.programme"
    label = "programme"
