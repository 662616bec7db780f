"""Reader of France Chaleur Urbaine's heat-network layer (GeoJSON), the layout documented in the README
("Public registers", "Heat networks").

One feature per network: a LineString or MultiLineString (its trace), or a Point or MultiPoint for a
network whose trace is not published (France Chaleur Urbaine places those at their commune). Properties
read (names as in the open data): ``Identifiant reseau`` (national identifier, required), ``nom_reseau``,
``Gestionnaire``, ``livraisons_totale_MWh``, ``Taux EnR&R`` (%). Several features with one identifier are
one network in several pieces. Coordinates are WGS84 longitude/latitude, or Lambert-93 (EPSG:2154) when
the file's ``crs`` member says so; both come out in WGS84.

The whole file is checked before anything is returned: :class:`HeatNetworkFileError` lists every wrong
feature by its position in the file (the first is entity 1) and the property at fault.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache

from pyproj import Transformer

__all__ = ["HeatNetworkFileError", "ParsedNetwork", "read_heat_networks"]

ID_KEYS = ("Identifiant reseau", "Id reseau", "identifiant_reseau")
NAME_KEYS = ("nom_reseau", "Nom reseau", "nom")
OPERATOR_KEYS = ("Gestionnaire", "gestionnaire")
DELIVERIES_KEYS = ("livraisons_totale_MWh", "livraisons_totales_MWh")
RENEWABLE_KEYS = ("Taux EnR&R", "taux_enrr")
LINES, POINTS = ("LineString", "MultiLineString"), ("Point", "MultiPoint")


class HeatNetworkFileError(ValueError):
    """The file is refused; ``errors`` are the reasons, in French, each naming its feature."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            "; ".join(errors[:5]) + (f" (et {len(errors) - 5} autres)" if len(errors) > 5 else "")
        )


@dataclass
class ParsedNetwork:
    identifier: str
    name: str
    operator: str
    deliveries_mwh: float | None
    renewable_share: float | None
    #: Parts of the trace in WGS84 (longitude, latitude); a part of one position when there is no trace.
    parts: list[list[tuple[float, float]]] = field(default_factory=list)
    has_trace: bool = True
    features: list[int] = field(default_factory=list)

    def geometry(self) -> dict:
        """The trace as a GeoJSON geometry (MultiLineString, or MultiPoint without a trace)."""
        if self.has_trace:
            return {
                "type": "MultiLineString",
                "coordinates": [[list(p) for p in part] for part in self.parts],
            }
        return {"type": "MultiPoint", "coordinates": [list(part[0]) for part in self.parts]}


@cache
def _from_lambert93() -> Transformer:
    return Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def _crs(data: dict) -> str:
    """'wgs84' or 'lambert93', from the (pre-RFC 7946) ``crs`` member; none means WGS84."""
    crs = data.get("crs")
    if crs is None:
        return "wgs84"
    name = str(((crs or {}).get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    compact = name.upper().replace("::", ":")
    if compact.endswith(":2154") or compact.endswith("EPSG:2154"):
        return "lambert93"
    if compact.endswith(":4326") or compact.endswith("CRS84"):
        return "wgs84"
    raise HeatNetworkFileError(
        [f"système de coordonnées « {name or crs} » non pris en charge (attendu : EPSG:4326 ou EPSG:2154)"]
    )


def _first(properties: dict, keys) -> tuple[str, object]:
    for key in keys:
        if key in properties and properties[key] not in (None, ""):
            return key, properties[key]
    return keys[0], None


def _number(value) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        number = float(str(value).strip().replace("\u202f", "").replace(" ", "").replace(",", "."))
    if not math.isfinite(number):
        raise ValueError
    return number


def _positions(geometry: dict) -> list[list]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if not isinstance(coords, list):
        raise ValueError("géométrie sans coordonnées")
    if kind == "LineString":
        parts = [coords]
    elif kind == "MultiLineString":
        parts = coords
    elif kind == "Point":
        parts = [[coords]]
    elif kind == "MultiPoint":
        parts = [[c] for c in coords]
    else:
        raise ValueError(f"géométrie « {kind} » non prise en charge (attendu : {', '.join(LINES + POINTS)})")
    if not parts or any(not isinstance(part, list) or not part for part in parts):
        raise ValueError("géométrie vide")
    if kind in LINES and any(len(part) < 2 for part in parts):
        raise ValueError("une ligne du tracé a moins de deux positions")
    for part in parts:
        for position in part:
            if (
                not isinstance(position, list)
                or len(position) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])
                or not all(math.isfinite(v) for v in position[:2])
            ):
                raise ValueError(f"position {position!r} invalide")
    return parts


def _to_wgs84(parts: list[list], crs: str) -> list[list[tuple[float, float]]]:
    result = []
    for part in parts:
        xs, ys = [float(p[0]) for p in part], [float(p[1]) for p in part]
        if crs == "lambert93":
            if not all(-1e5 <= x <= 1.5e6 for x in xs) or not all(5.9e6 <= y <= 7.2e6 for y in ys):
                raise ValueError("coordonnées hors de l'emprise de Lambert-93 (France métropolitaine)")
            xs, ys = _from_lambert93().transform(xs, ys)
        elif not all(-180 <= x <= 180 for x in xs) or not all(-90 <= y <= 90 for y in ys):
            raise ValueError(
                "coordonnées hors des bornes de WGS84 (en mètres ? indiquez le membre crs EPSG:2154)"
            )
        result.append([(round(float(x), 7), round(float(y), 7)) for x, y in zip(xs, ys, strict=True)])
    return result


def read_heat_networks(content: bytes, *, max_errors: int = 100) -> list[ParsedNetwork]:
    """The networks of a GeoJSON file (bytes), in the order of the file; all of them or an error."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise HeatNetworkFileError(["le fichier n'est pas du texte UTF-8 (GeoJSON attendu)"]) from None
    except json.JSONDecodeError as error:
        raise HeatNetworkFileError([f"JSON invalide, ligne {error.lineno} : {error.msg}"]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise HeatNetworkFileError(["un GeoJSON de type FeatureCollection est attendu"])
    features = data.get("features")
    if not isinstance(features, list):
        raise HeatNetworkFileError(["le membre « features » manque ou n'est pas une liste"])
    crs = _crs(data)
    errors: list[str] = []
    networks: dict[str, ParsedNetwork] = {}
    for number, feature in enumerate(features, start=1):
        where = f"entité {number}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(f"{where} : un objet Feature est attendu")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            errors.append(f"{where}, propriétés : un objet est attendu")
            continue
        key, identifier = _first(properties, ID_KEYS)
        identifier = str(identifier).strip() if identifier is not None else ""
        if not identifier:
            errors.append(f"{where}, propriété « {key} » : identifiant du réseau manquant")
        elif len(identifier) > 20:
            errors.append(f"{where}, propriété « {key} » : identifiant de plus de 20 caractères")
        values = {}
        for label, keys in (("deliveries", DELIVERIES_KEYS), ("renewable", RENEWABLE_KEYS)):
            key, raw = _first(properties, keys)
            values[label] = None
            if raw is None:
                continue
            try:
                values[label] = _number(raw)
            except (TypeError, ValueError):
                errors.append(f"{where}, propriété « {key} » : « {raw} » n'est pas un nombre")
                continue
            if values[label] < 0 or (label == "renewable" and values[label] > 100):
                bound = "entre 0 et 100" if label == "renewable" else "positif"
                errors.append(f"{where}, propriété « {key} » : {raw} n'est pas {bound}")
        texts = {}
        for label, keys, size in (("name", NAME_KEYS, 200), ("operator", OPERATOR_KEYS, 200)):
            key, raw = _first(properties, keys)
            text = " ".join(str(raw).split()) if raw is not None else ""
            if any(ord(c) < 32 for c in text) or len(text) > size:
                errors.append(
                    f"{where}, propriété « {key} » : texte invalide ou de plus de {size} caractères"
                )
            texts[label] = text
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict):
            errors.append(f"{where}, géométrie : manquante (tracé ou position attendu)")
            continue
        try:
            parts = _to_wgs84(_positions(geometry), crs)
        except ValueError as error:
            errors.append(f"{where}, géométrie : {error}")
            continue
        if len(errors) >= max_errors or not identifier:
            continue
        has_trace = geometry["type"] in LINES
        network = networks.get(identifier)
        if network is None:
            networks[identifier] = ParsedNetwork(
                identifier=identifier,
                name=texts["name"] or f"Réseau {identifier}",
                operator=texts["operator"],
                deliveries_mwh=values["deliveries"],
                renewable_share=values["renewable"],
                parts=parts,
                has_trace=has_trace,
                features=[number],
            )
            continue
        if network.has_trace != has_trace:
            errors.append(
                f"{where}, géométrie : le réseau {identifier} (entité {network.features[0]}) "
                "mêle tracé et position"
            )
            continue
        if values["deliveries"] is not None and network.deliveries_mwh not in (None, values["deliveries"]):
            errors.append(
                f"{where}, propriété « livraisons_totale_MWh » : {values['deliveries']} ne concorde pas avec "
                f"l'entité {network.features[0]} du même réseau ({network.deliveries_mwh})"
            )
            continue
        network.parts.extend(parts)
        network.features.append(number)
        network.deliveries_mwh = (
            network.deliveries_mwh if network.deliveries_mwh is not None else values["deliveries"]
        )
    if errors:
        raise HeatNetworkFileError(
            errors[:max_errors]
            + ([f"… et {len(errors) - max_errors} autres erreurs"] if len(errors) > max_errors else [])
        )
    if not networks:
        raise HeatNetworkFileError(["aucun réseau dans le fichier"])
    return list(networks.values())
