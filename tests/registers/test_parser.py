"""Reading the IREP yearly zip: its layout and variants, thresholds, encodings and bad rows."""

import io

import pytest

from tests.registers.samples import establishment_row, irep_zip, treatment_row, waste_row
from tremplin.registers.irep import IrepRejected, parse_quantity, read_irep

SITE = establishment_row("0065.12345", "Papeterie de Caux", "40000000100013", "Lillebonne")


def test_production_and_treatment_lines_are_read_with_their_operation_and_destination():
    irep = read_irep(
        irep_zip(
            [SITE],
            produced_hazardous=[waste_row("0065.12345", "Papeterie", "14 06 03*", "Solvants", "3,5", "D10")],
            produced=[waste_row("0065.12345", "Papeterie", "03 03 07", "Refus", "1 250,5", "R3", country="")],
            treated=[treatment_row("0065.12345", "Papeterie", "15 01 01", "Emballages", "900", "850")],
        )
    )
    assert irep.year == 2022
    assert irep.establishments["0065.12345"].siret == "40000000100013"
    by_code = {line.waste_code: line for line in irep.lines}
    solvent, rejects, packaging = by_code["14 06 03"], by_code["03 03 07"], by_code["15 01 01"]
    assert (solvent.direction, solvent.waste_code, solvent.hazardous, solvent.quantity_t) == (
        "out", "14 06 03", True, 3.5,
    )  # fmt: skip
    assert (solvent.operation, solvent.destination) == ("D10", "département 76")
    assert (rejects.quantity_t, rejects.operation) == (1250.5, "R3")
    # A treatment line: the site receives the waste; the quantity treated, not admitted.
    assert (packaging.direction, packaging.quantity_t, packaging.operation) == ("in", 850.0, "R3")


@pytest.mark.parametrize(
    ("raw", "threshold", "expected"),
    [
        ("< seuil", 2.0, (2.0, True)),
        ("<seuil", 2000.0, (2000.0, True)),
        ("Inférieur au seuil", 2000.0, (2000.0, True)),
        ("< 2", 2000.0, (2.0, True)),
        ("12.5", 2.0, (12.5, False)),
        ("1.234,5", 2.0, (1234.5, False)),
        ("0", 2.0, (0.0, False)),
    ],
)
def test_quantities_and_values_below_the_reporting_threshold(raw, threshold, expected):
    assert parse_quantity(raw, threshold) == expected


def test_a_line_below_the_threshold_stands_at_the_threshold_of_its_file_never_at_zero():
    irep = read_irep(
        irep_zip(
            [SITE],
            produced_hazardous=[waste_row("0065.12345", "P", "14 06 03*", "Solvants", "< seuil")],
            produced=[waste_row("0065.12345", "P", "03 03 07", "Refus", "< seuil")],
        )
    )
    by_code = {line.waste_code: line for line in irep.lines}
    assert (by_code["14 06 03"].quantity_t, by_code["14 06 03"].below_threshold) == (2.0, True)
    assert (by_code["03 03 07"].quantity_t, by_code["03 03 07"].below_threshold) == (2000.0, True)


def _fold_header(name):
    # Excel-like variants: capitals and accents in the header names.
    return {"annee": "Année", "quantite": "Quantité", "numero_siret": "Numéro SIRET"}.get(name, name.upper())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_encodings_separators_and_header_variants(encoding, delimiter):
    site = establishment_row("1", "Scierie Émile", "40000000100013", "Bolbec")
    irep = read_irep(
        irep_zip(
            [site],
            produced=[waste_row("1", "Scierie Émile", "03 01 05", "Sciures, copeaux", "40")],
            encoding=encoding,
            delimiter=delimiter,
            header_case=_fold_header,
        )
    )
    assert irep.establishments["1"].name == "Scierie Émile"
    assert [(line.waste_code, line.quantity_t) for line in irep.lines] == [("03 01 05", 40.0)]
    assert set(irep.encodings.values()) == {"Windows-1252" if encoding == "cp1252" else "UTF-8"}


def test_bad_rows_are_all_named_with_file_row_and_field():
    with pytest.raises(IrepRejected) as refused:
        read_irep(
            irep_zip(
                [SITE, establishment_row("2", "Autre", "123", "Bolbec")],
                produced=[
                    waste_row("0065.12345", "P", "03 03 07", "Refus", "beaucoup"),
                    waste_row("0065.12345", "P", "03 03", "Refus", "4"),
                    waste_row("999", "P", "03 03 07", "Refus", "4"),
                    waste_row("0065.12345", "P", "03 03 07", "Refus", "4", operation="X9"),
                ],
            )
        )
    messages = [str(error) for error in refused.value.errors]
    assert (
        messages[0]
        == "2022/etablissements.csv, ligne 3, numero_siret : SIRET de 14 chiffres attendu, lu '123'"
    )
    assert (
        "2022/Prod_dechets_non_dangereux.csv, ligne 2, quantite : quantité illisible 'beaucoup'" in messages
    )
    assert any("ligne 3, code_dechet" in m for m in messages)
    assert any("ligne 4, identifiant" in m and "'999'" in m for m in messages)
    assert any("ligne 5, code_operation_eliminatio_valorisation" in m and "X9" in m for m in messages)


def test_several_years_need_a_choice_and_the_year_filters_the_lines():
    archive = irep_zip(
        [SITE],
        produced=[
            waste_row("0065.12345", "P", "03 03 07", "Refus", "4", year="2021"),
            waste_row("0065.12345", "P", "03 03 07", "Refus", "5", year="2022"),
        ],
    )
    with pytest.raises(IrepRejected, match="plusieurs années"):
        read_irep(archive)
    archive.seek(0)
    irep = read_irep(archive, year=2021)
    assert (irep.year, [line.quantity_t for line in irep.lines]) == (2021, [4.0])


def test_a_file_that_is_not_a_zip_or_lacks_the_establishments_is_refused():
    with pytest.raises(IrepRejected, match="archive zip"):
        read_irep(io.BytesIO(b"identifiant;nom\n"))
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Prod_dechets_dangereux.csv", "identifiant;code_dechet;quantite\n")
    with pytest.raises(IrepRejected, match=r"etablissements\.csv absent"):
        read_irep(buffer)
