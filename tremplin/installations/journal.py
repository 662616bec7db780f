"""How the journal reads the actions of this app (see tremplin.audit.display)."""

from django.utils.translation import gettext_lazy as _

from tremplin.audit.display import register

register(
    "installations.imported",
    _("Imported installations classées (Géorisques): %(filename)s"),
    "filename",
    "file_date",
    "installations",
    "rubriques",
    "matched",
    "proposed",
)
register("installations.match.confirmed", _("Confirmed that the installation %(target)s is an establishment"))
register(
    "installations.match.rejected", _("Refused the establishment proposed for the installation %(target)s")
)
