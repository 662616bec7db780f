"""Reader of the IREP / GEREP yearly zip (Registre des émissions polluantes, Géorisques, Licence Ouverte).

The zip holds one CSV per table; the ones read here (layout in the README, section "Public registers"):

- ``etablissements``: identifiant, nom_etablissement, numero_siret, adresse, code_postal, commune,
  departement, region, coordonnees_x, coordonnees_y, code_epsg, code_ape, libelle_ape (optionally
  code_insee);
- ``Prod_dechets_dangereux`` and ``Prod_dechets_non_dangereux``: identifiant, nom_etablissement, annee,
  code_operation_eliminatio_valorisation (sic), libelle_operation_eliminatio_valorisation,
  code_departement, pays, code_dechet ("07 07 08*"), libelle_dechet, quantite, unite (t/an);
- ``Trait_dechets_dangereux`` and ``Trait_dechets_non_dangereux``: the same with quantite_admise and
  quantite_traitee instead of quantite.

Column names are compared without accents, case, spaces or hyphens, and a few variants are accepted
(``siret``, ``code_operation``, ``quantité``…); files may be UTF-8 or Windows-1252, separated by « ; » or
« , ». A quantity given as below the reporting threshold (« < seuil », « <2 ») is kept as such: the line
says ``below_threshold`` and its quantity is the threshold (2 t/yr of hazardous waste, 2,000 t/yr of
non-hazardous waste, arrêté du 31 janvier 2008, art. 4), an upper bound, never 0.

>>> parse_quantity("< seuil", 2.0)
(2.0, True)
>>> parse_quantity("1 234,5", 2.0)
(1234.5, False)
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

__all__ = [
    "THRESHOLDS_T",
    "IrepEstablishment",
    "IrepFile",
    "IrepRejected",
    "RowError",
    "WasteLine",
    "parse_quantity",
    "read_irep",
]

#: Reporting thresholds of waste production (t/yr), arrêté du 31 janvier 2008, article 4-II.
THRESHOLDS_T = {"hazardous": 2.0, "non_hazardous": 2000.0}

#: Table of the zip -> (direction of the flow, hazardous). Production: the site gives the waste off
#: ("out"); treatment: the site receives and treats it ("in").
WASTE_TABLES = {
    "prod_dechets_dangereux": ("out", True),
    "prod_dechets_non_dangereux": ("out", False),
    "trait_dechets_dangereux": ("in", True),
    "trait_dechets_non_dangereux": ("in", False),
}
ESTABLISHMENTS_TABLE = "etablissements"
MAX_ERRORS = 50

# Accepted column names (normalised: no accents, lower case, underscores) for each field.
COLUMNS = {
    "identifier": ("identifiant", "id", "identifiant_etablissement", "code_etablissement"),
    "name": ("nom_etablissement", "nom", "raison_sociale", "nom_de_l_etablissement"),
    "siret": ("numero_siret", "siret", "n_siret", "no_siret", "num_siret"),
    "address": ("adresse",),
    "postcode": ("code_postal", "cp"),
    "commune": ("commune", "ville", "nom_commune", "libelle_commune"),
    "insee_code": ("code_insee", "code_commune", "insee", "code_commune_insee"),
    "x": ("coordonnees_x", "x", "coordonnee_x", "longitude"),
    "y": ("coordonnees_y", "y", "coordonnee_y", "latitude"),
    "epsg": ("code_epsg", "epsg"),
    "year": ("annee", "annee_emission", "annee_declaration"),
    "waste_code": ("code_dechet", "code_du_dechet"),
    "waste_label": ("libelle_dechet", "dechet", "libelle_du_dechet"),
    "quantity": ("quantite", "quantite_t_an", "quantite_produite"),
    "treated": ("quantite_traitee",),
    "admitted": ("quantite_admise",),
    "unit": ("unite",),
    "operation": (
        "code_operation_eliminatio_valorisation",
        "code_operation_elimination_valorisation",
        "code_operation",
        "code_operation_traitement",
        "operation",
    ),
    "operation_label": (
        "libelle_operation_eliminatio_valorisation",
        "libelle_operation_elimination_valorisation",
        "libelle_operation",
    ),
    "department": ("code_departement", "departement_destination", "departement"),
    "country": ("pays", "pays_destination"),
}
REQUIRED_ESTABLISHMENT = ("identifier", "name")
REQUIRED_WASTE = ("identifier", "waste_code")

_UNITS_T = {"t/an": 1.0, "tonnes/an": 1.0, "tonne/an": 1.0, "t": 1.0, "tonnes": 1.0, "kg/an": 0.001}
_OPERATION = re.compile(r"^([RD])\s*0*(\d{1,2})$")
_THRESHOLD_WORDS = ("seuil", "inferieur", "<")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _column_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(name).lstrip("\ufeff")).strip("_")


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.row}" if self.row else self.file
        return f"{where}, {self.field} : {self.message}" if self.field else f"{where} : {self.message}"


class IrepRejected(ValueError):
    """The zip is refused; ``errors`` names file, row and field of each problem (the first ones)."""

    def __init__(self, errors: list[RowError], omitted: int = 0) -> None:
        self.errors = errors
        self.omitted = omitted
        super().__init__("; ".join(map(str, errors[:3])))


@dataclass(frozen=True)
class IrepEstablishment:
    identifier: str
    name: str
    siret: str
    commune: str
    insee_code: str
    postcode: str


@dataclass(frozen=True)
class WasteLine:
    file: str
    row: int
    identifier: str
    direction: str  # out: produced; in: received and treated on the site
    year: int | None
    waste_code: str  # "07 07 08", as in the List of Waste
    hazardous: bool
    waste_label: str
    quantity_t: float  # the threshold when below_threshold
    below_threshold: bool
    operation: str  # "D10", "R3" or ""
    operation_label: str
    destination: str  # département or country of the treatment (production lines)


@dataclass
class IrepFile:
    year: int | None
    establishments: dict[str, IrepEstablishment]
    lines: list[WasteLine]
    tables: list[str] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)


def parse_quantity(raw: str, threshold: float) -> tuple[float, bool]:
    """``(quantity in t, below_threshold)``; raises ValueError for what is not a quantity."""
    text = fold(raw).replace("\u00a0", " ").replace("\u202f", " ")
    if not text:
        raise ValueError("quantité manquante")
    if any(word in text for word in _THRESHOLD_WORDS):
        number = re.search(r"\d+(?:[.,]\d+)?", text.replace(" ", ""))
        return (float(number.group().replace(",", ".")) if number else threshold), True
    compact = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", compact):
        compact = compact.replace(".", "")
    compact = compact.replace(",", ".")
    try:
        value = float(compact)
    except ValueError:
        raise ValueError(f"quantité illisible {raw!r}") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"quantité invalide {raw!r}")
    return value, False


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def _rows(name: str, data: bytes):
    text, encoding = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise IrepRejected([RowError(name, 0, "", "fichier vide")])
    keys = [_column_key(h) for h in header]
    return keys, reader, encoding


def _columns(name: str, keys: list[str], required: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for wanted, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in keys:
                found[wanted] = keys.index(alias)
                break
    missing = [COLUMNS[f][0] for f in required if f not in found]
    if missing:
        raise IrepRejected([RowError(name, 1, col, "colonne absente") for col in missing])
    return found


def _table(member: str) -> str | None:
    base = _column_key(member.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    if base.startswith(ESTABLISHMENTS_TABLE):
        return ESTABLISHMENTS_TABLE
    # The longest name first: "prod_dechets_non_dangereux" also starts like "prod_dechets_".
    for table in sorted(WASTE_TABLES, key=len, reverse=True):
        if base.startswith(table):
            return table
    return None


def _operation(raw: str) -> str:
    match = _OPERATION.match(fold(raw).upper().replace(" ", ""))
    if not match:
        return ""
    letter, number = match.group(1), int(match.group(2))
    if (letter == "D" and 1 <= number <= 15) or (letter == "R" and 1 <= number <= 13):
        return f"{letter}{number}"
    return ""


def _waste_code(raw: str) -> tuple[str, bool] | None:
    hazardous = "*" in raw
    digits = re.sub(r"\D", "", raw)
    if len(digits) != 6:
        return None
    return f"{digits[:2]} {digits[2:4]} {digits[4:]}", hazardous


def read_irep(source, *, year: int | None = None) -> IrepFile:
    """Read an IREP yearly zip (a path or a binary file object). With ``year``, only that year's lines are
    kept; without it, the file must hold one year. Raises :class:`IrepRejected`, nothing half-read."""
    errors: list[RowError] = []
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise IrepRejected([RowError("zip", 0, "", "ce fichier n'est pas une archive zip")]) from None
    with archive:
        members = {}
        for info in archive.infolist():
            table = _table(info.filename) if not info.is_dir() else None
            if table and table not in members:
                members[table] = info
        if ESTABLISHMENTS_TABLE not in members:
            raise IrepRejected([RowError("zip", 0, "", "fichier etablissements.csv absent de l'archive")])
        if not any(t in members for t in WASTE_TABLES):
            raise IrepRejected(
                [RowError("zip", 0, "", "aucun fichier de déchets (Prod_dechets_… ou Trait_dechets_…)")]
            )
        result = IrepFile(year=year, establishments={}, lines=[], tables=sorted(members))
        est_info = members[ESTABLISHMENTS_TABLE]
        name = est_info.filename
        keys, reader, result.encodings[name] = _rows(name, archive.read(est_info))
        cols = _columns(name, keys, REQUIRED_ESTABLISHMENT)
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue

            def cell(key, row=row):
                i = cols.get(key)
                return row[i].strip() if i is not None and i < len(row) else ""

            identifier = cell("identifier")
            if not identifier:
                errors.append(RowError(name, number, "identifiant", "identifiant manquant"))
                continue
            siret = re.sub(r"\D", "", cell("siret"))
            if siret and len(siret) != 14:
                errors.append(
                    RowError(
                        name, number, "numero_siret", f"SIRET de 14 chiffres attendu, lu {cell('siret')!r}"
                    )
                )
                continue
            result.establishments[identifier] = IrepEstablishment(
                identifier, cell("name"), siret, cell("commune"), cell("insee_code"), cell("postcode")
            )
        years: set[int] = set()
        for table, (direction, hazardous_table) in WASTE_TABLES.items():
            if table not in members:
                continue
            info = members[table]
            name = info.filename
            keys, reader, result.encodings[name] = _rows(name, archive.read(info))
            cols = _columns(name, keys, REQUIRED_WASTE)
            if direction == "out" and "quantity" not in cols:
                errors.append(RowError(name, 1, "quantite", "colonne absente"))
                continue
            if direction == "in" and not ({"treated", "admitted", "quantity"} & set(cols)):
                errors.append(RowError(name, 1, "quantite_traitee", "colonne absente"))
                continue
            threshold = THRESHOLDS_T["hazardous" if hazardous_table else "non_hazardous"]
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue

                def cell(key, row=row, cols=cols):
                    i = cols.get(key)
                    return row[i].strip() if i is not None and i < len(row) else ""

                line_errors = len(errors)
                identifier = cell("identifier")
                if not identifier:
                    errors.append(RowError(name, number, "identifiant", "identifiant manquant"))
                elif identifier not in result.establishments:
                    errors.append(
                        RowError(
                            name,
                            number,
                            "identifiant",
                            f"établissement {identifier!r} absent d'etablissements.csv",
                        )
                    )
                code = _waste_code(cell("waste_code"))
                if code is None:
                    errors.append(
                        RowError(
                            name,
                            number,
                            "code_dechet",
                            f"code de six chiffres attendu, lu {cell('waste_code')!r}",
                        )
                    )
                line_year = None
                if cell("year"):
                    try:
                        line_year = int(cell("year"))
                    except ValueError:
                        errors.append(RowError(name, number, "annee", f"année illisible {cell('year')!r}"))
                quantity_key = next(k for k in ("quantity", "treated", "admitted") if k in cols)
                if direction == "in" and cell("treated"):
                    quantity_key = "treated"
                elif direction == "in" and cell("admitted"):
                    quantity_key = "admitted"
                factor = 1.0
                unit = fold(cell("unit")).replace(" ", "")
                if unit:
                    if unit not in _UNITS_T:
                        errors.append(
                            RowError(name, number, "unite", f"unité inconnue {cell('unit')!r} (t/an attendu)")
                        )
                    factor = _UNITS_T.get(unit, 1.0)
                try:
                    quantity, below = parse_quantity(cell(quantity_key), threshold)
                except ValueError as error:
                    errors.append(RowError(name, number, COLUMNS[quantity_key][0], str(error)))
                raw_operation = cell("operation")
                operation = _operation(raw_operation)
                if raw_operation and not operation:
                    errors.append(
                        RowError(
                            name,
                            number,
                            "code_operation_eliminatio_valorisation",
                            f"code R1 à R13 ou D1 à D15 attendu, lu {raw_operation!r}",
                        )
                    )
                if len(errors) > line_errors:
                    if len(errors) > MAX_ERRORS:
                        break
                    continue
                if year is not None and line_year is not None and line_year != year:
                    continue
                if line_year is not None:
                    years.add(line_year)
                waste_code, hazardous = code
                country = cell("country")
                department = cell("department")
                destination = country or (f"département {department.zfill(2)}" if department else "")
                result.lines.append(
                    WasteLine(
                        file=name,
                        row=number,
                        identifier=identifier,
                        direction=direction,
                        year=line_year,
                        waste_code=waste_code,
                        hazardous=hazardous or hazardous_table,
                        waste_label=cell("waste_label"),
                        quantity_t=quantity * factor,
                        below_threshold=below,
                        operation=operation,
                        operation_label=cell("operation_label"),
                        destination=destination,
                    )
                )
        if errors:
            raise IrepRejected(errors[:MAX_ERRORS], max(0, len(errors) - MAX_ERRORS))
        if year is None:
            if len(years) > 1:
                listed = ", ".join(map(str, sorted(years)))
                raise IrepRejected(
                    [RowError("zip", 0, "annee", f"plusieurs années ({listed}) : choisissez-en une")]
                )
            result.year = next(iter(years), None)
        if result.year is None:
            raise IrepRejected([RowError("zip", 0, "annee", "année absente des fichiers : indiquez-la")])
        return result
