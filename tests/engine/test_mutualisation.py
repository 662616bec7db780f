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


def _viable_by_the_rule(kind, c_ref, qty, members, min_member_gain):
    """The rule of _viable_members, round after round to the end: drop the member that gains least while
    someone gains less than the minimum; no group once the seed (the first) is the one to drop."""
    members = list(members)
    while len(members) >= kind.min_members:
        pooled = unit_cost(kind, c_ref, sum(qty[m] for m in members))
        gains = [
            qty[m] * (unit_cost(kind, c_ref, qty[m]) - pooled) - kind.coordination_eur_per_member
            for m in members
        ]
        worst = min(range(len(gains)), key=gains.__getitem__)
        if gains[worst] >= min_member_gain:
            return members
        if worst == 0:
            return []
        del members[worst]
    return []


@pytest.mark.parametrize("code", ["collecte_mutualisee", "achat_groupe_energie", "formation_partagee"])
def test_viable_members_stops_early_with_the_same_members(code):
    import numpy as np

    from tremplin.engine.mutualisation import _viable_members

    kind = _kind(code)
    rng = np.random.default_rng(11)
    c_ref = 90.0
    found = empty = 0
    for _trial in range(400):
        n = int(rng.integers(kind.min_members, kind.max_members + 1))
        # Quantities around the kind's reference, over three orders of magnitude, the seed the biggest.
        qty = np.sort(kind.reference_quantity * 10 ** rng.uniform(-1.5, 1.5, n))[::-1]
        alone = np.atleast_1d(unit_cost(kind, c_ref, qty))
        minimum = float(rng.choice([0.0, 50.0, 200.0, 1000.0]))
        got = _viable_members(kind, c_ref, qty, alone, list(range(n)), minimum)
        assert got == _viable_by_the_rule(kind, c_ref, qty, list(range(n)), minimum)
        found += bool(got)
        empty += not got
    assert found > 20 and empty > 20  # both outcomes are exercised


def test_seeds_left_out_as_hopeless_change_no_group(monkeypatch):
    import numpy as np

    from tremplin.engine import mutualisation
    from tremplin.engine.context import build_context
    from tremplin.engine.substitution import flow_groups

    rng = np.random.default_rng(5)
    codes = ["10.71C", "25.62B", "47.11D", "56.10A", "70.22Z", "86.10Z", "43.21A", "49.41A", "16.10A"]
    sites = [
        Establishment(
            f"e{i:04d}",
            f"Site {i}",
            str(rng.choice(codes)),
            45.0 + rng.normal(0, 0.05),
            4.0 + rng.normal(0, 0.07),
            int(rng.choice([3, 8, 15, 35, 75, 150, 350])),
        )
        for i in range(1500)
    ]
    ctx = build_context(sites, None, default_knowledge_base(), Parameters())
    left_out = []
    real = mutualisation._hopeless_seeds

    def counted(*args):
        verdict = real(*args)
        left_out.append(int(verdict.sum()))
        return verdict

    monkeypatch.setattr(mutualisation, "_hopeless_seeds", counted)
    fast = mutualisation.find_groups(ctx, flow_groups(ctx))
    monkeypatch.setattr(mutualisation, "_hopeless_seeds", lambda *args: np.zeros(len(args[4]), bool))
    plain = mutualisation.find_groups(ctx, flow_groups(ctx))
    assert sum(left_out) > 100  # the shortcut is taken
    assert len(fast) == len(plain) > 50
    for a, b in zip(fast, plain, strict=True):
        assert (a.kind.code, a.resource, a.flows.tolist(), a.gain) == (
            b.kind.code,
            b.resource,
            b.flows.tolist(),
            b.gain,
        )
