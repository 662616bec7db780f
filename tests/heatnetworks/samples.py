"""Small GeoJSON files in France Chaleur Urbaine's layout (README, "Public registers", "Heat networks")."""

import json

from pyproj import Transformer

from tremplin.geo.models import Commune

_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


def feature(geometry, **properties) -> dict:
    base = {
        "Identifiant reseau": "7601C",
        "nom_reseau": "Réseau de Lillebonne",
        "Gestionnaire": "Dalkia",
        "livraisons_totale_MWh": 24000,
        "Taux EnR&R": 62.5,
    }
    base.update(properties)
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {k: v for k, v in base.items() if v is not ...},
    }


def line(*positions) -> dict:
    return {"type": "LineString", "coordinates": [list(p) for p in positions]}


def collection(*features, crs: str | None = None) -> bytes:
    data = {"type": "FeatureCollection", "features": list(features)}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data).encode()


def to_lambert93(geometry: dict) -> dict:
    def convert(positions):
        if isinstance(positions[0], (int, float)):
            return list(_TO_L93.transform(positions[0], positions[1]))
        return [convert(p) for p in positions]

    return {"type": geometry["type"], "coordinates": convert(geometry["coordinates"])}


def centre_of(territory) -> tuple[float, float]:
    """(lon, lat) of a commune of the territory."""
    commune = (
        Commune.objects.filter(epci=territory.epci, centroid_lat__isnull=False).order_by("insee_code").first()
    )
    return commune.centroid_lon, commune.centroid_lat
