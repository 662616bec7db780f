"""How the journal reads the actions of the workshops (see tremplin.audit.display)."""

from django.utils.translation import gettext_lazy as _

from tremplin.audit.display import register

register("workshop.created", _("Prepared the workshop %(target)s"), "theme", "date", "place", "expected")
register("workshop.closed", _("Closed the workshop %(target)s: its link no longer works"))
register("workshop.participant.joined", _("A participant joined a workshop: %(target)s"), "new_company")
register(
    "workshop.declaration.added", _("A participant declared at a workshop: %(target)s"), "kind", "resource"
)
register(
    "workshop.declaration.withdrawn", _("A participant withdrew a declaration at a workshop"), "resource"
)
register(
    "workshop.company.checked",
    _("Checked a company typed at the workshop %(target)s: %(typed_name)s is %(establishment_name)s"),
)
register("workshop.match.pin", _("Pinned the workshop match %(target)s"))
register("workshop.match.unpin", _("Unpinned the workshop match %(target)s"))
register("workshop.match.reject", _("Rejected the workshop match %(target)s"))
register("workshop.match.restore", _("Restored the workshop match %(target)s"))
register("workshop.match.noted", _("Noted on the workshop match %(target)s"), "note")
register("workshop.match.merged", _("Merged two workshop matches into %(target)s"), "absorbed_resource")
register(
    "workshop.converted",
    _("Turned the workshop %(target)s into %(synergies)s synergies and %(flows)s flows"),
    "matches_unchecked",
    "matches_in_pipeline",
    "declarations_unchecked",
    "declarations_without_quantity",
)
