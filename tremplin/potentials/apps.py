from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PotentialsConfig(AppConfig):
    name = "tremplin.potentials"
    label = "potentials"
    verbose_name = _("Potentials of EPCIs")
