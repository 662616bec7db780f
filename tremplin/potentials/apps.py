from django.apps import AppConfig


class PotentialsConfig(AppConfig):
    name = "tremplin.potentials"
    label = "potentials"
    verbose_name = "Potentiel de synergies par EPCI"
