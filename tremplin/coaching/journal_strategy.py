"""How the journal reads the strategy's actions: objectives' values and the action plan (see
tremplin.audit.display)."""

from django.utils.translation import gettext_lazy as _

from tremplin.audit.display import register

register("coaching.objective.updated", _("Changed the objective %(target)s"), "changes")
register(
    "coaching.objective_value.recorded",
    _("Recorded a value of the objective %(target)s"),
    "date",
    "value",
    "basis",
)
register(
    "coaching.objective_value.removed",
    _("Deleted a value of the objective %(target)s"),
    "date",
    "value",
    "basis",
)
register("coaching.plan_action.created", _("Added the action %(target)s to the action plan"), "status")
register("coaching.plan_action.updated", _("Changed the action %(target)s of the action plan"), "changes")
register("coaching.plan_action.deleted", _("Deleted an action of the action plan"), "status")
register("coaching.plan_action.start", _("Started the action %(target)s of the action plan"))
register("coaching.plan_action.complete", _("Marked the action %(target)s of the action plan as done"))
register("coaching.plan_action.abandon", _("Abandoned the action %(target)s of the action plan"))
register("coaching.plan_action.reopen", _("Reopened the action %(target)s of the action plan"))
