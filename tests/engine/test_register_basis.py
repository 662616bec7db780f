"""The "register" basis (public registers such as IREP) between workshop and estimated data, and the
current treatment of a waste (disposal before recovery) in the ranking of leads."""

import pytest

from tremplin.engine import Establishment, Flow, Parameters, detect
from tremplin.engine.context import build_context
from tremplin.engine.knowledge import default_knowledge_base
from tremplin.engine.model import BASES, operation_kind

NO_ESTIMATES = Parameters(estimate_missing_flows=False)


def _site(ident, naf, lat):
    return Establishment(ident, f"Site {ident}", naf, lat, 0.5, 50)


def _row(ctx, company, direction, resource):
    position = ctx.position[company]
    for i in range(len(ctx.f_qty)):
        if (
            ctx.f_comp[i] == position
            and ctx.f_dir[i] == (1 if direction == "out" else 0)
            and ctx.resource_codes[ctx.f_res[i]] == resource
        ):
            return BASES[ctx.f_basis[i]], float(ctx.f_qty[i]), str(ctx.f_operation[i])
    return None


def test_register_ranks_between_workshop_and_estimated():
    assert BASES == ("declared", "workshop", "register", "estimated")


def test_operation_kind_reads_disposal_and_recovery_codes():
    assert [operation_kind(c) for c in ("D10", "d1", "R13", "R", "X3", "")] == ["D", "D", "R", "", "", ""]


def test_a_register_flow_replaces_the_estimate_of_the_same_resource_and_direction():
    # A sawmill (16.10A) has an estimated gisement of wood waste; the register says 42 t.
    sites = [_site("saw", "16.10A", 49.0)]
    kb = default_knowledge_base()
    estimated = build_context(sites, [], kb, Parameters())
    assert _row(estimated, "saw", "out", "wood_sawdust")[0] == "estimated"
    ctx = build_context(
        sites, [Flow("saw", "out", "wood_sawdust", 42, "t", "register", "D10")], kb, Parameters()
    )
    assert _row(ctx, "saw", "out", "wood_sawdust") == ("register", 42.0, "D10")


def test_a_declared_flow_replaces_the_register_one_whatever_the_order():
    sites = [_site("saw", "16.10A", 49.0)]
    flows = [
        Flow("saw", "out", "wood_sawdust", 42, "t", "register", "D10"),
        Flow("saw", "out", "wood_sawdust", 7, "t", "declared"),
        Flow("saw", "out", "wood_sawdust", 5, "t", "register", "R3"),
    ]
    for ordered in (flows, flows[::-1]):
        ctx = build_context(sites, ordered, default_knowledge_base(), NO_ESTIMATES)
        assert _row(ctx, "saw", "out", "wood_sawdust") == ("declared", 7.0, "")


def test_register_lines_of_one_resource_add_up_and_keep_the_disposal_operation():
    sites = [_site("saw", "16.10A", 49.0)]
    flows = [
        Flow("saw", "out", "wood_sawdust", 5, "t", "register", "R3"),
        Flow("saw", "out", "wood_sawdust", 42, "t", "register", "D10"),
    ]
    ctx = build_context(sites, flows, default_knowledge_base(), NO_ESTIMATES)
    assert _row(ctx, "saw", "out", "wood_sawdust") == ("register", 47.0, "D10")


def _two_gypsum_suppliers(first_operation, second_operation, params=NO_ESTIMATES):
    # Two identical plasterboard-waste producers 0.5 km on either side of one plaster works.
    sites = [_site("a", "43.31Z", 49.0), _site("board", "23.62Z", 49.0045), _site("b", "43.31Z", 49.009)]
    flows = [
        Flow("a", "out", "gypsum_waste", 100, "t", "register", first_operation),
        Flow("b", "out", "gypsum_waste", 100, "t", "register", second_operation),
        Flow("board", "in", "gypsum_natural", 500, "t", "declared"),
    ]
    result = detect(sites, flows, params=params)
    leads = [o for o in result.opportunities if o.resource == "gypsum_waste" and o.target_id == "board"]
    assert len(leads) == 2
    return leads


def test_a_waste_going_to_disposal_ranks_above_an_otherwise_identical_recovered_one():
    first, second = _two_gypsum_suppliers("R5", "D1")
    assert (first.source_id, second.source_id) == ("b", "a")
    assert first.gain_eur_per_year == pytest.approx(second.gain_eur_per_year, rel=1e-3)
    assert "Actuellement éliminé (D1)" in first.explanation
    assert "Déjà valorisé (R5)" in second.explanation
    # Swapping the operations swaps the order: the operation, not the identifier, decides.
    first, second = _two_gypsum_suppliers("D1", "R5")
    assert (first.source_id, second.source_id) == ("a", "b")


def test_without_the_factor_the_operations_change_nothing():
    # "b" is a few metres nearer: without operations, or with the factor turned off, it comes first.
    plain = _two_gypsum_suppliers("", "")
    assert [lead.source_id for lead in plain] == ["b", "a"]
    off = Parameters(estimate_missing_flows=False, current_operation_factors={})
    assert [lead.source_id for lead in _two_gypsum_suppliers("D1", "R5", off)] == ["b", "a"]


def test_a_quantity_below_the_reporting_threshold_is_an_upper_bound_said_in_the_assumptions():
    sites = [_site("a", "43.31Z", 49.0), _site("board", "23.62Z", 49.0045)]
    flows = [
        Flow("a", "out", "gypsum_waste", 2000, "t", "register", "D5", upper_bound=True),
        Flow("board", "in", "gypsum_natural", 5000, "t", "declared"),
    ]
    result = detect(sites, flows, params=NO_ESTIMATES)
    (lead,) = [o for o in result.opportunities if o.resource == "gypsum_waste"]
    assert lead.quantity == pytest.approx(2000)
    assert lead.confidence == "register"
    assert any("seuil de déclaration" in a and "majorant" in a for a in lead.assumptions)
    assert any("registre public" in a for a in lead.assumptions)


def test_the_plan_keeps_register_leads_apart():
    sites = [_site("a", "43.31Z", 49.0), _site("board", "23.62Z", 49.0045)]
    flows = [
        Flow("a", "out", "gypsum_waste", 100, "t", "register", "D5"),
        Flow("board", "in", "gypsum_natural", 500, "t", "declared"),
    ]
    result = detect(sites, flows, params=NO_ESTIMATES, plan=True)
    assert set(result.plan.totals_by_basis) == {"register"}


def test_flows_csv_reads_the_optional_operation_and_upper_bound_columns(tmp_path):
    from tremplin.engine.io import read_flows

    sites = [_site("a", "43.31Z", 49.0)]
    plain = tmp_path / "plain.csv"
    plain.write_text("company_id,direction,resource,quantity,unit\na,out,gypsum_waste,100,t\n")
    assert read_flows(plain, sites, default_knowledge_base()) == [Flow("a", "out", "gypsum_waste", 100, "t")]
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "company_id,direction,resource,quantity,unit,basis,operation,upper_bound\n"
        "a,out,gypsum_waste,2000,t,register,d5,1\n"
    )
    assert read_flows(extra, sites, default_knowledge_base()) == [
        Flow("a", "out", "gypsum_waste", 2000, "t", "register", "D5", True)
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("company_id,direction,resource,quantity,unit,operation\na,out,gypsum_waste,1,t,Z9\n")
    with pytest.raises(Exception, match="Z9") as error:
        read_flows(bad, sites, default_knowledge_base())
    assert error.value.field == "operation"
