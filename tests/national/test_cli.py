"""``tremplin potential`` on the command line: bad input gives exit status 2 and writes no output."""

import pytest

from tests.national.samples import Row, sample, siret, write_csv
from tremplin.cli import main

OUTPUTS = {
    "potentials.csv",
    "potentials.parquet",
    "potentials_by_family.csv",
    "epci.geojson",
    "manifest.json",
}


def test_a_bad_row_is_named_and_nothing_is_written(tmp_path, capsys):
    rows = sample(per_commune=2).rows
    rows.insert(5, Row(siret(777), "14118", naf="10.71C", band="7"))  # line 7
    source = write_csv(tmp_path / "StockEtablissement.csv", rows)
    out = tmp_path / "out"
    status = main(
        ["potential", "--sirene", str(source), "--out", str(out), "--departements", "14", "--quiet"]
    )
    assert status == 2
    error = capsys.readouterr().err
    assert (
        f"{source}: ligne 7, trancheEffectifsEtablissement : tranche d'effectif INSEE inconnue ('7')" in error
    )
    assert not OUTPUTS & {p.name for p in out.rglob("*")}
    assert not (out / "partitions" / "split.json").exists()


def test_a_missing_file_and_an_unknown_departement_give_status_2(tmp_path, capsys):
    source = write_csv(tmp_path / "stock.csv", sample(per_commune=1).rows)
    assert main(["potential", "--sirene", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")]) == 2
    assert "none.csv: fichier : fichier introuvable" in capsys.readouterr().err
    assert (
        main(["potential", "--sirene", str(source), "--out", str(tmp_path / "o"), "--departements", "99"])
        == 2
    )
    assert "unknown département(s): 99" in capsys.readouterr().err


def test_a_margin_narrower_than_the_engines_reach_is_refused(tmp_path, capsys):
    source = write_csv(tmp_path / "stock.csv", sample(per_commune=1).rows)
    assert main(["potential", "--sirene", str(source), "--out", str(tmp_path / "o"), "--margin-km", "5"]) == 2
    assert "narrower than the engine's reach" in capsys.readouterr().err


def test_the_command_is_listed(capsys):
    assert main(["--help"]) == 0
    assert "potential" in capsys.readouterr().out
    with pytest.raises(SystemExit) as raised:
        main(["potential", "--help"])
    assert raised.value.code == 0
    assert "--scheduler ADDRESS" in capsys.readouterr().out
