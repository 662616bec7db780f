"""Register imports: matching by SIRET (applied) or by name and commune (proposed), flows of basis
"register" and their precedence, re-imports, the audit log, and the command line."""

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.registers.samples import establishment_row, irep_zip, treatment_row, waste_row
from tremplin import engine
from tremplin.audit.models import AuditEntry
from tremplin.flows.engine_inputs import engine_inputs
from tremplin.flows.models import Basis, Flow
from tremplin.registers.irep import IrepRejected
from tremplin.registers.matching import name_key
from tremplin.registers.models import RegisterImport
from tremplin.registers.services import RegisterImportError, apply_irep_import, prepare_irep_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    territory = factories.territory(CAUX_SEINE)
    commune = territory.epci.communes.order_by("insee_code").first()
    paper = factories.establishment(territory, name="Papeterie de Caux", commune=commune)
    saw = factories.establishment(territory, name="SAS Scierie du Val", commune=commune)
    return {"territory": territory, "commune": commune, "paper": paper, "saw": saw}


def _zip(caux, *, paper_quantity="120", year="2022"):
    commune = caux["commune"].name
    return irep_zip(
        [
            establishment_row("A1", "PAPETERIE DE CAUX", caux["paper"].siret, "Ailleurs"),
            # No SIRET in common: same name (legal form aside) in the same commune -> proposed only.
            establishment_row("B2", "Scierie du Val S.A.S.", "", commune.upper()),
            establishment_row("C3", "Raffinerie lointaine", "40000000200011", "Marseille"),
        ],
        produced_hazardous=[waste_row("A1", "P", "14 06 03*", "Solvants usés", "< seuil", "D10", year=year)],
        produced=[
            waste_row("A1", "P", "15 01 01", "Emballages carton", paper_quantity, "R3", year=year),
            waste_row("A1", "P", "99 99 99", "Inconnu", "10", "D5", year=year),
            waste_row("B2", "S", "03 01 05", "Sciures", "800", "D10", year=year),
            waste_row("C3", "R", "15 01 01", "Emballages", "5000", "R3", year=year),
        ],
        treated=[treatment_row("A1", "P", "03 03 07", "Refus de pulpe", "300", "250", "R1", year=year)],
    )


def test_names_are_compared_without_case_accents_punctuation_or_legal_form():
    assert name_key("SAS Scierie du Val") == name_key("Scierie du Val S.A.S.") == "scierie du val"


def test_siret_matches_are_applied_and_name_matches_proposed(caux):
    officer = factories.territory_officer(caux["territory"])
    job = prepare_irep_import(caux["territory"], _zip(caux), by=officer, filename="irep-2022.zip")
    assert [(m["register_id"], m["establishment_id"]) for m in job.payload["matched"]] == [
        ("A1", caux["paper"].pk)
    ]
    assert [(m["register_id"], m["establishment_id"]) for m in job.payload["proposed"]] == [
        ("B2", caux["saw"].pk)
    ]
    assert job.payload["unmapped_codes"] == {"99 99 99": 1}
    assert not Flow.objects.exists()  # nothing written before the officer confirms

    outcome = apply_irep_import(job, by=officer, confirmed=set())
    assert outcome == {
        "establishments": 1, "confirmed": 0, "rejected": 1, "flows_created": 3, "flows_replaced": 0,
    }  # fmt: skip
    flows = {(f.direction, f.resource): f for f in Flow.objects.filter(establishment=caux["paper"])}
    assert set(flows) == {("out", "chem_solvent_spent"), ("out", "paper_cardboard"), ("in", "paper_rejects")}
    solvent = flows["out", "chem_solvent_spent"]
    assert (solvent.basis, solvent.below_threshold, float(solvent.quantity), solvent.source) == (
        "register", True, 2.0, "IREP 2022",
    )  # fmt: skip
    assert solvent.treatment_operation == "D10"
    assert solvent.current_route.startswith("D10 Incinération à terre · département 76")
    cardboard = flows["out", "paper_cardboard"]
    assert (float(cardboard.quantity), cardboard.below_threshold, cardboard.treatment_operation) == (
        120,
        False,
        "R3",
    )
    assert float(flows["in", "paper_rejects"].quantity) == 250
    assert not Flow.objects.filter(establishment=caux["saw"]).exists()
    assert (
        AuditEntry.objects.filter(action="flow.register.imported", territory=caux["territory"]).count() == 1
    )
    assert AuditEntry.objects.get(action="register.irep.applied").data["flows_created"] == 3


def test_a_confirmed_name_match_is_imported(caux):
    job = prepare_irep_import(caux["territory"], _zip(caux), by=None)
    apply_irep_import(job, by=None, confirmed={"B2"})
    (sawdust,) = Flow.objects.filter(establishment=caux["saw"])
    assert (sawdust.resource, float(sawdust.quantity), sawdust.basis) == ("wood_clean", 800, Basis.REGISTER)


def test_reimporting_a_year_replaces_its_register_flows_and_never_the_declared_ones(caux):
    declared = factories.flow(caux["paper"], resource="paper_cardboard", quantity=90)
    apply_irep_import(prepare_irep_import(caux["territory"], _zip(caux), by=None), by=None)
    outcome = apply_irep_import(
        prepare_irep_import(caux["territory"], _zip(caux, paper_quantity="130"), by=None), by=None
    )
    assert (outcome["flows_replaced"], outcome["flows_created"]) == (3, 3)
    register = Flow.objects.filter(
        establishment=caux["paper"], basis=Basis.REGISTER, resource="paper_cardboard"
    )
    assert [float(f.quantity) for f in register] == [130]
    declared.refresh_from_db()
    assert (declared.basis, float(declared.quantity)) == (Basis.DECLARED, 90)
    # Another year adds its own flows beside the first year's.
    apply_irep_import(prepare_irep_import(caux["territory"], _zip(caux, year="2021"), by=None), by=None)
    assert (
        sorted(Flow.objects.filter(basis=Basis.REGISTER).values_list("register_year", flat=True))
        == [2021] * 3 + [2022] * 3
    )


def test_engine_inputs_carry_the_operation_and_the_upper_bound_and_the_declared_flow_wins(caux):
    factories.flow(caux["paper"], resource="paper_cardboard", quantity=90)
    apply_irep_import(prepare_irep_import(caux["territory"], _zip(caux), by=None), by=None)
    establishments, flows = engine_inputs(caux["territory"])
    solvent = next(f for f in flows if f.resource == "chem_solvent_spent")
    assert (solvent.basis, solvent.operation, solvent.upper_bound, solvent.quantity) == (
        "register",
        "D10",
        True,
        2.0,
    )
    result = engine.detect(establishments, flows)
    paper = str(caux["paper"].pk)
    by_key = {(f.company_id, f.direction, f.resource): f for f in result.flows}
    # Declared 90 t replaces the register's 120 t; the register's solvent replaces the estimate.
    cardboard = by_key[paper, "out", "paper_cardboard"]
    assert (cardboard.basis, cardboard.quantity) == ("declared", 90.0)
    assert by_key[paper, "out", "chem_solvent_spent"].basis == "register"


def test_only_the_territory_team_may_import(caux):
    havre_officer = factories.territory_officer(factories.territory(LE_HAVRE))
    with pytest.raises(RegisterImportError):
        prepare_irep_import(caux["territory"], _zip(caux), by=havre_officer)
    job = prepare_irep_import(caux["territory"], _zip(caux), by=None)
    with pytest.raises(RegisterImportError):
        apply_irep_import(job, by=havre_officer)
    assert not Flow.objects.exists()


def test_an_import_is_applied_once(caux):
    job = prepare_irep_import(caux["territory"], _zip(caux), by=None)
    apply_irep_import(job, by=None)
    with pytest.raises(RegisterImportError):
        apply_irep_import(job, by=None)


def test_a_refused_zip_records_nothing(caux):
    bad = irep_zip(
        [establishment_row("A1", "P", caux["paper"].siret, "X")],
        produced=[waste_row("A1", "P", "1", "", "4")],
    )
    with pytest.raises(IrepRejected):
        prepare_irep_import(caux["territory"], bad, by=None)
    assert not RegisterImport.objects.exists()


def test_the_command_imports_siret_matches_and_lists_the_proposals(caux, tmp_path, capsys):
    path = tmp_path / "irep-2022.zip"
    path.write_bytes(_zip(caux).getvalue())
    call_command("import_irep", str(path), territory=CAUX_SEINE)
    out = capsys.readouterr().out
    assert "IREP 2022 : 1 établissement(s), 3 flux créés" in out
    assert "Scierie du Val S.A.S." in out and "--confirm-name-matches" in out
    assert "code déchet 99 99 99 absent du catalogue : 1 ligne(s)" in out
    call_command("import_irep", str(path), territory=str(caux["territory"].pk), confirm_name_matches=True)
    assert Flow.objects.filter(establishment=caux["saw"], basis=Basis.REGISTER).count() == 1


def test_the_command_refuses_a_bad_zip_naming_the_rows(caux, tmp_path, capsys):
    path = tmp_path / "bad.zip"
    path.write_bytes(
        irep_zip(
            [establishment_row("A1", "P", caux["paper"].siret, "X")],
            produced=[waste_row("A1", "P", "1", "", "x")],
        ).getvalue()
    )
    with pytest.raises(CommandError, match="rien n'a été modifié"):
        call_command("import_irep", str(path), territory=CAUX_SEINE)
    err = capsys.readouterr().err
    assert "Prod_dechets_non_dangereux.csv, ligne 2, code_dechet" in err
    assert "ligne 2, quantite : quantité illisible 'x'" in err
    assert not Flow.objects.exists()
