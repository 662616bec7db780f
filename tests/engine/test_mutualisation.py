"""Mutualisation groups and the economies-of-scale model, computed by hand."""

import pytest

from tremplin.engine import Establishment, Flow, Parameters, default_knowledge_base, detect
from tremplin.engine.mutualisation import group_gain, unit_cost


def _kind(code):
    return next(k for k in default_knowledge_base().mutualisation_kinds if k.code == code)


def test_unit_cost_follows_the_power_law_and_its_floor():
    kind = _kind("collecte_mutualisee")  # q_ref 10, exponent 0.3, floor 0.4, ceiling 2
    assert unit_cost(kind, 90.0, 10.0) == pytest.approx(90.0)
    assert unit_cost(kind, 90.0, 60.0) == pytest.approx(90 * 6**-0.3)  # 52.58
    assert unit_cost(kind, 90.0, 1e6) == pytest.approx(90 * 0.4)  # floor
    assert unit_cost(kind, 90.0, 0.001) == pytest.approx(90 * 2.0)  # ceiling


def test_group_gain_by_hand():
    kind = _kind("collecte_mutualisee")
    # three members of 20 t: alone 20 x 90 x 2^-0.3 each; together 60 x 90 x 6^-0.3; coordination 3 x 150
    expected = 3 * 20 * 90 * 2**-0.3 - 60 * 90 * 6**-0.3 - 3 * 150
    gain, members = group_gain(kind, 90.0, [20, 20, 20])
    assert gain == pytest.approx(expected)  # 781.5
    assert members.sum() == pytest.approx(expected)


def _cardboard_sites(n, lat0=49.0, step=0.002):
    sites = [Establishment(f"s{i:02d}", f"Site {i}", "70.22Z", lat0 + step * i, 0.0, 0) for i in range(n)]
    flows = [Flow(s.id, "out", "paper_cardboard", 20, "t") for s in sites]
    return sites, flows


def test_nearby_establishments_sharing_a_waste_form_one_group():
    sites, flows = _cardboard_sites(3)
    params = Parameters(estimate_missing_flows=False, min_mutualisation_gain_eur=0)
    result = detect(sites, flows, params=params)
    groups = [o for o in result.opportunities if o.type == "mutualisation"]
    assert len(groups) == 1
    assert groups[0].members == ("s00", "s01", "s02")
    assert groups[0].quantity == pytest.approx(60)
    assert groups[0].gain_eur_per_year == pytest.approx(3 * 20 * 90 * 2**-0.3 - 60 * 90 * 6**-0.3 - 450)
    assert groups[0].source_id is None and groups[0].target_id is None


def test_groups_never_exceed_the_maximum_size():
    sites, flows = _cardboard_sites(40, step=0.0001)  # 40 sites within 0.5 km
    params = Parameters(
        estimate_missing_flows=False, min_mutualisation_gain_eur=0, max_mutualisations_per_establishment=10
    )
    groups = [o for o in detect(sites, flows, params=params).opportunities if o.type == "mutualisation"]
    assert len(groups) >= 3
    assert all(3 <= len(g.members) <= 12 for g in groups)
    members = [m for g in groups for m in g.members]
    assert len(members) == len(set(members))


def test_establishments_farther_than_the_radius_are_not_grouped():
    sites, flows = _cardboard_sites(3, step=0.1)  # 11 km apart, radius 3 km
    params = Parameters(estimate_missing_flows=False, min_mutualisation_gain_eur=0)
    assert [o for o in detect(sites, flows, params=params).opportunities if o.type == "mutualisation"] == []


def test_a_shared_training_stays_within_one_activity_and_keeps_out_small_members():
    # Six neighbours need training: three food plants (division 10), three chemical plants (20), and a
    # three-person office (under the kind's minimum headcount). Trainings are shared within one division.
    nafs = ["10.51C", "10.51C", "10.51C", "20.14Z", "20.14Z", "20.14Z", "70.22Z"]
    heads = [200, 200, 200, 200, 200, 200, 3]
    sites = [
        Establishment(f"t{i}", f"Site {i}", naf, 49.0 + 0.001 * i, 0.0, h)
        for i, (naf, h) in enumerate(zip(nafs, heads, strict=True))
    ]
    flows = [Flow(s.id, "in", "srv_training", 400, "jour", "estimated") for s in sites]
    params = Parameters(estimate_missing_flows=False, min_mutualisation_gain_eur=0)
    groups = [
        o
        for o in detect(sites, flows, params=params).opportunities
        if o.type == "mutualisation" and o.kind == "formation_partagee"
    ]
    assert sorted(sorted(g.members) for g in groups) == [["t0", "t1", "t2"], ["t3", "t4", "t5"]]
