"""What a company contact may learn of a synergy it takes part in.

Counterparts stay anonymous until every participant accepted to be introduced. Anonymous is not only
"no name": an activity that is unique in the territory, with a distance, names the company as surely.
So before everyone agreed, a counterpart is described by an activity level (NAF subclass, then class,
group, division, section, then none) and a distance band from the contact's establishment that at least
``SYNERGY_ANONYMITY_MIN_ESTABLISHMENTS`` establishments of the territory share (the contact's own
establishment left out): the most precise such description, trading activity and distance evenly.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _

from tremplin.engine.geo import great_circle_km
from tremplin.engine.naf import UnknownNafCode, naf_ancestors, naf_label, naf_level
from tremplin.establishments.models import Establishment
from tremplin.synergies.enums import Consent, Status
from tremplin.synergies.models import Synergy

__all__ = [
    "DISTANCE_EDGES_KM",
    "ContactOpportunity",
    "Counterpart",
    "anonymised_description",
    "contact_opportunities",
]

#: Edges of the distance bands (km, great-circle distance between the two establishments).
DISTANCE_EDGES_KM = (1, 2, 5, 10, 20, 50)


@dataclass(frozen=True)
class Counterpart:
    label: str
    activity: str
    role: str
    disclosed: bool
    distance: str = ""  # before disclosure, a band ("5 to 10 km away"); after, the synergy says it


@dataclass(frozen=True)
class ContactOpportunity:
    synergy: Synergy
    participant: object  # the contact's own SynergyParticipant
    counterparts: list[Counterpart]
    disclosed: bool


@dataclass(frozen=True)
class Description:
    activity_code: str  # "" when even the section is withheld
    activity: str
    band: tuple[float, float | None] | None  # (low, high) km; None: no distance given
    distance: str
    shared_by: int  # establishments of the territory it describes (the contact's own left out)


@cache
def _ancestors(code: str) -> tuple[str, ...]:
    try:
        return tuple(naf_ancestors(code))
    except UnknownNafCode:
        return ()


def _activity_text(code: str) -> str:
    if not code:
        return _("activity withheld")
    try:
        level, label = naf_level(code), naf_label(code)
    except UnknownNafCode:
        return code
    if level in ("subclass", "class"):
        return label
    names = {"group": _("group"), "division": _("division"), "section": _("section")}
    return _("%(label)s (NAF %(level)s %(code)s)") % {"label": label, "level": names[level], "code": code}


def _bands(distance_km: float) -> list[tuple[float, float | None]]:
    """From the finest band holding ``distance_km`` to the widest: the ring between two edges, then
    "less than" each larger edge."""
    edges = DISTANCE_EDGES_KM
    upper = next((i for i, edge in enumerate(edges) if distance_km < edge), len(edges))
    low = edges[upper - 1] if upper else 0
    high = edges[upper] if upper < len(edges) else None
    bands = [(low, high)]
    for edge in edges[upper + (1 if low == 0 else 0) :]:
        bands.append((0, edge))
    return bands


def _band_text(band) -> str:
    if band is None:
        return _("distance withheld")
    low, high = band
    if high is None:
        return _("more than %(low)s km away") % {"low": low}
    if low == 0:
        return _("less than %(high)s km away") % {"high": high}
    return _("%(low)s to %(high)s km away") % {"low": low, "high": high}


def _in_band(distance_km: float, band) -> bool:
    if band is None:
        return True
    low, high = band
    return distance_km >= low and (high is None or distance_km < high)


def anonymised_description(own, counterpart, others, *, k: int | None = None) -> Description:
    """How ``own``'s contact sees ``counterpart`` before disclosure.

    ``others`` are the establishments of the territory as ``(id, naf_code, latitude, longitude)``; the
    description is the most precise (activity level + distance band) that at least ``k`` of them share,
    ``own`` excluded. Precision is traded evenly: one level of activity for one step of distance, ties
    kept on the activity side.
    """
    k = k or settings.SYNERGY_ANONYMITY_MIN_ESTABLISHMENTS
    neighbours = [
        (_ancestors(code), great_circle_km(own.latitude, own.longitude, lat, lon))
        for pk, code, lat, lon in others
        if pk != own.pk
    ]
    distance = great_circle_km(own.latitude, own.longitude, counterpart.latitude, counterpart.longitude)
    levels = [*_ancestors(counterpart.naf_code), ""]
    bands = [*_bands(distance), None]
    # Distances of the establishments sharing each activity level, to count each band from.
    sharing = {code: [d for ancestors, d in neighbours if not code or code in ancestors] for code in levels}
    options = sorted(
        ((a, b) for a in range(len(levels)) for b in range(len(bands))), key=lambda ab: (ab[0] + ab[1], ab[0])
    )
    for a, b in options:
        code, band = levels[a], bands[b]
        shared = sum(1 for d in sharing[code] if _in_band(d, band))
        if shared >= k or (not code and band is None):
            return Description(code, _activity_text(code), band, _band_text(band), shared)
    raise AssertionError("unreachable: the last option describes every establishment")


def _territory_points(territory_id: int) -> list[tuple]:
    return list(
        Establishment.objects.filter(territory_id=territory_id).values_list(
            "pk", "naf_code", "latitude", "longitude"
        )
    )


def contact_opportunities(user, establishment_ids) -> list[ContactOpportunity]:
    """The synergies (not abandoned) that involve the contact's establishments, counterparts anonymised
    until everyone consented."""
    synergies = (
        Synergy.objects.visible_to(user)
        .involving(establishment_ids)
        .exclude(status=Status.ABANDONED)
        .prefetch_related("participants__establishment")
        .order_by("-created_at")
    )
    points: dict[int, list[tuple]] = {}
    result = []
    for synergy in synergies:
        participants = list(synergy.participants.all())
        disclosed = bool(participants) and all(p.consent == Consent.ACCEPTED for p in participants)
        for own in (p for p in participants if p.establishment_id in establishment_ids):
            counterparts = []
            for p in participants:
                if p.pk == own.pk:
                    continue
                if disclosed:
                    counterparts.append(
                        Counterpart(
                            label=p.establishment.name,
                            activity=p.establishment.naf_label,
                            role=p.get_role_display(),
                            disclosed=True,
                        )
                    )
                    continue
                if synergy.territory_id not in points:
                    points[synergy.territory_id] = _territory_points(synergy.territory_id)
                description = anonymised_description(
                    own.establishment, p.establishment, points[synergy.territory_id]
                )
                counterparts.append(
                    Counterpart(
                        label=_("Anonymous establishment"),
                        activity=description.activity,
                        role=p.get_role_display(),
                        disclosed=False,
                        distance=description.distance,
                    )
                )
            result.append(ContactOpportunity(synergy, own, counterparts, disclosed))
    return result
