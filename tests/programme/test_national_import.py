"""Loading a result of `tremplin potential`: all rows or none, errors naming the line and the field,
audited, by the programme team (or the operator on the command line) only."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests import factories
from tests.programme import national_files as nf
from tremplin.audit.models import AuditEntry
from tremplin.potentials.models import EpciPotential, FamilyPotential, PotentialRelease
from tremplin.potentials.reading import PotentialFileRejected
from tremplin.potentials.services import AlreadyLoaded, load_release
from tremplin.programme.exceptions import NotAllowed

pytestmark = pytest.mark.django_db


def _load(content, by, name="potentials.csv", **kwargs):
    return load_release(name, content, by=by, **kwargs)


def _errors(content, name="potentials.csv", language="fr", **kwargs):
    with translation.override(language), pytest.raises(PotentialFileRejected) as rejected:
        _load(content, factories.programme_team_member(), name=name, **kwargs)
    with translation.override(language):
        return [str(error) for error in rejected.value.errors]


def test_a_csv_result_is_stored_as_a_dated_sourced_release():
    person = factories.programme_team_member()
    release = _load(
        nf.csv_bytes(nf.rows()),
        person,
        family_name="potentials_by_family.csv",
        family_content=nf.csv_bytes(nf.family_rows()),
    )
    assert release.source == ""  # one sentence per EPCI
    assert release.computed_at == dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
    assert release.kb_version == "kb-2026.11"
    assert (release.file_name, release.family_file_name) == ("potentials.csv", "potentials_by_family.csv")
    assert release.loaded_by == person and release.epci_count == 5 and release.basis == "estimated"
    caux = EpciPotential.objects.get(release=release, epci__siren=nf.CAUX_SEINE)
    assert (caux.name, caux.department_code, caux.region_code) == ("Caux Seine Agglo", "76", "28")
    assert (caux.establishments, caux.employees, caux.leads) == (400, 12000.5, 30)
    assert (caux.substitution_leads, caux.mutualisation_leads) == (20, 10)
    assert caux.leads_per_100 == 7.5  # 30 × 100 / 400
    assert caux.source == nf.source_of(nf.CAUX_SEINE) and "aux 400 établissements" in caux.source
    assert (caux.tonnes_per_year, caux.co2e_t_per_year, caux.gain_eur_per_year, caux.score) == (
        5000,
        1200,
        250000,
        250.0,
    )
    assert EpciPotential.objects.get(release=release, epci__siren=nf.ALENCON).leads_per_100 is None
    families = dict(FamilyPotential.objects.filter(row=caux).values_list("family", "gain_eur_per_year"))
    assert families == {"bois": 150000, "chaleur": 100000}
    entry = AuditEntry.objects.get(action="potential.release.loaded")
    assert entry.actor == person and entry.target_id == str(release.pk)
    assert entry.data["epcis"] == 5 and entry.data["families"] == 3


def test_a_sentence_common_to_every_row_is_the_releases():
    release = _load(
        nf.csv_bytes(nf.rows(source="Fichier régional de test")), factories.programme_team_member()
    )
    assert release.source == "Fichier régional de test"
    assert set(release.rows.values_list("source", flat=True)) == {"Fichier régional de test"}


def test_a_row_without_its_source_sentence_is_refused():
    records = nf.rows()
    records[2]["source"] = " "
    assert _errors(nf.csv_bytes(records), language="en") == ["potentials.csv, line 4, source: missing value"]


def test_a_parquet_result_gives_the_same_rows():
    release = _load(nf.parquet_bytes(nf.rows()), factories.programme_team_member(), name="potentials.parquet")
    le_havre = release.rows.get(epci__siren=nf.LE_HAVRE)
    assert (le_havre.leads, le_havre.leads_per_100, le_havre.score) == (40, 4.0, 900.0)
    assert release.computed_at == dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


def test_a_missing_column_is_named_and_nothing_is_written():
    records = [{k: v for k, v in row.items() if k != "score"} for row in nf.rows()]
    assert _errors(nf.csv_bytes(records)) == ["potentials.csv, score : colonne manquante"]
    assert _errors(nf.csv_bytes(records), language="en") == ["potentials.csv, score: missing column"]
    assert not PotentialRelease.objects.exists() and not EpciPotential.objects.exists()
    assert not AuditEntry.objects.filter(action="potential.release.loaded").exists()


def test_a_non_numeric_figure_names_its_line_and_field():
    records = nf.rows()
    records[1]["tonnes_per_year"] = "beaucoup"  # second data row: line 3 (the header is line 1)
    records[3]["leads"] = "2.5"
    assert _errors(nf.csv_bytes(records)) == [
        "potentials.csv, ligne 3, tonnes_per_year : « beaucoup » n'est pas un nombre",
        "potentials.csv, ligne 5, leads : « 2.5 » n'est pas un nombre entier",
    ]
    assert _errors(nf.csv_bytes(records), language="en") == [
        "potentials.csv, line 3, tonnes_per_year: “beaucoup” is not a number",
        "potentials.csv, line 5, leads: “2.5” is not a whole number",
    ]
    assert not PotentialRelease.objects.exists()


def test_an_unknown_epci_siren_is_refused_with_its_line():
    records = nf.rows([nf.CAUX_SEINE])
    records.append(dict(records[0], epci="999999999", name="Inconnue"))
    records.append(dict(records[0], epci="12345"))
    errors = _errors(nf.csv_bytes(records), language="en")
    assert errors[0].startswith("potentials.csv, line 3, epci: unknown EPCI SIREN 999999999")
    assert errors[1] == "potentials.csv, line 4, epci: “12345” is not a SIREN (9 digits)"
    assert not EpciPotential.objects.exists()


def test_on_request_the_rows_of_epcis_outside_the_geography_are_left_aside():
    records = nf.rows([nf.CAUX_SEINE, nf.LE_HAVRE])
    records.insert(1, dict(records[0], epci="243800000", name="Hors géographie"))
    families = [
        *nf.family_rows(),
        {"epci": "243800000", "family": "bois", "leads": 1, "tonnes_per_year": 1, "co2e_t_per_year": 1,
         "gain_eur_per_year": 1},
    ]  # fmt: skip
    release = _load(
        nf.csv_bytes(records),
        factories.programme_team_member(),
        family_name="potentials_by_family.csv",
        family_content=nf.csv_bytes(families),
        skip_unknown=True,
    )
    assert (release.epci_count, release.skipped_epcis) == (2, 1)
    assert set(release.rows.values_list("epci__siren", flat=True)) == {nf.CAUX_SEINE, nf.LE_HAVRE}
    assert FamilyPotential.objects.filter(row__release=release).count() == 3
    assert AuditEntry.objects.get(action="potential.release.loaded").data["skipped_epcis"] == 1


def test_parquet_errors_name_the_row():
    records = nf.rows([nf.CAUX_SEINE, nf.LE_HAVRE])
    for record in records:
        record["gain_eur_per_year"] = str(record["gain_eur_per_year"])
    records[1]["gain_eur_per_year"] = "n/a"
    errors = _errors(nf.parquet_bytes(records), name="potentials.parquet", language="en")
    assert errors == ["potentials.parquet, row 2, gain_eur_per_year: “n/a” is not a number"]


def test_one_file_holds_one_run_and_leads_add_up_by_kind():
    records = nf.rows([nf.CAUX_SEINE, nf.LE_HAVRE, nf.CAEN])
    records[1]["computed_at"] = "2026-11-21T08:00:00+00:00"
    records[2]["leads"] = 79
    assert _errors(nf.csv_bytes(records), language="en") == [
        "potentials.csv, line 3, computed_at: differs from line 2: one file holds one run",
        "potentials.csv, line 4, leads: 79 is not substitution_leads + mutualisation_leads (50 + 30)",
    ]


def test_family_rows_must_belong_to_the_potentials_file():
    families = [
        *nf.family_rows(),
        {
            "epci": nf.DREUX,
            "family": "bois",
            "leads": 1,
            "tonnes_per_year": 1,
            "co2e_t_per_year": 1,
            "gain_eur_per_year": "x",
        },
    ]
    errors = _errors(
        nf.csv_bytes(nf.rows([nf.CAUX_SEINE, nf.LE_HAVRE])),
        language="en",
        family_name="potentials_by_family.csv",
        family_content=nf.csv_bytes(families),
    )
    assert errors == [
        "potentials_by_family.csv, line 5, epci: 200040277 has no row in the potentials file",
        "potentials_by_family.csv, line 5, gain_eur_per_year: “x” is not a number",
    ]
    assert not FamilyPotential.objects.exists() and not PotentialRelease.objects.exists()


def test_the_same_file_cannot_be_loaded_twice_but_another_run_can():
    person = factories.programme_team_member()
    _load(nf.csv_bytes(nf.rows()), person)
    with pytest.raises(AlreadyLoaded):
        _load(nf.csv_bytes(nf.rows()), person)
    _load(nf.csv_bytes(nf.rows(computed_at="2026-11-27T09:00:00Z")), person)
    assert PotentialRelease.objects.count() == 2


def test_any_programme_member_loads_nobody_else():
    caux = factories.territory(nf.CAUX_SEINE)
    site = factories.establishment(caux)
    call = factories.call()
    for person in (
        factories.territory_officer(caux),
        factories.company_contact(site),
        factories.seated_committee_member(call),
        factories.user(),
    ):
        with pytest.raises(NotAllowed):
            _load(nf.csv_bytes(nf.rows()), person)
    assert not PotentialRelease.objects.exists()
    from tremplin.accounts.models import Membership, Role
    from tremplin.geo.models import Region

    regional = factories.user()
    Membership.objects.create(user=regional, role=Role.PROGRAMME_TEAM, region=Region.objects.get(code="28"))
    release = _load(nf.csv_bytes(nf.rows()), regional)
    assert release.rows.count() == 5  # national data: Dreux (region 24) included


def test_the_command_loads_an_output_directory(tmp_path):
    (tmp_path / "potentials.csv").write_bytes(nf.csv_bytes(nf.rows()))
    (tmp_path / "potentials_by_family.csv").write_bytes(nf.csv_bytes(nf.family_rows()))
    call_command("load_potential", str(tmp_path))
    release = PotentialRelease.objects.get()
    assert release.loaded_by is None and release.family_file_name == "potentials_by_family.csv"
    assert FamilyPotential.objects.filter(row__release=release).count() == 3
    assert AuditEntry.objects.get(action="potential.release.loaded").actor is None


def test_the_command_prefers_parquet_and_reports_errors(tmp_path, capsys):
    records = nf.rows()
    (tmp_path / "potentials.parquet").write_bytes(nf.parquet_bytes(records))
    call_command("load_potential", str(tmp_path))
    assert PotentialRelease.objects.get().file_name == "potentials.parquet"
    broken = tmp_path / "broken.csv"
    records[0]["epci"] = "999999999"
    broken.write_bytes(nf.csv_bytes(records))
    with translation.override("en"), pytest.raises(CommandError, match="1 error"):
        call_command("load_potential", str(broken))
    assert "line 2, epci: unknown EPCI SIREN 999999999" in capsys.readouterr().err
    assert PotentialRelease.objects.count() == 1


def test_a_net_co2e_balance_below_zero_is_kept_but_negative_tonnes_are_refused():
    # Crop residues hauled far can emit more CO2e on the road than their use avoids: the balance is
    # a real, negative figure. Tonnes, euros and counts are never below zero.
    records = nf.rows()
    records[0]["co2e_t_per_year"] = "-0.12"
    release = _load(nf.csv_bytes(records), factories.programme_team_member())
    row = EpciPotential.objects.get(release=release, epci__siren=records[0]["epci"])
    assert row.co2e_t_per_year == pytest.approx(-0.12)
    records = nf.rows()
    records[0]["tonnes_per_year"] = "-1"
    assert _errors(nf.csv_bytes(records), language="en") == [
        "potentials.csv, line 2, tonnes_per_year: -1 is negative"
    ]
