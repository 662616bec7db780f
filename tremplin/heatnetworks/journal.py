"""How the journal reads the actions of this app (see tremplin.audit.display)."""

from django.utils.translation import gettext_lazy as _

from tremplin.audit.display import register

register(
    "heatnetwork.imported",
    _("Imported heat networks (France Chaleur Urbaine): %(filename)s"),
    "filename",
    "created",
    "updated",
    "outside",
)
