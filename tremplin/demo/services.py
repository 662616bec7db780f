"""Demonstration territories, establishments and users: the operations behind ``tremplin seed-demo``.

Everything here is idempotent: running an operation twice with the same seed leaves the database as
after the first run. Demonstration establishments are flagged ``is_demo`` with origin ``demo`` and
are updated in place (matched on their SIRET, which the seed determines), so the memberships that
point at them survive a re-run.

The demo users share one published password, :data:`DEMO_PASSWORD`, printed by ``tremplin seed-demo``:
it must never protect anything but demonstration data. Their addresses are under the reserved
``.localhost`` domain, so no mail sent to them can reach anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tremplin.accounts.models import Role, TerritoryFunction, User
from tremplin.accounts.services import grant_membership, revoke_membership
from tremplin.demo.generator import CommuneFacts, EpciFacts, generate_establishments
from tremplin.establishments.models import DataOrigin, Establishment
from tremplin.geo.models import Epci
from tremplin.territories.models import Territory

__all__ = [
    "CAUX_SEINE",
    "DEFAULT_SEED",
    "DEMO_EMAIL_DOMAIN",
    "DEMO_PASSWORD",
    "LE_HAVRE",
    "REFERENCE_SIRENS",
    "DemoLogin",
    "DemoSeedReport",
    "MissingGeography",
    "SeededTerritory",
    "commune_facts",
    "epci_facts",
    "seed_demo",
    "seed_demo_territory",
    "seed_demo_users",
]

DEFAULT_SEED = 2026
CAUX_SEINE = "200010700"
LE_HAVRE = "200084952"
REFERENCE_SIRENS = (CAUX_SEINE, LE_HAVRE)
DEMO_PASSWORD = "demo-tremplin-2026"  # demonstration only: printed on screen, public by design
DEMO_EMAIL_DOMAIN = "demo.tremplin.localhost"

_TERRITORY_SLUGS = {CAUX_SEINE: "cauxseine", LE_HAVRE: "lehavre"}
_SYNCED_FIELDS = ("name", "naf_code", "headcount_band", "commune_id", "address", "latitude", "longitude")


class MissingGeography(Exception):
    """The EPCIs asked for are not in the database: the geography has not been loaded."""

    def __init__(self, sirens: Iterable[str]) -> None:
        self.sirens = tuple(sirens)
        super().__init__(f"EPCI not found: {', '.join(self.sirens)}")


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str  # a Role value
    function: str  # a TerritoryFunction value, or ""
    organisation: str
    scope: str  # the territory or establishment the role is bound to, or ""


@dataclass(frozen=True)
class SeededTerritory:
    territory: Territory
    establishment_count: int


@dataclass(frozen=True)
class DemoSeedReport:
    seed: int
    territories: tuple[SeededTerritory, ...]
    logins: tuple[DemoLogin, ...]


def epci_facts(epci: Epci) -> EpciFacts:
    return EpciFacts(epci.siren, epci.name, epci.kind, epci.population, epci.area_km2)


def commune_facts(epci: Epci) -> list[CommuneFacts]:
    """The EPCI's communes that have a boundary, in INSEE code order."""
    return [
        CommuneFacts(c.insee_code, c.name, c.population, c.geometry_geojson, c.centroid_lat, c.centroid_lon)
        for c in epci.communes.exclude(geometry_geojson="").exclude(centroid_lat=None).order_by("insee_code")
    ]


@transaction.atomic
def seed_demo_territory(epci: Epci, *, seed: int = DEFAULT_SEED) -> Territory:
    """Create the EPCI's territory workspace if needed and (re)generate its demonstration establishments.

    Demonstration establishments from an earlier run are updated in place when the new run produces
    the same SIRET, deleted otherwise. Establishments that are not demonstration data are never
    touched; a generated SIRET that one of them already holds is skipped.
    """
    territory, _created = Territory.objects.get_or_create(epci=epci)
    communes = {c.insee_code: c for c in epci.communes.all()}
    generated = generate_establishments(epci_facts(epci), commune_facts(epci), seed=seed)

    demo_rows = territory.establishments.filter(is_demo=True, origin=DataOrigin.DEMO)
    previous = {row.siret: row for row in demo_rows}
    taken = set(
        territory.establishments.exclude(is_demo=True, origin=DataOrigin.DEMO).values_list("siret", flat=True)
    )
    now = timezone.now()
    to_create, to_update, kept = [], [], set()
    for item in generated:
        if item.siret in taken:
            continue
        kept.add(item.siret)
        values = {
            "name": item.name,
            "naf_code": item.naf_code,
            "headcount_band": item.headcount_band,
            "commune_id": communes[item.commune_insee_code].pk,
            "address": item.address,
            "latitude": item.latitude,
            "longitude": item.longitude,
        }
        row = previous.get(item.siret)
        if row is None:
            to_create.append(
                Establishment(
                    territory=territory, siret=item.siret, origin=DataOrigin.DEMO, is_demo=True, **values
                )
            )
        elif any(getattr(row, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(row, field, value)
            row.updated_at = now
            to_update.append(row)

    stale = [row.pk for siret, row in previous.items() if siret not in kept]
    Establishment.objects.filter(pk__in=stale).delete()
    Establishment.objects.bulk_create(to_create, batch_size=500)
    Establishment.objects.bulk_update(to_update, [*_SYNCED_FIELDS, "updated_at"], batch_size=200)
    return territory


def _demo_territories() -> list[Territory]:
    """Territories holding demonstration establishments, the reference ones first."""
    territories = Territory.objects.filter(establishments__is_demo=True).distinct().select_related("epci")

    def rank(territory):
        siren = territory.epci.siren
        return (
            REFERENCE_SIRENS.index(siren) if siren in REFERENCE_SIRENS else len(REFERENCE_SIRENS),
            territory.epci.name,
        )

    return sorted(territories, key=rank)


def _contact_establishment(territories: list[Territory]) -> Establishment | None:
    """A mid-sized chemical plant of Caux Seine Agglo if there is one: a site with flows worth declaring."""
    candidates = sorted(territories, key=lambda t: t.epci.siren != CAUX_SEINE)
    for territory in candidates:
        demo = territory.establishments.filter(is_demo=True).order_by("siret")
        chosen = (
            demo.filter(naf_code__startswith="20.", headcount_band__in=["12", "21", "22"]).first()
            or demo.filter(naf_code__startswith="20.").first()
            or demo.first()
        )
        if chosen is not None:
            return chosen
    return None


def _ensure_user(local_part: str, first_name: str, last_name: str, memberships: list[dict]) -> User:
    """The demo user with exactly these memberships, created or brought back to its known state."""
    email = f"{local_part}@{DEMO_EMAIL_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name
        )
    else:
        user.first_name, user.last_name, user.is_active = first_name, last_name, True
        user.set_password(DEMO_PASSWORD)
        user.save()
    kept = []
    for spec in memberships:
        membership = grant_membership(
            user,
            spec["role"],
            by=None,
            territory=spec.get("territory"),
            establishment=spec.get("establishment"),
            function=spec.get("function", ""),
            organisation=spec.get("organisation", ""),
            via="seed",
        )
        kept.append(membership.pk)
    for membership in user.memberships.exclude(pk__in=kept):
        revoke_membership(membership, by=None, reason="seed")
    return user


@transaction.atomic
def seed_demo_users() -> list[DemoLogin]:
    """One demo user per role, bound to the demonstration territories that exist.

    Programme team (Région Normandie), committee member (DREAL Normandie), for Caux Seine Agglo an
    elected official and an officer, for every other demonstration territory an officer, and a company
    contact for one demonstration establishment (of Caux Seine Agglo when it is seeded).
    """
    logins = []

    def add(local_part, first_name, last_name, *, role, scope="", **binding):
        _ensure_user(local_part, first_name, last_name, [{"role": role, **binding}])
        logins.append(
            DemoLogin(
                email=f"{local_part}@{DEMO_EMAIL_DOMAIN}",
                password=DEMO_PASSWORD,
                role=role,
                function=binding.get("function", ""),
                organisation=binding.get("organisation", ""),
                scope=scope,
            )
        )

    add("programme", "Claire", "Lemarchand", role=Role.PROGRAMME_TEAM, organisation="Région Normandie")
    add("comite", "Marc", "Delaunay", role=Role.COMMITTEE_MEMBER, organisation="DREAL Normandie")
    territories = _demo_territories()
    for territory in territories:
        slug = _TERRITORY_SLUGS.get(territory.epci.siren, territory.epci.siren)
        team = {
            "role": Role.TERRITORY_TEAM,
            "territory": territory,
            "organisation": territory.name,
            "scope": territory.name,
        }
        if territory.epci.siren == CAUX_SEINE:
            add(f"elu.{slug}", "Jean-Pierre", "Vasse", function=TerritoryFunction.ELECTED_OFFICIAL, **team)
        first, last = {"cauxseine": ("Sophie", "Anquetil"), "lehavre": ("Thomas", "Lecoq")}.get(
            slug, ("Camille", "Martin")
        )
        add(f"technicien.{slug}", first, last, function=TerritoryFunction.OFFICER, **team)
    establishment = _contact_establishment(territories)
    if establishment is not None:
        add(
            "entreprise",
            "Nadia",
            "Hébert",
            role=Role.COMPANY_CONTACT,
            establishment=establishment,
            organisation=establishment.name,
            scope=f"{establishment.name} ({establishment.territory.name})",
        )
    return logins


@transaction.atomic
def seed_demo(
    sirens: Iterable[str] = REFERENCE_SIRENS,
    *,
    seed: int = DEFAULT_SEED,
    with_users: bool = True,
    log: Callable[[str], None] = lambda _message: None,
) -> DemoSeedReport:
    """Seed the demonstration territories (the reference ones by default) and, unless told not to,
    the demo users. Raises :class:`MissingGeography` before writing anything if an EPCI is missing."""
    sirens = list(dict.fromkeys(sirens))
    epcis = {epci.siren: epci for epci in Epci.objects.filter(siren__in=sirens)}
    missing = [siren for siren in sirens if siren not in epcis]
    if missing:
        raise MissingGeography(missing)
    seeded = []
    for siren in sirens:
        log(f"Génération de {epcis[siren].name}…")
        territory = seed_demo_territory(epcis[siren], seed=seed)
        seeded.append(SeededTerritory(territory, territory.establishments.filter(is_demo=True).count()))
    logins = tuple(seed_demo_users()) if with_users else ()
    return DemoSeedReport(seed, tuple(seeded), logins)


@dataclass(frozen=True)
class ReferenceEdition:
    call: object
    applications: list
    events: list


def seed_reference_edition(*, seed: int = DEFAULT_SEED) -> ReferenceEdition:
    """The programme's reference edition for the demonstration: the Normandy 2019 call with its
    committee and demonstration applications, and the calendar of its events (all idempotent).

    Every applicant EPCI first gets a demonstration economic fabric, so that the committee sees the
    engine's synergy-potential figure beside each application (computed when it is submitted).
    """
    from tremplin.coaching.services.calendar import seed_reference_calendar
    from tremplin.coaching.services.editions import reference_template
    from tremplin.programme.services.reference import DEMO_APPLICATIONS, seed_reference_call

    for epci in Epci.objects.filter(siren__in=[application.siren for application in DEMO_APPLICATIONS]):
        if not Establishment.objects.filter(territory__epci=epci, is_demo=True).exists():
            seed_demo_territory(epci, seed=seed)
    report = seed_reference_call()
    events = seed_reference_calendar(report.call)
    reference_template()  # the 2019 edition as a template (seeded by a migration; again after a flush)
    return ReferenceEdition(call=report.call, applications=list(report.applications), events=list(events))
