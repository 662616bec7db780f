"""Named business situations for tests: territories, people in their roles, establishments."""

import itertools

from tremplin.accounts.models import Membership, Role, TerritoryFunction, User
from tremplin.establishments.models import DataOrigin, Establishment
from tremplin.establishments.siret import luhn_check_digit
from tremplin.geo.models import Epci
from tremplin.territories.models import Territory

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def territory(siren: str) -> Territory:
    territory, _created = Territory.objects.get_or_create(epci=Epci.objects.get(siren=siren))
    return territory


def user(email: str | None = None, **fields) -> User:
    email = email or f"person{next(_sequence)}@example.org"
    return User.objects.create_user(email=email, password=PASSWORD, **fields)


def programme_team_member(**fields) -> User:
    person = user(**fields)
    Membership.objects.create(user=person, role=Role.PROGRAMME_TEAM, organisation="Région Normandie")
    return person


def committee_member(**fields) -> User:
    person = user(**fields)
    Membership.objects.create(user=person, role=Role.COMMITTEE_MEMBER, organisation="DREAL Normandie")
    return person


def territory_officer(of: Territory, **fields) -> User:
    person = user(**fields)
    Membership.objects.create(
        user=person, role=Role.TERRITORY_TEAM, territory=of, function=TerritoryFunction.OFFICER
    )
    return person


def company_contact(of: Establishment, **fields) -> User:
    person = user(**fields)
    Membership.objects.create(user=person, role=Role.COMPANY_CONTACT, establishment=of)
    return person


def siret(prefix: int | None = None) -> str:
    body = f"{prefix if prefix is not None else 40000000 + next(_sequence):08d}"
    siren = body + luhn_check_digit(body)
    nic = "0001"
    return siren + nic + luhn_check_digit(siren + nic)


def establishment(of: Territory, **fields) -> Establishment:
    commune = of.epci.communes.order_by("insee_code").first()
    values = {
        "siret": siret(),
        "name": f"Établissement {next(_sequence)}",
        "naf_code": "10.71C",
        "headcount_band": "11",
        "commune": commune,
        "latitude": commune.centroid_lat,
        "longitude": commune.centroid_lon,
        "origin": DataOrigin.IMPORT,
    }
    values.update(fields)
    return Establishment.objects.create(territory=of, **values)


# Synergies (tests/synergies, tests/indicators). Imports stay local: this block is appended to a shared file.


def brewery_and_farm(
    of: Territory, *, distance_km: float = 5.0, **fields
) -> tuple[Establishment, Establishment]:
    """A brewery (11.05Z, 20–49 employees) and a dairy-cattle farm (01.41Z) ``distance_km`` apart due
    north: the engine finds a spent-grain substitution between them."""
    commune = of.epci.communes.order_by("insee_code").first()
    lat, lon = commune.centroid_lat, commune.centroid_lon
    brewery = establishment(
        of,
        name="Brasserie des Falaises",
        naf_code="11.05Z",
        headcount_band="12",
        latitude=lat,
        longitude=lon,
        **fields,
    )
    farm = establishment(
        of,
        name="Ferme laitière du Plateau",
        naf_code="01.41Z",
        headcount_band="01",
        latitude=lat + distance_km / 111.2,
        longitude=lon,
        **fields,
    )
    return brewery, farm


def synergy(of: Territory, *, participants=None, status: str = "detected", by=None, consent=None, **fields):
    """A synergy of ``of`` between ``participants`` (two new establishments when omitted), with its history
    from "detected" to ``status``; figures and other fields as keywords. Past "under study" every
    participant has accepted to be introduced (the pipeline requires it); before, nobody answered yet
    (``consent`` sets every participant's answer)."""
    from django.utils import timezone

    from tremplin.synergies.models import StatusChange, Synergy, SynergyParticipant

    participants = participants or (establishment(of), establishment(of))
    values = {
        "kind": "substitution",
        "resource": "bio_spent_grain",
        "resource_label": "Drêches de brasserie et de distillerie",
        "basis": "estimated",
        "confidence": "estimated",
        "unit": "t",
        "quantity": 100.0,
        "signature": f"test:{next(_sequence)}",
        "status": status,
        "status_changed_at": timezone.now(),
    }
    values.update(fields)
    created = Synergy.objects.create(territory=of, **values)
    roles = ["source", "target"] if created.kind == "substitution" else ["member"] * len(participants)
    if consent is None:
        consent = "accepted" if status in ("being_implemented", "operational", "monitored") else "pending"
    for place, role in zip(participants, roles, strict=False):
        SynergyParticipant.objects.create(synergy=created, establishment=place, role=role, consent=consent)
    StatusChange.objects.create(
        synergy=created, from_status="", to_status="detected", by=by, at=timezone.now()
    )
    if status != "detected":
        StatusChange.objects.create(
            synergy=created, from_status="detected", to_status=status, by=by, at=timezone.now()
        )
    return created


def operational_synergy(of: Territory, **fields):
    return synergy(of, status="operational", **fields)


def measurement(of_synergy, *, year: int = 2025, by=None, **figures):
    from tremplin.synergies.models import Measurement

    return Measurement.objects.create(synergy=of_synergy, year=year, entered_by=by, **figures)


# Coaching (start-up and operational phases of a programme edition)


def coaching_call(**fields):
    """A programme edition's call, like the Normandy 2019 reference call."""
    import datetime

    from tremplin.geo.models import Region
    from tremplin.programme.models import Call

    values = {
        "title": "Tremplin EIT Normandie 2019",
        "region": Region.objects.get(code="28"),
        "opens_at": datetime.datetime(2019, 1, 15, 9, 0, tzinfo=datetime.UTC),
        "deadline": datetime.datetime(2019, 3, 11, 23, 0, tzinfo=datetime.UTC),
        "places": 8,
    }
    values.update(fields)
    return Call.objects.create(**values)


def coaching_participation(call, of: Territory):
    """A territory selected by the call (created directly, then opened as the selection does: its
    deliverables and its two support days)."""
    import datetime

    from tremplin.coaching.services.participation import open_coaching
    from tremplin.programme.models import Participation

    participation = Participation.objects.create(
        call=call, territory=of, selected_at=datetime.datetime(2019, 3, 28, 10, 0, tzinfo=datetime.UTC)
    )
    open_coaching(participation)
    return participation


def territory_elected_official(of: Territory, **fields) -> User:
    person = user(**fields)
    Membership.objects.create(
        user=person, role=Role.TERRITORY_TEAM, territory=of, function=TerritoryFunction.ELECTED_OFFICIAL
    )
    return person


def establishment_contact(of: Establishment, **fields):
    from tremplin.establishments.models import EstablishmentContact

    values = {
        "name": f"Contact {next(_sequence)}",
        "job_title": "Responsable HSE",
        "email": "hse@example.org",
    }
    values.update(fields)
    return EstablishmentContact.objects.create(establishment=of, **values)


def flow(of: Establishment, **fields):
    """A flow declared by the company (an output of 12 t of wood offcuts a year unless told otherwise)."""
    from tremplin.flows.services import declare_flow

    values = {"direction": "out", "resource": "wood_clean", "quantity": 12, "unit": "t", "frequency": "year"}
    values.update(fields)
    by = values.pop("by", None)
    return declare_flow(of, by=by, **values)


def invitation(of: Establishment, email: str = "contact@entreprise.example", **fields):
    """An invitation to the questionnaire; returns ``(invitation, token)`` since only the hash is stored."""
    from tremplin.questionnaire.models import Invitation, new_token, token_digest

    token = new_token()
    created = Invitation.objects.create(
        establishment=of, email=email, token_hash=token_digest(token), **fields
    )
    return created, token


# --- Programme: calls, committee, applications ------------------------------------------------------


def pdf_upload(name: str = "courrier-signe.pdf", padding: int = 0):
    """An uploaded, valid PDF (``padding`` bytes of comment make it as large as a test needs)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tremplin.programme.services.reference import demo_pdf

    content = demo_pdf("Courrier de test")
    if padding:
        content = content.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + b"x" * padding + b"\n", 1)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def call(*, open_: bool = True, places: int = 8, **fields):
    """A call of the Normandy region, open now (or closed a week ago), with the 2019 criteria:
    motivation and synergy potential, weights 0.5 and 0.5, scores 0 to 5."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from tremplin.geo.models import Region
    from tremplin.programme.models import Call, Criterion

    now = timezone.now()
    values = {
        "title": f"Appel de test {next(_sequence)}",
        "region": Region.objects.get(code="28"),
        "opens_at": now - dt.timedelta(days=60),
        "deadline": now + dt.timedelta(days=30) if open_ else now - dt.timedelta(days=7),
        "places": places,
        "contact_email": "programme@example.org",
    }
    values.update(fields)
    created = Call.objects.create(**values)
    Criterion.objects.create(
        call=created, code="motivation", label="Motivation", weight=Decimal("0.50"), position=1
    )
    Criterion.objects.create(
        call=created, code="potentiel", label="Potentiel de synergies", weight=Decimal("0.50"), position=2
    )
    return created


def seated_committee_member(on, organisation: str = "ADEME Normandie", **fields) -> User:
    from tremplin.programme.models import CommitteeSeat

    person = committee_member(**fields)
    CommitteeSeat.objects.create(call=on, member=person, organisation=organisation)
    return person


def fiche(**overrides) -> dict:
    """A complete, eligible fiche de candidature (without the EPCI)."""
    import datetime as dt

    values = {
        "official_name": "Jeanne Élue",
        "official_role": "Vice-présidente",
        "official_email": "elue@epci.example",
        "officer_name": "Paul Technicien",
        "officer_role": "Chargé de mission EIT",
        "officer_email": "technicien@epci.example",
        "strategies": [{"type": "citergie", "name": ""}],
        "plpdma_status": "adopted",
        "pnsi_participation": False,
        "ambitions": "Faire de l'économie circulaire un levier.",
        "expectations": "Identifier les premières synergies.",
        "deliberation_status": "expected",
        "deliberation_expected_on": dt.date(2019, 4, 15),
    }
    values.update(overrides)
    return values


def draft_application(of_call, siren: str, applicant: User | None = None, *, now=None, **fields):
    """A complete draft, letter attached (created while the call was open)."""
    import datetime as dt

    from tremplin.programme.services.applications import create_draft

    applicant = applicant or user()
    now = now or min(of_call.deadline - dt.timedelta(days=1), of_call.opens_at + dt.timedelta(days=1))
    values = {"epci": Epci.objects.get(siren=siren), **fiche(**fields)}
    return create_draft(of_call, by=applicant, fields=values, documents={"letter": pdf_upload()}, now=now)


def submitted_application(of_call, siren: str, applicant: User | None = None, *, submitted_at=None, **fields):
    """A draft submitted before the deadline (then assessed: eligible or not, with its reasons)."""
    import datetime as dt

    from tremplin.programme.services.applications import submit_application

    submitted_at = submitted_at or of_call.deadline - dt.timedelta(days=1)
    draft = draft_application(of_call, siren, applicant, now=submitted_at, **fields)
    return submit_application(draft, by=draft.applicant, now=submitted_at)


# Reports and maps (tests/reports, tests/maps)


def report_snapshot(of: Territory, *, kind: str = "rso_1", by=None, at=None, title: str = ""):
    """A report of ``of`` frozen now (or as of the date ``at``) through the real operation."""
    from tremplin.reports.snapshots import freeze_report

    return freeze_report(of, kind=kind, by=by, at=at, title=title)
