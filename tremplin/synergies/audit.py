"""What the synergy domain's audit codes mean, in plain language, for any page that lists audit entries."""

from django.utils.translation import gettext_lazy as _

__all__ = ["AUDIT_LABELS"]

AUDIT_LABELS = {
    "synergy.detection.started": _("started a detection run"),
    "synergy.detection.failed": _("a detection run failed"),
    "synergy.lead.dismissed": _("dismissed a lead"),
    "synergy.leads.dismissed": _("dismissed several leads"),
    "synergy.created": _("took a lead into the pipeline"),
    "synergy.status.changed": _("moved a synergy in the pipeline"),
    "synergy.consent.recorded": _("recorded a consent to be introduced"),
    "synergy.action.added": _("planned an action on a synergy"),
    "synergy.action.done": _("marked an action done"),
    "synergy.action.reopened": _("reopened an action"),
    "synergy.measurement.recorded": _("recorded measured figures"),
}
