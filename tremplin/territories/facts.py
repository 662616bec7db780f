"""Key facts of a territory, computed from the geography and its establishments."""

import json
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from tremplin.engine.naf import naf_label, naf_section


@dataclass(frozen=True)
class SectorCount:
    section: str
    label: str
    establishments: int


@dataclass(frozen=True)
class TerritoryFacts:
    population: int
    commune_count: int
    area_km2: float
    establishment_count: int
    demo_establishment_count: int
    sectors: list[SectorCount]

    @property
    def density(self) -> float:
        return self.population / self.area_km2 if self.area_km2 else 0.0


def territory_facts(territory) -> TerritoryFacts:
    epci = territory.epci
    by_code = territory.establishments.values("naf_code").annotate(n=Count("id"))
    sections = Counter()
    for row in by_code:
        sections[naf_section(row["naf_code"])] += row["n"]
    sectors = [
        SectorCount(section, naf_label(section), count)
        for section, count in sorted(sections.items(), key=lambda item: (-item[1], item[0]))
    ]
    return TerritoryFacts(
        population=epci.population,
        commune_count=epci.commune_count,
        area_km2=epci.area_km2,
        establishment_count=sum(sections.values()),
        demo_establishment_count=territory.establishments.filter(is_demo=True).count(),
        sectors=sectors,
    )


def territory_map_geojson(territory) -> dict:
    """The EPCI boundary and its communes as one GeoJSON FeatureCollection (WGS84)."""
    features = []
    if territory.epci.boundary_geojson:
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(territory.epci.boundary_geojson),
                "properties": {"layer": "perimeter", "name": territory.epci.name},
            }
        )
    for code, name, population, geometry in territory.epci.communes.values_list(
        "insee_code", "name", "population", "geometry_geojson"
    ):
        if not geometry:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(geometry),
                "properties": {
                    "layer": "commune",
                    "insee_code": code,
                    "name": name,
                    "population": population,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
