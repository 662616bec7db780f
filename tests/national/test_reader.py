"""Reading the national SIRENE file: what is kept, where it is placed, what is refused."""

import pyarrow as pa
import pytest

from tests.national.samples import COMMUNES, EPCI, Row, sample, siret, write_csv, write_parquet
from tremplin.national.geography import load_geography
from tremplin.national.reader import InputFileError, ReadStats, read_establishments


def read(path):
    stats = ReadStats()
    tables = list(read_establishments(path, load_geography(), stats))
    table = pa.concat_tables(tables) if tables else None
    return stats, table


@pytest.mark.parametrize("write", [write_csv, write_parquet], ids=["csv", "parquet"])
def test_active_establishments_with_employees_are_kept_and_counted(tmp_path, write):
    data = sample(per_commune=30)
    stats, table = read(write(tmp_path / f"stock.{write.__name__[6:]}", data.rows))
    # 8 communes x (30 kept + 3 closed + 3 without employees) + 2 abroad = 290 rows.
    assert stats.rows == 290
    assert stats.kept == 240 == table.num_rows
    assert stats.closed == 24  # one of each commune's three with a NAF 1993 code: not checked
    assert stats.without_employees == 24  # NN, empty and 00
    assert stats.outside == 2
    assert stats.located_at_commune == 80  # every third establishment: [ND] coordinates
    assert stats.latest_processing == "2026-11-30"
    assert stats.error_count == 0
    assert sorted(table.column("siret").to_pylist()) == sorted(row.siret for row in data.kept)


def test_establishments_go_to_their_communes_epci_and_departement(tmp_path):
    data = sample(per_commune=3)
    _stats, table = read(write_csv(tmp_path / "stock.csv", data.rows))
    rows = table.to_pylist()
    by_siret = {row.siret: row.commune for row in data.kept}
    for row in rows:
        commune = by_siret[row["siret"]]
        assert row["commune"] == commune
        assert row["epci"] == EPCI[commune]
        assert row["partition"] == commune[:2]
    caen = [row for row in rows if row["commune"] == "14118"]
    assert {row["epci"] for row in caen} == {"200065597"}  # Communauté urbaine Caen la Mer


def test_coordinates_are_lambert93_and_missing_ones_a_point_of_the_commune(tmp_path):
    geography = load_geography()
    rows = [
        Row(siret(1), "14118", x="454000", y="6904000"),
        Row(siret(2), "14118", x="[ND]", y="[ND]"),
        Row(siret(3), "14118", x="454000,5", y="6904000,5"),  # decimal comma
    ]
    _stats, table = read(write_csv(tmp_path / "stock.csv", rows))
    first, second, third = table.to_pylist()
    # Lambert-93 (454 000, 6 904 000) is in Caen: 49.18 N, 0.37 W (IGN's inverse projection).
    assert first["lat"] == pytest.approx(49.18, abs=0.01)
    assert first["lon"] == pytest.approx(-0.37, abs=0.01)
    assert not first["at_commune"]
    caen = geography.commune("14118")
    assert (second["lon"], second["lat"], second["at_commune"]) == (caen.lon, caen.lat, True)
    assert third["lat"] == pytest.approx(first["lat"], abs=1e-4)


def test_municipal_arrondissements_count_for_their_commune(tmp_path):
    # SIRENE places the establishments of Paris in its arrondissements (75101-75120).
    _stats, table = read(write_csv(tmp_path / "stock.csv", [Row(siret(1), "75108"), Row(siret(2), "69383")]))
    assert table.column("commune").to_pylist() == ["75056", "69123"]
    assert table.column("epci").to_pylist() == ["200054781", "200046977"]  # Grand Paris, Métropole de Lyon


def test_a_semicolon_separated_file_is_read_too(tmp_path):
    data = sample(per_commune=2)
    stats, _table = read(write_csv(tmp_path / "stock.csv", data.rows, delimiter=";"))
    assert stats.kept == 16


def test_the_headcount_is_the_bands_representative(tmp_path):
    rows = [Row(siret(1), "14118", band="11"), Row(siret(2), "14118", band="53")]
    _stats, table = read(write_csv(tmp_path / "stock.csv", rows))
    assert table.column("headcount").to_pylist() == [14.0, 12000.0]  # 10-19 employees; 10 000 and more


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (Row("12345678901234", "14118"), "siret", "clé de contrôle"),
        (Row(siret(1), "14118", state="X"), "etatAdministratifEtablissement", "état inconnu 'X'"),
        (Row(siret(1), "1411"), "codeCommuneEtablissement", "code commune mal formé"),
        (Row(siret(1), "14118", naf="99.99Z"), "activitePrincipaleEtablissement", "code NAF rév. 2 inconnu"),
        (Row(siret(1), "14118", band="13"), "trancheEffectifsEtablissement", "tranche d'effectif"),
        (Row(siret(1), "14118", x="454000", y=""), "coordonneeLambertOrdonneeEtablissement", "une seule"),
        (Row(siret(1), "14118", x="54000", y="5904000"), "coordonneeLambertAbscisseEtablissement", "hors de"),
    ],
)
def test_a_bad_row_is_named_by_line_and_field(tmp_path, row, field, reason):
    rows = [Row(siret(100 + i), "14118") for i in range(3)]
    rows.insert(2, row)  # line 4: the header is line 1
    with pytest.raises(InputFileError) as raised:
        read(write_csv(tmp_path / "stock.csv", rows))
    (error,) = raised.value.errors
    assert (error.line, error.field) == (4, field)
    assert reason in error.reason
    assert f"stock.csv: ligne 4, {field} : " in str(raised.value)


def test_a_row_with_a_missing_field_is_named_and_lines_below_it_keep_their_numbers(tmp_path):
    path = write_csv(tmp_path / "stock.csv", [Row(siret(1), "14118"), Row(siret(2), "14118", band="13")])
    lines = path.read_text().splitlines()
    lines.insert(2, ",".join(lines[1].split(",")[:-1]))  # line 3: one field short
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputFileError) as raised:
        read(path)
    assert [(e.line, e.field) for e in raised.value.errors] == [(3, ""), (4, "trancheEffectifsEtablissement")]
    assert "ligne mal formée (19 champs au lieu de 20)" in raised.value.errors[0].reason


def test_a_file_without_a_required_column_is_refused_on_line_1(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text("siret,codeCommuneEtablissement\n" + siret(1) + ",14118\n")
    with pytest.raises(InputFileError) as raised:
        read(path)
    assert {(e.line, e.field) for e in raised.value.errors} == {
        (1, "etatAdministratifEtablissement"),
        (1, "activitePrincipaleEtablissement"),
        (1, "trancheEffectifsEtablissement"),
    }


def test_closed_rows_are_not_checked_beyond_identifier_and_state(tmp_path):
    rows = [Row(siret(1), "14118", state="F", naf="52.1A", band="13", x="1", y="")]
    stats, table = read(write_csv(tmp_path / "stock.csv", rows))
    assert (stats.closed, stats.error_count, table) == (1, 0, None)


def test_communes_of_the_sample_are_real(tmp_path):
    geography = load_geography()
    for code, siren in EPCI.items():
        assert geography.commune(code).epci == siren
    assert set(COMMUNES) == set(EPCI)
