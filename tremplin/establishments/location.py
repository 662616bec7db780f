"""Is an establishment's point in its commune (and its territory)? Used by imports and by edits.

The commune's boundary is checked when ``tremplin load-geo`` stored one; otherwise the territory's
(its EPCI's) boundary, which only tells that the point is in the territory; with neither, the point is
"not checked" and accepted, and the report says so rather than refusing.
"""

from __future__ import annotations

from dataclasses import dataclass

from tremplin.geo.boundaries import Outline, PointCheck

INSIDE, OUTSIDE_COMMUNE, OUTSIDE_TERRITORY, TERRITORY_ONLY, NOT_CHECKED = (
    "inside",
    "outside_commune",
    "outside_territory",
    "territory_only",
    "not_checked",
)


@dataclass(frozen=True)
class LocationCheck:
    status: str
    check: PointCheck
    commune_name: str
    commune_code: str

    @property
    def refused(self) -> bool:
        return self.status in (OUTSIDE_COMMUNE, OUTSIDE_TERRITORY)

    def reason(self) -> str:
        """In French, as the importers' row errors are."""
        distance, commune = self.check.distance_text(), f"{self.commune_name} ({self.commune_code})"
        if self.status == OUTSIDE_COMMUNE:
            return f"le point est à {distance} hors de la commune de {commune}"
        if self.status == OUTSIDE_TERRITORY:
            return f"le point est à {distance} hors du territoire (commune de {commune} sans contour)"
        return ""


class LocationChecker:
    """Outlines of a territory's communes, read once for a whole file (or one edit)."""

    def __init__(self, territory, communes=None):
        self._geojson: dict[str, tuple[str, str]] = {}
        self._outlines: dict[str, Outline | None] = {}
        rows = communes if communes is not None else territory.epci.communes.all()
        for commune in rows:
            self._geojson[commune.insee_code] = (commune.name, commune.geometry_geojson)
        self._territory = Outline.from_geojson(territory.epci.boundary_geojson)

    def _outline(self, code: str) -> Outline | None:
        if code not in self._outlines:
            self._outlines[code] = Outline.from_geojson(self._geojson.get(code, ("", ""))[1])
        return self._outlines[code]

    def check(self, commune_code: str, latitude: float, longitude: float) -> LocationCheck:
        name = self._geojson.get(commune_code, (commune_code, ""))[0]
        outline = self._outline(commune_code)
        if outline is not None:
            result = outline.check(latitude, longitude)
            return LocationCheck(INSIDE if result.inside else OUTSIDE_COMMUNE, result, name, commune_code)
        if self._territory is not None:
            result = self._territory.check(latitude, longitude)
            status = TERRITORY_ONLY if result.inside else OUTSIDE_TERRITORY
            return LocationCheck(status, result, name, commune_code)
        return LocationCheck(NOT_CHECKED, PointCheck(None), name, commune_code)


def check_establishment_location(establishment) -> LocationCheck:
    """The check of one establishment's point (an edit), against its own commune and territory."""
    commune = establishment.commune
    checker = LocationChecker(establishment.territory, communes=[commune])
    return checker.check(commune.insee_code, establishment.latitude, establishment.longitude)
