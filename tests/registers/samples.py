"""Small IREP zips written in the layout the README documents (section "Public registers")."""

import io
import zipfile

ESTABLISHMENT_HEADER = [
    "identifiant", "nom_etablissement", "numero_siret", "adresse", "code_postal", "commune", "departement",
    "region", "coordonnees_x", "coordonnees_y", "code_epsg", "code_ape", "libelle_ape", "code_eprtr",
    "libelle_eprtr",
]  # fmt: skip
WASTE_HEADER = [
    "identifiant", "nom_etablissement", "annee", "code_operation_eliminatio_valorisation",
    "libelle_operation_eliminatio_valorisation", "code_departement", "pays", "code_dechet", "libelle_dechet",
    "quantite", "unite",
]  # fmt: skip
TREATMENT_HEADER = [*WASTE_HEADER[:9], "quantite_admise", "quantite_traitee", "unite"]


def establishment_row(identifier, name, siret, commune, postcode="76170"):
    return [identifier, name, siret, "1 rue du Port", postcode, commune, "Seine-Maritime", "Normandie",
            "512345", "6945678", "2154", "1712Z", "Fabrication de papier", "", ""]  # fmt: skip


def waste_row(
    identifier, name, code, label, quantity, operation="D10", year="2022", department="76", country=""
):
    label_of_operation = "Incinération à terre" if operation.startswith("D") else "Recyclage"
    return [identifier, name, year, operation, label_of_operation,
            department, country, code, label, quantity, "tonnes/an"]  # fmt: skip


def treatment_row(identifier, name, code, label, admitted, treated, operation="R3", year="2022"):
    return [
        identifier,
        name,
        year,
        operation,
        "Recyclage",
        "76",
        "",
        code,
        label,
        admitted,
        treated,
        "tonnes/an",
    ]


def _csv(header, rows, delimiter=";"):
    lines = [delimiter.join(header)]
    for row in rows:
        lines.append(delimiter.join(f'"{c}"' if delimiter in str(c) else str(c) for c in row))
    return "\r\n".join(lines) + "\r\n"


def irep_zip(
    establishments,
    produced_hazardous=(),
    produced=(),
    treated=(),
    *,
    encoding="utf-8",
    delimiter=";",
    header_case=str,
    folder="2022/",
):
    """The zip's bytes; ``header_case`` transforms the header names (variants of case and accents)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:

        def put(name, header, rows):
            text = _csv([header_case(h) for h in header], rows, delimiter)
            archive.writestr(folder + name, text.encode(encoding))

        put("etablissements.csv", ESTABLISHMENT_HEADER, establishments)
        if produced_hazardous:
            put("Prod_dechets_dangereux.csv", WASTE_HEADER, produced_hazardous)
        put("Prod_dechets_non_dangereux.csv", WASTE_HEADER, produced)
        if treated:
            put("Trait_dechets_non_dangereux.csv", TREATMENT_HEADER, treated)
    buffer.seek(0)
    return buffer
