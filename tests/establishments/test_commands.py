"""tremplin import-sirene and import-establishments: counts on success, every bad row and a non-zero
exit on failure, nothing changed."""

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import PAPETERIE, good_sample, sirene_csv, sirene_row
from tremplin.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def test_import_sirene_prints_what_it_created_updated_and_skipped(caux, tmp_path, capsys):
    path = tmp_path / "sirene.csv"
    path.write_bytes(good_sample())
    assert main(["import-sirene", "--territory", CAUX_SEINE, str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 créés, 0 mis à jour, 2 ignorés (1 fermés, 1 hors territoire)" in out
    assert "1 sans coordonnées" in out
    assert main(["import-sirene", "--territory", CAUX_SEINE, str(path)]) == 0
    assert "0 créés, 3 mis à jour, 2 ignorés (1 fermés, 1 hors territoire)" in capsys.readouterr().out
    assert caux.establishments.count() == 3


def test_a_broken_file_exits_non_zero_names_every_bad_row_and_changes_nothing(caux, tmp_path, capsys):
    path = tmp_path / "broken.csv"
    path.write_bytes(
        sirene_csv(
            [
                sirene_row(PAPETERIE, naf="17.12Z"),
                sirene_row("50012345000017"),
                sirene_row(PAPETERIE, naf="10.99Z"),
            ]
        )
    )
    assert main(["import-sirene", "--territory", CAUX_SEINE, str(path)]) == 1
    err = capsys.readouterr().err
    assert "ligne 3, siret : clé de contrôle (Luhn) du SIRET invalide" in err
    assert "ligne 4, activitePrincipaleEtablissement : code NAF rév. 2 inconnu ('10.99Z')" in err
    assert "2 erreur(s), rien n'a été modifié" in err
    assert not caux.establishments.exists()


def test_an_unknown_territory_or_file_is_an_error(caux, tmp_path, capsys):
    assert main(["import-sirene", "--territory", "999999999", str(tmp_path / "x.csv")]) == 1
    assert "aucun territoire" in capsys.readouterr().err
    assert main(["import-sirene", "--territory", CAUX_SEINE, str(tmp_path / "absent.csv")]) == 1
    assert "introuvable" in capsys.readouterr().err


def test_import_establishments_reads_the_template(caux, tmp_path, capsys):
    path = tmp_path / "etablissements.csv"
    path.write_text(
        "siret;nom;code_naf;tranche_effectifs;code_commune;adresse;latitude;longitude\n"
        "50012345000016;Papeterie;17.12Z;22;76476;;;\n",
        encoding="utf-8",
    )
    assert main(["import-establishments", "--territory", CAUX_SEINE, str(path)]) == 0
    assert "1 créés, 0 mis à jour, 0 ignorés (0 fermés, 0 hors territoire)" in capsys.readouterr().out


def test_a_file_over_the_row_limit_is_refused_unless_the_command_raises_it(caux, tmp_path, capsys, settings):
    settings.IMPORT_MAX_ROWS = 3
    path = tmp_path / "sirene.csv"
    path.write_bytes(good_sample())  # 5 data lines
    assert main(["import-sirene", "--territory", CAUX_SEINE, str(path)]) == 1
    err = capsys.readouterr().err
    assert "ligne 5 : le fichier dépasse 3 lignes de données" in err and "--max-rows" in err
    assert not caux.establishments.exists()
    assert main(["import-sirene", "--territory", CAUX_SEINE, "--max-rows", "5", str(path)]) == 0
    assert caux.establishments.count() == 3


def test_only_the_first_errors_are_printed_with_the_count_of_the_others(caux, tmp_path, capsys):
    path = tmp_path / "casse.csv"
    path.write_bytes(sirene_csv([sirene_row(f"5001234500{n:04d}") for n in range(10, 16)]))  # 6 bad keys
    assert main(["import-sirene", "--territory", CAUX_SEINE, "--max-errors", "2", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("clé de contrôle (Luhn)") == 2
    assert "ligne 2, siret" in err and "ligne 3, siret" in err and "ligne 4, siret" not in err
    assert "… et 4 autre(s) erreur(s) non listée(s)" in err
    assert "6 erreur(s), rien n'a été modifié" in err


def test_a_reimport_says_how_many_establishments_it_changed_and_where_the_old_values_are(
    caux, tmp_path, capsys
):
    from tremplin.imports.models import ImportChange

    path = tmp_path / "sirene.csv"
    path.write_bytes(good_sample())
    assert main(["import-sirene", "--territory", CAUX_SEINE, str(path)]) == 0
    path.write_bytes(good_sample().replace(b"Papeterie de la Seine", b"Papeterie renommee"))
    capsys.readouterr()
    assert main(["import-sirene", "--territory", CAUX_SEINE, str(path)]) == 0
    change = ImportChange.objects.get()
    assert change.previous == {"name": "Papeterie de la Seine"}
    out = capsys.readouterr().out
    assert (
        f"1 établissement(s) modifié(s) : les valeurs remplacées sont gardées (import n° {change.job_id})"
        in out
    )
    assert change.job.created_by is None and change.job.filename == "sirene.csv"
