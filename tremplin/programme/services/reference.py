"""The reference edition: the Normandy 2019 call "Tremplin vers l'écologie industrielle et
territoriale" (shared/seed), loaded as demonstration data with a dozen fictional applications from real
Normandy EPCIs. Behind ``tremplin seed-programme``; idempotent.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from tremplin.accounts.models import Role, User
from tremplin.accounts.services import grant_membership
from tremplin.geo.models import Epci, Region
from tremplin.programme.models import Application, Call, CommitteeSeat, Criterion, PlpdmaStatus, StrategyType
from tremplin.programme.services.applications import create_draft, submit_application
from tremplin.programme.services.potential import compute_potential
from tremplin.programme.services.scoring import ScoreInput, record_scores

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
REFERENCE_TITLE = "Tremplin vers l'écologie industrielle et territoriale — Normandie 2019"
NORMANDY = "28"
DEMO_DOMAIN = "demo.tremplin.localhost"
DEMO_COMMITTEE_EMAIL = f"comite@{DEMO_DOMAIN}"  # created by ``tremplin seed-demo`` (DREAL Normandie)

DESCRIPTION = (
    "Opération collective de la Région Normandie et de l'ADEME : huit EPCI à fiscalité propre "
    "seront accompagnés pour élaborer une stratégie et un plan d'actions d'écologie industrielle et "
    "territoriale (phase d'amorçage : réunion de lancement, quatre ateliers, deux journées d'appui "
    "individuel ; phase opérationnelle : trois réunions de suivi opérationnel puis un bilan), et "
    "rejoindront le Club EIT Normand.\n\n"
    "Éligibilité : EPCI à fiscalité propre ayant élaboré une stratégie de transition écologique et "
    "ayant adopté ou élaborant un PLPDMA ; les territoires ayant bénéficié du PNSI ne sont pas "
    "éligibles. Le dossier comprend un courrier signé du président ou de l'élu référent et la fiche "
    "de candidature ; la délibération peut intervenir après la date limite.\n\n"
    "Le comité de sélection (Région Normandie, ADEME, DREAL, DIRECCTE — devenue DREETS en 2021) "
    "retient les candidatures selon l'éligibilité, la motivation et le potentiel de synergies.\n\n"
    "Date d'ouverture : hypothèse (le 15 janvier 2019) ; l'appel ne la donne pas. Date limite : "
    "11 mars 2019 (source : appel à candidature)."
)

# (local part, first name, last name, organisation); the DREAL seat goes to seed-demo's committee user.
COMMITTEE = [
    ("comite.region", "Anne", "Roussel", "Région Normandie"),
    ("comite.ademe", "Luc", "Besnard", "ADEME Normandie"),
    (None, "", "", "DREAL Normandie"),
    ("comite.direccte", "Hélène", "Piednoir", "DIRECCTE Normandie (DREETS depuis 2021)"),
]


@dataclass(frozen=True)
class DemoApplication:
    siren: str
    strategy: str
    strategy_name: str
    plpdma: str
    pnsi: bool
    submitted: dt.datetime
    scores: tuple[tuple[int, int], ...] = ()  # (motivation, synergy potential) per scoring member
    deliberation_expected: bool = True


def _at(day: int, month: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2019, month, day, hour, 0, tzinfo=PARIS)


# Fictional fiches from real EPCIs: demonstration data, not what these EPCIs did in 2019.
DEMO_APPLICATIONS = [
    DemoApplication(
        "200010700",
        StrategyType.CITERGIE,
        "",
        PlpdmaStatus.ADOPTED,
        False,
        _at(4, 3),
        ((5, 5), (4, 5), (5, 4)),
        deliberation_expected=False,
    ),
    DemoApplication(
        "200084952", StrategyType.CODEC, "", PlpdmaStatus.ADOPTED, False, _at(8, 3), ((4, 5), (5, 4), (4, 5))
    ),
    DemoApplication(
        "200065597",
        StrategyType.TERRITOIRE_DURABLE_2030,
        "",
        PlpdmaStatus.ADOPTED,
        False,
        _at(28, 2),
        ((4, 4), (4, 4), (5, 3)),
    ),
    DemoApplication(
        "200067205",
        StrategyType.ENR_100,
        "",
        PlpdmaStatus.IN_PROGRESS,
        False,
        _at(1, 3),
        ((3, 4), (4, 4), (4, 3)),
    ),
    DemoApplication(
        "200071454",
        StrategyType.CITERGIE,
        "",
        PlpdmaStatus.ADOPTED,
        False,
        _at(5, 3),
        ((4, 3), (3, 3), (4, 4)),
        deliberation_expected=False,
    ),
    DemoApplication(
        "200089456",
        StrategyType.COTEC,
        "",
        PlpdmaStatus.ADOPTED,
        False,
        _at(11, 3, 17),
        ((4, 3), (4, 4), (3, 3)),
    ),
    DemoApplication(
        "200066389",
        StrategyType.OTHER,
        "Plan climat-air-énergie territorial",
        PlpdmaStatus.IN_PROGRESS,
        False,
        _at(7, 3),
        ((3, 3), (3, 4), (3, 3)),
    ),
    DemoApplication(
        "200069532",
        StrategyType.TERRITOIRE_DURABLE_2030,
        "",
        PlpdmaStatus.ADOPTED,
        False,
        _at(6, 3),
        ((3, 3), (3, 3), (4, 3)),
    ),
    DemoApplication(
        "200035814",
        StrategyType.ENR_100,
        "",
        PlpdmaStatus.IN_PROGRESS,
        False,
        _at(9, 3),
        ((3, 2), (2, 3), (3, 3)),
    ),
    DemoApplication(
        "200069821",
        StrategyType.CITERGIE,
        "",
        PlpdmaStatus.IN_PROGRESS,
        False,
        _at(10, 3),
        ((2, 3), (3, 2), (2, 2)),
    ),
    DemoApplication("247600786", StrategyType.CODEC, "", PlpdmaStatus.NONE, False, _at(3, 3)),
    DemoApplication("200067023", StrategyType.CITERGIE, "", PlpdmaStatus.ADOPTED, True, _at(2, 3)),
]

PEOPLE = [
    ("Martine", "Lefebvre"),
    ("Philippe", "Guérin"),
    ("Isabelle", "Lemoine"),
    ("Olivier", "Marie"),
    ("Catherine", "Duval"),
    ("François", "Leroy"),
    ("Nathalie", "Hamel"),
    ("Pascal", "Lecomte"),
    ("Sylvie", "Gosselin"),
    ("Bruno", "Leclerc"),
    ("Valérie", "Lebas"),
    ("Didier", "Poulain"),
    ("Christine", "Lemonnier"),
    ("Alain", "Lesueur"),
    ("Sandrine", "Dupont"),
    ("Éric", "Letellier"),
    ("Laurence", "Beaufils"),
    ("Thierry", "Osmont"),
    ("Patricia", "Vautier"),
    ("Jérôme", "Féron"),
    ("Agnès", "Lamy"),
    ("Gilles", "Quesnel"),
    ("Corinne", "Lepetit"),
    ("Hervé", "Leboucher"),
]


@dataclass
class ReferenceSeedReport:
    call: Call
    created_call: bool
    applications: list[Application] = field(default_factory=list)
    committee: list[CommitteeSeat] = field(default_factory=list)
    missing_epcis: list[str] = field(default_factory=list)


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF saying it is a demonstration document."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj 0 -24 Td (Document de demonstration) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _demo_user(local_part: str, first_name: str, last_name: str) -> User:
    from tremplin.demo.services import DEMO_PASSWORD

    email = f"{local_part}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name
        )
    return user


def _reference_call() -> tuple[Call, bool]:
    call = Call.objects.filter(title=REFERENCE_TITLE, region__code=NORMANDY).first()
    if call is not None:
        return call, False
    call = Call.objects.create(
        title=REFERENCE_TITLE,
        region=Region.objects.get(code=NORMANDY),
        description=DESCRIPTION,
        opens_at=dt.datetime(2019, 1, 15, 0, 0, tzinfo=PARIS),
        deadline=dt.datetime(2019, 3, 11, 23, 59, 59, tzinfo=PARIS),
        places=8,
        contact_email="benoit.buret@normandie.fr",
        is_demo=True,
    )
    # Eligibility is the gate (the call's rules); the committee scores motivation and synergy potential.
    Criterion.objects.create(
        call=call,
        code="motivation",
        label="Motivation pour déployer une démarche d'EIT",
        weight=Decimal("0.50"),
        max_score=5,
        position=1,
    )
    Criterion.objects.create(
        call=call,
        code="potentiel",
        label="Potentiel du territoire pour développer des synergies interentreprises",
        weight=Decimal("0.50"),
        max_score=5,
        position=2,
    )
    return call, True


def _committee(call: Call) -> list[CommitteeSeat]:
    seats = []
    for local_part, first_name, last_name, organisation in COMMITTEE:
        if local_part is None:
            member = User.objects.filter(email=DEMO_COMMITTEE_EMAIL).first()
            if member is None:
                continue
        else:
            member = _demo_user(local_part, first_name, last_name)
            grant_membership(member, Role.COMMITTEE_MEMBER, by=None, organisation=organisation, via="seed")
        seat, _created = CommitteeSeat.objects.get_or_create(
            call=call, member=member, defaults={"organisation": organisation}
        )
        seats.append(seat)
    return seats


def _fiche(epci: Epci, spec: DemoApplication, people) -> dict:
    (official_first, official_last), (officer_first, officer_last) = people
    slug = epci.siren
    fields = {
        "epci": epci,
        "official_name": f"{official_first} {official_last}",
        "official_role": "Vice-président(e) chargé(e) du développement économique",
        "official_email": f"elu.{slug}@{DEMO_DOMAIN}",
        "officer_name": f"{officer_first} {officer_last}",
        "officer_role": "Chargé(e) de mission économie circulaire",
        "officer_email": f"technicien.{slug}@{DEMO_DOMAIN}",
        "strategies": [{"type": spec.strategy, "name": spec.strategy_name}],
        "plpdma_status": spec.plpdma,
        "pnsi_participation": spec.pnsi,
        "ambitions": (
            f"[Données de démonstration] {epci.name} veut faire de l'économie circulaire un levier de "
            "sa stratégie de transition écologique et mobiliser les entreprises de ses zones d'activités."
        ),
        "expectations": (
            "[Données de démonstration] Monter en compétence sur l'EIT, identifier les premières synergies "
            "de mutualisation (collectes de déchets, achats groupés) et de substitution, rejoindre le Club "
            "EIT Normand."
        ),
    }
    if spec.deliberation_expected:
        fields["deliberation_status"] = "expected"
        fields["deliberation_expected_on"] = dt.date(2019, 4, 15)
    else:
        fields["deliberation_status"] = "attached"
    return fields


@transaction.atomic
def seed_reference_call(*, with_applications: bool = True) -> ReferenceSeedReport:
    """Create (or complete) the Normandy 2019 call, its committee and its demonstration applications.

    Running it again changes nothing that exists: applications already there (possibly decided since)
    are left as they are; missing scores of the demo committee are added while the call is undecided.
    """
    call, created = _reference_call()
    report = ReferenceSeedReport(call=call, created_call=created, committee=_committee(call))
    if not with_applications:
        return report
    epcis = {epci.siren: epci for epci in Epci.objects.filter(siren__in=[a.siren for a in DEMO_APPLICATIONS])}
    scorers = [seat.member for seat in report.committee if seat.member.email != DEMO_COMMITTEE_EMAIL]
    criteria = list(call.criteria.order_by("position"))
    for index, spec in enumerate(DEMO_APPLICATIONS):
        epci = epcis.get(spec.siren)
        if epci is None:
            report.missing_epcis.append(spec.siren)
            continue
        application = Application.objects.filter(call=call, epci=epci).first()
        if application is None:
            application = _submit_demo_application(call, epci, spec, PEOPLE[2 * index : 2 * index + 2])
        elif application.potential_computed_at is not None and not call.is_decided:
            current = _establishment_count(epci)
            if current != application.potential_establishments:
                compute_potential(application, now=None)
        if not call.is_decided and application.eligible and len(criteria) == 2:
            for member, (motivation, potential) in zip(scorers, spec.scores, strict=False):
                record_scores(
                    application,
                    {criteria[0]: ScoreInput(motivation), criteria[1]: ScoreInput(potential)},
                    by=member,
                    now=dt.datetime(2019, 3, 20, 14, 0, tzinfo=PARIS),
                )
        report.applications.append(application)
    return report


def _establishment_count(epci: Epci) -> int:
    territory = getattr(epci, "territory", None)
    return territory.establishments.count() if territory else 0


def _submit_demo_application(call: Call, epci: Epci, spec: DemoApplication, people) -> Application:
    (first, last) = people[1]
    applicant = _demo_user(f"candidature.{epci.siren}", first, last)
    documents = {
        "letter": ContentFile(demo_pdf(f"Courrier de candidature - {epci.name}"), name="courrier.pdf")
    }
    if not spec.deliberation_expected:
        documents["deliberation"] = ContentFile(
            demo_pdf(f"Deliberation - {epci.name}"), name="deliberation.pdf"
        )
    application = create_draft(
        call, by=applicant, fields=_fiche(epci, spec, people), documents=documents, now=spec.submitted
    )
    application.is_demo = True
    application.save(update_fields=["is_demo"])
    return submit_application(application, by=applicant, now=spec.submitted, notify=False)
