"""The journal's sentences of the potentials loaded by the programme team."""

from django.utils.translation import gettext_lazy as _

from tremplin.audit.display import register

register(
    "potential.release.loaded",
    _("Loaded the synergy potential of %(epcis)s EPCIs from “%(file)s”"),
)
