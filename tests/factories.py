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
