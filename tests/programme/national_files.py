"""Small potentials files with exactly the columns of the contract of `tremplin potential` (TEAM13),
and their figures worked out by hand for the tests of tests/programme/test_national*.py.

Five EPCIs of the test geography (Normandy, and Dreux whose main region is Centre-Val de Loire):

| EPCI | dép. | rég. | estab. | leads (sub + mut) | per 100 | t/year | t CO2e | €/year | score |
|---|---|---|---|---|---|---|---|---|---|
| Caux Seine 200010700 | 76 | 28 | 400 | 30 (20 + 10) | 7.5 | 5000 | 1200 | 250000 | 250.0 |
| Le Havre 200084952 | 76 | 28 | 1000 | 40 (25 + 15) | 4.0 | 9000 | 3000 | 900000 | 900.0 |
| Caen la Mer 200065597 | 14 | 28 | 800 | 80 (50 + 30) | 10.0 | 2000 | 500 | 120000 | 120.0 |
| Alençon 246100663 | 61 | 28 | 0 | 0 | — | 0 | 0 | 0 | 0.0 |
| Dreux 200040277 | 28 | 24 | 200 | 5 (3 + 2) | 2.5 | 700 | 100 | 50000 | 50.0 |
"""

import csv
import io

CAUX_SEINE, LE_HAVRE, CAEN, ALENCON, DREUX = "200010700", "200084952", "200065597", "246100663", "200040277"
# As `tremplin potential` writes it: one sentence per EPCI, naming that EPCI's establishments.
SOURCE = (
    "Potentiel estimé (mode déductif) à partir des profils sectoriels de la base de connaissances "
    "Tremplin kb-2026.11 appliqués aux {n} établissements actifs employeurs de l'EPCI, lus dans "
    "StockEtablissement_test.csv, stock SIRENE traité jusqu'au 2026-11-01 (2 400 lignes lues, "
    "2 400 établissements retenus) ; aucun flux déclaré."
)
COMPUTED_AT = "2026-11-20T10:30:00+00:00"
KB_VERSION = "kb-2026.11"

COLUMNS = [
    "epci",
    "name",
    "departement",
    "region",
    "establishments",
    "employees",
    "leads",
    "substitution_leads",
    "mutualisation_leads",
    "tonnes_per_year",
    "co2e_t_per_year",
    "gain_eur_per_year",
    "score",
    "basis",
    "source",
    "computed_at",
    "kb_version",
]
FAMILY_COLUMNS = ["epci", "family", "leads", "tonnes_per_year", "co2e_t_per_year", "gain_eur_per_year"]

_FIGURES = {
    CAUX_SEINE: ("Caux Seine Agglo", "76", "28", 400, 12000.5, 30, 20, 10, 5000, 1200, 250000, 250.0),
    LE_HAVRE: ("Le Havre Seine Métropole", "76", "28", 1000, 50000, 40, 25, 15, 9000, 3000, 900000, 900.0),
    CAEN: ("Caen la Mer", "14", "28", 800, 30000, 80, 50, 30, 2000, 500, 120000, 120.0),
    ALENCON: ("CU d'Alençon", "61", "28", 0, 0, 0, 0, 0, 0, 0, 0, 0.0),
    DREUX: ("Agglo du Pays de Dreux", "28", "24", 200, 6000, 5, 3, 2, 700, 100, 50000, 50.0),
}


def source_of(siren: str) -> str:
    return SOURCE.format(n=_FIGURES[siren][3])


def rows(
    sirens=None, *, source=None, computed_at=COMPUTED_AT, kb_version=KB_VERSION, **overrides
) -> list[dict]:
    """One dict per EPCI (all five by default), with every contract column; ``source``: one sentence
    for every row instead of each EPCI's own."""
    result = []
    for siren in sirens or list(_FIGURES):
        values = dict(zip(COLUMNS[1:13], _FIGURES[siren], strict=True))
        values.update(
            epci=siren,
            basis="estimated",
            source=source or source_of(siren),
            computed_at=computed_at,
            kb_version=kb_version,
        )
        values.update(overrides.get(siren, {}))
        result.append({column: values[column] for column in COLUMNS if column in values})
    return result


def family_rows() -> list[dict]:
    return [
        {
            "epci": CAUX_SEINE,
            "family": "bois",
            "leads": 12,
            "tonnes_per_year": 3000,
            "co2e_t_per_year": 700,
            "gain_eur_per_year": 150000,
        },
        {
            "epci": CAUX_SEINE,
            "family": "chaleur",
            "leads": 18,
            "tonnes_per_year": 2000,
            "co2e_t_per_year": 500,
            "gain_eur_per_year": 100000,
        },
        {
            "epci": LE_HAVRE,
            "family": "vapeur",
            "leads": 40,
            "tonnes_per_year": 9000,
            "co2e_t_per_year": 3000,
            "gain_eur_per_year": 900000,
        },
    ]


def csv_bytes(records: list[dict], columns=None) -> bytes:
    columns = columns or list(records[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(record)
    return out.getvalue().encode("utf-8")


def parquet_bytes(records: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(records), sink)
    return sink.getvalue()
