"""The files of a national run, with exactly the columns of the contract with the platform (TEAM13.md):
``potentials.parquet``/``.csv`` (one row per EPCI), ``potentials_by_family.parquet``/``.csv``,
``epci.geojson`` (EPCIs in WGS84 with the potentials row as properties) and ``manifest.json``.

Every file is written under a temporary name and renamed into place, so a reader never sees half a file;
they are written only once every partition is done.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from tremplin.engine.partition import AreaPotential
from tremplin.geo import datafrance
from tremplin.national.geography import Geography

__all__ = [
    "BY_FAMILY_COLUMNS",
    "POTENTIAL_COLUMNS",
    "by_family_rows",
    "epci_geometries",
    "potential_rows",
    "write_outputs",
]

POTENTIAL_SCHEMA = pa.schema(
    [
        ("epci", pa.string()),
        ("name", pa.string()),
        ("departement", pa.string()),
        ("region", pa.string()),
        ("establishments", pa.int64()),
        ("employees", pa.float64()),
        ("leads", pa.int64()),
        ("substitution_leads", pa.int64()),
        ("mutualisation_leads", pa.int64()),
        ("tonnes_per_year", pa.float64()),
        ("co2e_t_per_year", pa.float64()),
        ("gain_eur_per_year", pa.float64()),
        ("score", pa.float64()),
        ("basis", pa.string()),
        ("source", pa.string()),
        ("computed_at", pa.string()),
        ("kb_version", pa.string()),
    ]
)
BY_FAMILY_SCHEMA = pa.schema(
    [
        ("epci", pa.string()),
        ("family", pa.string()),
        ("leads", pa.int64()),
        ("tonnes_per_year", pa.float64()),
        ("co2e_t_per_year", pa.float64()),
        ("gain_eur_per_year", pa.float64()),
    ]
)
POTENTIAL_COLUMNS = POTENTIAL_SCHEMA.names
BY_FAMILY_COLUMNS = BY_FAMILY_SCHEMA.names
#: Douglas–Peucker tolerance of the EPCI outlines (degrees, about 300 m): a national file of a few MB.
SIMPLIFY_DEGREES = 0.003


def _french(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def source_sentence(
    source_name: str, stats: Mapping, kb_version: str, establishments: int, max_distance_km: float
) -> str:
    """The readable sentence saying what a potentials row rests on."""
    stock = (
        f", stock SIRENE traité jusqu'au {stats['latest_processing']}"
        if stats.get("latest_processing")
        else ""
    )
    distance = f"{max_distance_km:g}".replace(".", ",")
    return (
        f"Potentiel estimé (mode déductif) à partir des profils sectoriels de la base de connaissances "
        f"Tremplin {kb_version} appliqués aux {_french(establishments)} établissements actifs employeurs de "
        f"l'EPCI, lus dans {source_name}{stock} ({_french(stats['rows'])} lignes lues, "
        f"{_french(stats['kept'])} établissements retenus), pour des échanges à moins de "
        f"{distance} km par la route ; aucun flux déclaré."
    )


def potential_rows(
    areas: Mapping[str, AreaPotential],
    geography: Geography,
    *,
    source_name: str,
    stats: Mapping,
    kb_version: str,
    computed_at: str,
    max_distance_km: float,
) -> list[dict]:
    rows = []
    for siren in sorted(areas):
        area, epci = areas[siren], geography.epcis[siren]
        rows.append(
            {
                "epci": siren,
                "name": epci.name,
                "departement": epci.departement,
                "region": epci.region,
                "establishments": area.establishments,
                "employees": area.employees,
                "leads": area.leads,
                "substitution_leads": area.substitution_leads,
                "mutualisation_leads": area.mutualisation_leads,
                "tonnes_per_year": round(area.tonnes_per_year, 3),
                "co2e_t_per_year": round(area.co2e_t_per_year, 3),
                "gain_eur_per_year": round(area.gain_eur_per_year, 2),
                "score": round(area.gain_eur_per_year / 1000.0, 1),
                "basis": "estimated",
                "source": source_sentence(
                    source_name, stats, kb_version, area.establishments, max_distance_km
                ),
                "computed_at": computed_at,
                "kb_version": kb_version,
            }
        )
    return rows


def by_family_rows(areas: Mapping[str, AreaPotential]) -> list[dict]:
    return [
        {
            "epci": siren,
            "family": family,
            "leads": leads,
            "tonnes_per_year": round(tonnes, 3),
            "co2e_t_per_year": round(co2e, 3),
            "gain_eur_per_year": round(gain, 2),
        }
        for siren in sorted(areas)
        for family, (leads, tonnes, co2e, gain) in areas[siren].by_family.items()
    ]


def epci_geometries(geography: Geography, sirens: Iterable[str]) -> dict[str, dict]:
    """GeoJSON geometries (WGS84) of the EPCIs: the union of their communes, simplified (Douglas–Peucker,
    :data:`SIMPLIFY_DEGREES`) and rounded to 1e-5 degree (about a metre)."""
    wanted = set(sirens)
    members: dict[str, list] = {}
    for row in datafrance.read_communes():
        commune = geography.communes.get(row.insee_code)
        if commune is None or commune.epci not in wanted or not row.geometry_wkb_hex:
            continue
        members.setdefault(commune.epci, []).append(bytes.fromhex(row.geometry_wkb_hex))
    order = sorted(members)
    shapes = [shapely.union_all(shapely.make_valid(shapely.from_wkb(members[s]))) for s in order]
    simplified = shapely.simplify(shapes, SIMPLIFY_DEGREES, preserve_topology=True)
    rounded = shapely.set_precision(simplified, 1e-5)
    return {siren: json.loads(shapely.to_geojson(shape)) for siren, shape in zip(order, rounded, strict=True)}


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _parquet_bytes(rows: list[dict], schema: pa.Schema) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), sink)
    return sink.getvalue()


def _csv_bytes(rows: list[dict], columns: list[str]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def write_outputs(
    out: Path, rows: list[dict], family_rows: list[dict], geometries: Mapping[str, dict], manifest: dict
) -> None:
    features = [
        {"type": "Feature", "geometry": geometries.get(row["epci"]), "properties": row} for row in rows
    ]
    geojson = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    _replace(out / "potentials.parquet", _parquet_bytes(rows, POTENTIAL_SCHEMA))
    _replace(out / "potentials.csv", _csv_bytes(rows, POTENTIAL_COLUMNS))
    _replace(out / "potentials_by_family.parquet", _parquet_bytes(family_rows, BY_FAMILY_SCHEMA))
    _replace(out / "potentials_by_family.csv", _csv_bytes(family_rows, BY_FAMILY_COLUMNS))
    _replace(out / "epci.geojson", geojson.encode("utf-8"))
    _replace(out / "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
