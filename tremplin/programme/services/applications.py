"""An EPCI's application: draft, submission (closed after the deadline), council deliberation."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tremplin.audit.log import log_action
from tremplin.programme.documents import validate_pdf
from tremplin.programme.exceptions import (
    CallNotOpen,
    DeadlinePassed,
    DuplicateApplication,
    IncompleteApplication,
    InvalidTransition,
    NotAllowed,
    RefusedDocument,
)
from tremplin.programme.models import (
    Application,
    ApplicationStatus,
    Call,
    DeliberationStatus,
    StrategyType,
    normalise_strategies,
)
from tremplin.programme.services.eligibility import record_eligibility
from tremplin.programme.services.notifications import send_acknowledgement_after_commit
from tremplin.programme.services.potential import compute_potential

# Fields of the fiche de candidature an applicant fills (the documents are handled apart).
FICHE_FIELDS = (
    "epci",
    "official_name",
    "official_role",
    "official_email",
    "officer_name",
    "officer_role",
    "officer_email",
    "strategies",
    "plpdma_status",
    "pnsi_participation",
    "ambitions",
    "expectations",
    "deliberation_status",
    "deliberation_expected_on",
)


def deadline_message(call: Call) -> str:
    deadline = formats.date_format(timezone.localtime(call.deadline), "DATETIME_FORMAT")
    return _(
        "The deadline for this call (%(deadline)s) has passed: applications can no longer be submitted."
    ) % {"deadline": deadline}


def _check_call_accepts(call: Call, now) -> None:
    if now > call.deadline:
        raise DeadlinePassed(deadline_message(call))
    if now < call.opens_at:
        raise CallNotOpen()


def _require_applicant(application: Application, user) -> None:
    if application.applicant_id != getattr(user, "pk", None):
        raise NotAllowed()


def _check_documents(documents: dict) -> None:
    """The operation checks each uploaded PDF itself (a form is only one way in): a hostile or broken
    file is refused, naming its field, before anything is written."""
    refused = {}
    for name, uploaded in documents.items():
        if uploaded:
            try:
                validate_pdf(uploaded)
            except ValidationError as error:
                refused[name] = " ".join(error.messages)
    if refused:
        labels = {name: str(Application._meta.get_field(name).verbose_name) for name in refused}
        labels = {name: label[:1].upper() + label[1:] for name, label in labels.items()}
        raise RefusedDocument(refused, labels)


def _apply_fields(application: Application, fields: dict, documents: dict) -> list[str]:
    _check_documents(documents)
    changed = []
    for name in FICHE_FIELDS:
        current = application.epci_id if name == "epci" else getattr(application, name)
        wanted = fields.get(name)
        if name == "epci" and wanted is not None:
            wanted = wanted.pk
        if name == "strategies":
            wanted = normalise_strategies(wanted)
        if name in fields and current != wanted:
            setattr(application, name, wanted if name == "strategies" else fields[name])
            changed.append(name)
    for name, uploaded in documents.items():
        if uploaded:
            getattr(application, name).save(uploaded.name, uploaded, save=False)
            setattr(application, f"{name}_filename", uploaded.name[:200])
            changed.append(name)
    return changed


def _require_confirmed_account(user) -> None:
    """Only a person whose address is confirmed (an active account) applies."""
    if user is None or not user.is_authenticated or not user.is_active or user.awaits_confirmation:
        raise NotAllowed(_("Confirm your e-mail address (follow the link we sent you) before applying."))


@transaction.atomic
def create_draft(call: Call, *, by, fields: dict, documents: dict | None = None, now=None) -> Application:
    """Start an application (as a draft) for the EPCI in ``fields``; the call must be open and the
    applicant's address confirmed."""
    _require_confirmed_account(by)
    now = now or timezone.now()
    _check_call_accepts(call, now)
    epci = fields.get("epci")
    if epci is None:
        raise IncompleteApplication({"epci": _("Choose the applicant EPCI.")})
    if Application.objects.filter(call=call, epci=epci).exists():
        raise DuplicateApplication()
    application = Application(call=call, applicant=by, status=ApplicationStatus.DRAFT)
    _apply_fields(application, fields, documents or {})
    application.save()
    log_action(by, "application.created", application, call=call, at=now, epci=epci.siren)
    return application


@transaction.atomic
def update_draft(application: Application, *, by, fields: dict, documents: dict | None = None, now=None):
    """Save the applicant's changes to its draft (allowed until it is submitted)."""
    _require_applicant(application, by)
    if not application.is_draft:
        raise InvalidTransition(_("A submitted application can no longer be changed."))
    epci = fields.get("epci")
    if (
        epci is not None
        and epci.pk != application.epci_id
        and Application.objects.filter(call=application.call, epci=epci).exists()
    ):
        raise DuplicateApplication()
    changed = _apply_fields(application, fields, documents or {})
    application.save()
    if changed:
        log_action(by, "application.draft.saved", application, call=application.call, at=now, fields=changed)
    return application


def missing_fields(application: Application) -> dict[str, str]:
    """What submission still needs, field by field (empty when the fiche is complete)."""
    required = _("This field is required to submit.")
    missing = {}
    for name in (
        "official_name",
        "official_role",
        "official_email",
        "officer_name",
        "officer_role",
        "officer_email",
        "strategies",
        "plpdma_status",
        "ambitions",
        "expectations",
    ):
        if not getattr(application, name):
            missing[name] = required
    if any(item["type"] == StrategyType.OTHER and not item["name"] for item in application.strategies):
        missing["strategies"] = _("Give the name of the “other” strategy.")
    if application.pnsi_participation is None:
        missing["pnsi_participation"] = required
    if not application.letter:
        missing["letter"] = _("Attach the signed letter (PDF).")
    if not application.deliberation_status:
        missing["deliberation_status"] = _("Say whether the council deliberation is attached or expected.")
    elif application.deliberation_status == DeliberationStatus.ATTACHED and not application.deliberation:
        missing["deliberation"] = _("Attach the council deliberation (PDF), or say it is expected.")
    elif (
        application.deliberation_status == DeliberationStatus.EXPECTED
        and not application.deliberation_expected_on
    ):
        missing["deliberation_expected_on"] = _("Give the date the deliberation is expected.")
    return missing


@transaction.atomic
def submit_application(application: Application, *, by, now=None, link_for=None, notify=True) -> Application:
    """Transition draft → submitted, before the deadline; then eligibility and synergy potential. The
    applicant and the declared official and officer receive the acknowledgement after commit (``notify``
    off for demonstration data)."""
    now = now or timezone.now()
    application = (
        Application.objects.select_for_update().select_related("call", "epci").get(pk=application.pk)
    )
    _require_applicant(application, by)
    if not application.is_draft:
        raise InvalidTransition(_("This application has already been submitted."))
    _check_call_accepts(application.call, now)
    missing = missing_fields(application)
    if missing:
        raise IncompleteApplication(missing)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    log_action(by, "application.submitted", application, call=application.call, at=now)
    record_eligibility(application, by=None, now=now)
    # The figure is dated by the wall clock: it reflects the establishments recorded when it ran.
    compute_potential(application, by=None)
    if notify:
        send_acknowledgement_after_commit(application, link_for=link_for)
    return application


@transaction.atomic
def record_deliberation(application: Application, *, by, document=None, expected_on=None, now=None):
    """The council deliberation may come after the deadline: attach it, or update its expected date."""
    _require_applicant(application, by)
    if application.is_draft:
        raise InvalidTransition(_("Attach the deliberation in the application form while it is a draft."))
    if document is None and expected_on is None:
        raise IncompleteApplication({"deliberation": _("Attach the deliberation or give its expected date.")})
    now = now or timezone.now()
    if document is not None:
        _check_documents({"deliberation": document})
        application.deliberation.save(document.name, document, save=False)
        application.deliberation_filename = document.name[:200]
        application.deliberation_status = DeliberationStatus.ATTACHED
        action = "application.deliberation.attached"
    else:
        application.deliberation_expected_on = expected_on
        application.deliberation_status = DeliberationStatus.EXPECTED
        action = "application.deliberation.expected"
    application.save()
    log_action(
        by,
        action,
        application,
        call=application.call,
        at=now,
        expected_on=expected_on.isoformat() if expected_on else None,
    )
    return application
