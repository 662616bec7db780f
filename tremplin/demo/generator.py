"""The demonstration-data generator: a realistic, reproducible economic fabric for a real EPCI.

Pure logic, no database: the input is the EPCI's facts and its communes, the output a list of
:class:`DemoEstablishment`. The same inputs and seed give the same output on every machine: all
randomness comes from one ``random.Random`` seeded with a string (hashed with SHA-512 by Python, so
independent of ``PYTHONHASHSEED``), and iteration orders are fixed.

How a territory is built (reference data in ``data/territory_profiles.yaml``):

1. **Kind.** An override by SIREN, or the classification rule (EPCI kind and density) gives a blend of
   kinds of territory (``port_heavy_industry``, ``urban``, ``rural_agrifood``, ``mixed``).
2. **Count.** ``clamp(round(base × (population / 10 000) ^ exponent), minimum, maximum)``; with the
   shipped parameters Caux Seine Agglo gets about 400 establishments, Le Havre Seine Métropole about
   800, a rural CC of 5 000 inhabitants about 90.
3. **Sectors.** The count is shared among the blend's NAF sous-classes in proportion to their weights
   (largest-remainder, the remainders drawn at random), every anchor of the kind gets at least one
   establishment, and no sector exceeds its cap (a territory does not have five refineries).
4. **Places.** Industrial, port and waste establishments go, with their group's probability, into an
   activity zone that hosts their group (named zones of the reference territories; otherwise one to
   four business parks drawn at the edge of the largest communes); the rest into a commune picked by
   population. Shops, restaurants and care go near the commune's centre; farms into communes picked by
   area, favouring sparsely populated ones. Every point lies strictly inside its commune's polygon.
5. **Identity.** A headcount band drawn from the sector's distribution, a French-sounding name, a street
   address and a SIRET (14 digits, Luhn-valid, its SIREN Luhn-valid too), unique within the output.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tremplin.demo.naming import Namer, SiretFactory, de_commune
from tremplin.demo.placement import CommuneArea, PlacementError, Site, TerritorySampler
from tremplin.demo.profiles import ActivityZone, EpciProfileKey, Profiles, SectorProfile, load_profiles

__all__ = [
    "CommuneFacts",
    "DemoEstablishment",
    "EpciFacts",
    "PlacementError",
    "allocate_counts",
    "establishment_count",
    "generate_establishments",
]

# Groups whose establishments, when not in a zone, still have an industrial-looking address.
_INDUSTRIAL_GROUPS = frozenset(
    {
        "refining_chemistry",
        "energy",
        "port_logistics",
        "transport",
        "manufacturing",
        "waste",
        "agrifood_industry",
    }
)


@dataclass(frozen=True)
class EpciFacts:
    siren: str
    name: str
    kind: str  # CC, CA, CU or ME
    population: int
    area_km2: float


@dataclass(frozen=True)
class CommuneFacts:
    insee_code: str
    name: str
    population: int
    geometry: str | Mapping[str, Any]  # GeoJSON (WGS84), as text or parsed
    latitude: float  # a point inside the commune
    longitude: float


@dataclass(frozen=True)
class DemoEstablishment:
    siret: str
    name: str
    naf_code: str
    headcount_band: str
    commune_insee_code: str
    latitude: float
    longitude: float
    address: str


def establishment_count(population: int, profiles: Profiles | None = None) -> int:
    """How many establishments a territory of this population gets.

    >>> establishment_count(77_495), establishment_count(269_060), establishment_count(4_989)
    (401, 795, 89)
    """
    return (profiles or load_profiles()).count_rule.count(population)


def allocate_counts(
    total: int,
    weights: Mapping[str, float],
    rng: random.Random,
    *,
    anchors: Sequence[str] = (),
    caps: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Share ``total`` among the keys of ``weights`` in proportion to the weights.

    Each key gets the integer part of its exact share; the units left go to keys drawn without
    replacement with probability proportional to their fractional parts. Then anchors get at least
    one (taken from the largest counts) and caps are enforced (the excess goes to the largest uncapped
    keys). The counts always add up to ``total``.

    >>> counts = allocate_counts(10, {"a": 5, "b": 3, "c": 2}, random.Random(0))
    >>> counts, sum(counts.values())
    ({'a': 5, 'b': 3, 'c': 2}, 10)
    >>> allocate_counts(3, {"a": 98, "b": 1, "c": 1}, random.Random(0), anchors=["b", "c"], caps={"a": 1})
    {'a': 1, 'b': 1, 'c': 1}
    """
    caps = caps or {}
    weight_sum = sum(weights.values())
    if total < 0 or weight_sum <= 0:
        raise ValueError("allocate_counts needs a non-negative total and positive weights")
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    left = total - sum(counts.values())
    # Efraimidis–Spirakis: weighted sampling without replacement by keys u^(1/w).
    fractions = [(key, exact[key] - counts[key]) for key in exact if exact[key] - counts[key] > 1e-12]
    ranked = sorted(fractions, key=lambda item: rng.random() ** (1 / item[1]), reverse=True)
    for key, _fraction in ranked[:left]:
        counts[key] += 1

    order = list(weights)  # ties are broken by the order of the reference data

    def largest(eligible) -> str:
        return max((key for key in order if eligible(key)), key=lambda key: (counts[key], -order.index(key)))

    anchored = [key for key in anchors if key in counts][:total]
    for key in anchored:
        if counts[key] == 0:
            donor = largest(lambda k: k not in anchored or counts[k] > 1)
            counts[donor] -= 1
            counts[key] = 1
    overflow = 0
    for key, cap in caps.items():
        if key in counts and counts[key] > cap:
            overflow += counts[key] - cap
            counts[key] = cap
    while overflow:
        receiver = largest(lambda k: counts[k] < caps.get(k, total))
        counts[receiver] += 1
        overflow -= 1
    return counts


def _synthetic_zones(
    sampler: TerritorySampler, rng: random.Random, population: int, groups: frozenset[str]
) -> list[ActivityZone]:
    """Business parks at the edge of the largest communes, for territories without named zones."""
    how_many = min(4, 1 + population // 40_000)
    largest = sorted(sampler.communes, key=lambda c: (-c.population, c.insee_code))[:how_many]
    zones = []
    for commune in largest:
        latitude, longitude = sampler.point_away_from_centre(commune, rng, 0.5, 2.0)
        name = f"Zone d'activités {de_commune(commune.name)}"
        zones.append(
            ActivityZone(
                name=name,
                address_label=name,
                latitude=latitude,
                longitude=longitude,
                radius_km=min(max(0.25 * math.sqrt(commune.area_km2), 0.4), 1.0),
                weight=commune.population + 1,
                hosts=groups,
            )
        )
    return zones


class _Builder:
    """Places and names the establishments of one territory."""

    def __init__(self, profiles: Profiles, sampler: TerritorySampler, namer: Namer, rng: random.Random):
        self.profiles = profiles
        self.sampler = sampler
        self.namer = namer
        self.rng = rng
        self.sirets = SiretFactory(rng)

    def site(self, sector: SectorProfile) -> Site:
        rng, sampler = self.rng, self.sampler
        if sector.placement == "zone":
            zones = [zone for zone in sampler.zones if sector.group in zone.hosts]
            if zones and rng.random() < sector.zone_share:
                zone = rng.choices(zones, weights=[zone.weight for zone in zones])[0]
                site = sampler.in_zone(zone, rng)
                if site is not None:
                    return site
        if sector.placement == "centre":
            return sampler.near_centre(sampler.commune_by_population(rng), rng)
        if sector.placement == "rural":
            return sampler.uniform_in(sampler.commune_by_rurality(rng), rng)
        return sampler.uniform_in(sampler.commune_by_population(rng), rng)

    def street_kind(self, sector: SectorProfile, site: Site) -> str:
        if site.zone is not None or sector.group in _INDUSTRIAL_GROUPS:
            return "industrial"
        return "rural" if sector.placement == "rural" else "centre"

    def establishment(self, sector: SectorProfile) -> DemoEstablishment:
        bands, weights = zip(*sector.headcount, strict=True)
        band = self.rng.choices(bands, weights=weights)[0]
        site = self.site(sector)
        return DemoEstablishment(
            siret=self.sirets.new(),
            name=self.namer.name(sector.name_style, site.commune.name),
            naf_code=sector.code,
            headcount_band=band,
            commune_insee_code=site.commune.insee_code,
            latitude=site.latitude,
            longitude=site.longitude,
            address=self.namer.address(self.street_kind(sector, site), site.zone, site.commune.population),
        )


def generate_establishments(
    epci: EpciFacts,
    communes: Sequence[CommuneFacts],
    *,
    seed: int,
    profiles: Profiles | None = None,
    count: int | None = None,
) -> list[DemoEstablishment]:
    """The demonstration establishments of one EPCI (see the module's docstring for the rules).

    ``count`` replaces the count derived from the population. Raises :class:`PlacementError` when the
    territory has no commune with a usable geometry.
    """
    profiles = profiles or load_profiles()
    rng = random.Random(f"tremplin-demo/{seed}/{epci.siren}")
    plan = profiles.plan_for(EpciProfileKey(epci.siren, epci.kind, epci.population, epci.area_km2))
    areas = [
        CommuneArea.from_geojson(c.insee_code, c.name, c.population, c.geometry, c.latitude, c.longitude)
        for c in sorted(communes, key=lambda c: c.insee_code)
        if c.geometry
    ]
    sampler = TerritorySampler(areas, plan.zones)
    if not plan.zones:
        zone_groups = frozenset(s.group for s in profiles.sectors.values() if s.placement == "zone")
        for zone in _synthetic_zones(sampler, rng, epci.population, zone_groups):
            sampler.add_zone(zone)

    total = count if count is not None else profiles.count_rule.count(epci.population)
    weights = profiles.sector_weights(plan)
    caps = {
        code: profiles.sectors[code].max_per_territory
        for code in weights
        if profiles.sectors[code].max_per_territory is not None
    }
    counts = allocate_counts(total, weights, rng, anchors=profiles.anchors(plan), caps=caps)

    builder = _Builder(profiles, sampler, Namer(profiles.names, rng, plan.place_words), rng)
    return [
        builder.establishment(profiles.sectors[code])
        for code, how_many in counts.items()
        for _ in range(how_many)
    ]
