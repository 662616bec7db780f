"""How the journal reads the actions of this app (see tremplin.audit.display)."""

from django.utils.translation import gettext_lazy as _

from tremplin.audit.display import register

register(
    "register.irep.prepared",
    _("Read an IREP register file, to be confirmed: %(filename)s"),
    "year",
    "filename",
    "matched",
    "proposed",
)
register(
    "register.irep.applied",
    _("Applied an IREP register import"),
    "year",
    "establishments",
    "confirmed",
    "rejected",
    "flows_created",
    "flows_replaced",
)
register("register.irep.cancelled", _("Cancelled an IREP register import"), "year")
register(
    "flow.register.imported",
    _("Recorded the register's flows of %(target)s"),
    "source",
    "matched_by",
    "flows_created",
    "flows_replaced",
)
