"""The allocation solved one connected part at a time (what makes a partition's plan match one big run's)."""

import numpy as np
import pytest

from tremplin.engine.allocation import solve_allocation


def test_independent_parts_are_solved_as_one_problem_would_be():
    # Part A (no pipe): one supply of 5 t, two receivers of 4 t at 10 and 8 EUR/t: 4 t then 1 t.
    # Part B (pipes, supply 10, one demand of 10): a link of 2 EUR/unit x 10 - 50 EUR/yr annuity never
    # pays; a second supply of 10 through a link of 5 EUR/yr: 2 x 10 - 5 = 15 EUR/yr, used in full.
    # Part C (pipes): two links competing for one demand of 6, each able to fill it alone:
    # 6 x 3 - 4 = 14 EUR/yr against 6 x 2.6 - 1 = 14.6 EUR/yr (both together pay both annuities for
    # the same 6 units): the second one takes it all.
    x = solve_allocation(
        gain_per_unit=[10.0, 8.0, 2.0, 2.0, 3.0, 2.6],
        fixed=[0.0, 0.0, 50.0, 5.0, 4.0, 1.0],
        ratio=[1.0] * 6,
        supply_of=[0, 0, 1, 2, 3, 4],
        supply=[5.0, 10.0, 10.0, 6.0, 6.0],
        demand_of=[0, 1, 2, 2, 3, 3],
        demand=[4.0, 4.0, 10.0, 6.0],
        upper=[4.0, 4.0, 10.0, 10.0, 6.0, 6.0],
    )
    assert np.round(x, 6).tolist() == [4.0, 1.0, 0.0, 10.0, 0.0, 6.0]


def test_a_part_alone_gets_the_allocation_it_gets_among_others():
    rng = np.random.default_rng(7)
    n = 40
    args = {
        "gain_per_unit": rng.uniform(-1, 10, n),
        "fixed": np.where(rng.random(n) < 0.5, rng.uniform(0, 30, n), 0.0),
        "ratio": rng.uniform(0.5, 1.5, n),
        "supply_of": rng.integers(0, 12, n),
        "supply": rng.uniform(1, 20, 12),
        "demand_of": rng.integers(0, 12, n),
        "demand": rng.uniform(1, 20, 12),
        "upper": rng.uniform(1, 20, n),
    }
    together = solve_allocation(**args)
    # The same problem twice over, the copy's supplies and demands numbered after the first's.
    doubled = {
        key: np.r_[value, value + (12 if key.endswith("_of") else 0)]
        if key.endswith("_of")
        else np.r_[value, value]
        for key, value in args.items()
    }
    both = solve_allocation(**doubled)
    assert np.allclose(both[:n], together) and np.allclose(both[n:], together)
    gain = args["gain_per_unit"] * together - np.where(together > 0, args["fixed"], 0.0)
    assert gain.sum() > 0


def _value(args, x):
    g, f = np.asarray(args["gain_per_unit"]), np.asarray(args["fixed"])
    return float(g @ x - f[x > 1e-9].sum())


def _feasible(args, x):
    supply = np.bincount(args["supply_of"], weights=x, minlength=len(args["supply"]))
    demand = np.bincount(
        args["demand_of"], weights=np.asarray(args["ratio"]) * x, minlength=len(args["demand"])
    )
    return (
        (x >= -1e-9).all()
        and (x <= np.asarray(args["upper"]) + 1e-9).all()
        and (supply <= np.asarray(args["supply"]) * (1 + 1e-9) + 1e-9).all()
        and (demand <= np.asarray(args["demand"]) * (1 + 1e-9) + 1e-9).all()
    )


def _star(rng, n, shared_supply):
    ends = np.arange(n)  # the other side: one each
    return {
        "gain_per_unit": rng.uniform(-2, 10, n),
        "fixed": np.where(rng.random(n) < 0.7, rng.uniform(0, 40, n), 0.0),
        "ratio": rng.uniform(0.5, 1.5, n),
        "supply_of": np.zeros(n, np.int64) if shared_supply else ends,
        "supply": rng.uniform(1, 20, 1 if shared_supply else n),
        "demand_of": ends if shared_supply else np.zeros(n, np.int64),
        "demand": rng.uniform(1, 20, n if shared_supply else 1),
        "upper": rng.uniform(1, 20, n),
    }


def test_small_stars_are_solved_to_the_optimum_highs_finds(monkeypatch):
    """A part where every candidate shares one supply (or one demand) is enumerated, not sent to HiGHS:
    on 300 random stars of 1 to 6 candidates, the enumeration's value is HiGHS's MILP optimum."""
    import tremplin.engine.allocation as allocation

    rng = np.random.default_rng(11)
    cases = [_star(rng, int(rng.integers(1, 7)), bool(rng.random() < 0.5)) for _ in range(300)]
    calls = []
    real_milp = allocation.milp
    monkeypatch.setattr(allocation, "milp", lambda *a, **k: calls.append(1) or real_milp(*a, **k))
    star = [solve_allocation(**args) for args in cases]
    assert not calls  # every one of them enumerated
    monkeypatch.setattr(allocation, "_STAR_LINKS", -1)
    milp = [solve_allocation(**args) for args in cases]
    for args, x, y in zip(cases, star, milp, strict=True):
        assert _feasible(args, x)
        assert _value(args, x) == pytest.approx(_value(args, y), rel=1e-6, abs=1e-6)


def test_a_single_candidate_takes_what_pays_for_its_link():
    # 3 EUR/unit, at most min(upper 8, supply 5, demand 9 / ratio 1.5 = 6) = 5 units: 15 - 12 > 0.
    args = {
        "gain_per_unit": [3.0],
        "ratio": [1.5],
        "supply_of": [0],
        "supply": [5.0],
        "demand_of": [0],
        "demand": [9.0],
        "upper": [8.0],
    }
    assert solve_allocation(fixed=[12.0], **args).tolist() == [5.0]
    assert solve_allocation(fixed=[16.0], **args).tolist() == [0.0]  # 15 - 16 < 0: the link never pays


def test_parts_without_a_needed_candidate_are_left_at_zero():
    rng = np.random.default_rng(5)
    n = 60
    args = {
        "gain_per_unit": rng.uniform(0, 10, n),
        "fixed": np.where(rng.random(n) < 0.5, rng.uniform(0, 30, n), 0.0),
        "ratio": rng.uniform(0.5, 1.5, n),
        "supply_of": rng.integers(0, 40, n),
        "supply": rng.uniform(1, 20, 40),
        "demand_of": rng.integers(0, 40, n),
        "demand": rng.uniform(1, 20, 40),
        "upper": rng.uniform(1, 20, n),
    }
    full = solve_allocation(**args)
    needed = np.zeros(n, bool)
    needed[:5] = True
    partial = solve_allocation(needed=needed, **args)
    # The parts of the first five candidates, found independently: a union-find over supplies/demands.
    parent = list(range(80))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for s, d in zip(args["supply_of"], args["demand_of"], strict=True):
        parent[find(int(s))] = find(40 + int(d))
    wanted = {find(int(s)) for s in args["supply_of"][:5]}
    in_wanted = np.array([find(int(s)) in wanted for s in args["supply_of"]])
    assert np.allclose(partial[in_wanted], full[in_wanted])
    assert (partial[~in_wanted] == 0).all() and in_wanted.sum() < n


def test_a_wider_mip_gap_stays_within_it_of_the_optimum():
    # A fixed-charge transport problem of one connected part (every candidate through a pipe link):
    # 40 supplies, 50 demands, 300 links whose annuities weigh on their gains. With mip_gap, HiGHS
    # stops once its plan is proven within that share of the optimum: the plan found must be feasible
    # and within the gap of the 1e-6 one.
    rng = np.random.default_rng(3)
    n, n_supply, n_demand = 300, 40, 50
    supply_of = np.r_[np.arange(n_supply), rng.integers(0, n_supply, n - n_supply)]
    demand_of = np.r_[np.arange(n_demand), rng.integers(0, n_demand, n - n_demand)]
    args = {
        "gain_per_unit": rng.uniform(1, 10, n),
        "fixed": rng.uniform(20, 120, n),
        "ratio": rng.uniform(0.5, 1.5, n),
        "supply_of": supply_of,
        "supply": rng.uniform(5, 20, n_supply),
        "demand_of": demand_of,
        "demand": rng.uniform(5, 20, n_demand),
        "upper": rng.uniform(5, 20, n),
    }
    exact = _value(args, solve_allocation(**args))
    values = {}
    for gap in (0.02, 0.1):
        x = solve_allocation(**args, mip_gap=gap)
        assert _feasible(args, x)
        values[gap] = _value(args, x)
        assert (1 - gap) * exact - 1e-6 <= values[gap] <= exact + 1e-6
    # The gap is used: at 10 % HiGHS stops on a plan 6 % short of the optimum (1,384.81 / 1,473.11).
    assert values[0.1] < exact - 1.0


def test_a_national_run_solves_the_plan_to_its_gap_and_says_so_in_its_fingerprint():
    import json

    from tremplin.engine.model import Parameters
    from tremplin.national.compute import NATIONAL_PLAN_GAP, engine_parameters, result_fingerprint

    assert Parameters().plan_mip_gap == 1e-6  # the platform's runs: the optimum
    assert engine_parameters(15.0).plan_mip_gap == NATIONAL_PLAN_GAP == 0.02
    fingerprint = json.loads(result_fingerprint("0" * 64, kb_version="x", margin_km=15.0, max_core=10))
    assert fingerprint["plan_mip_gap"] == 0.02


def _small_part(rng, offset_s, offset_d):
    """A part of 3 to 8 piped candidates between 2 or 3 supplies and 2 to 4 demands, connected (each
    supply reaches the first demand), not a star."""
    n_s, n_d = int(rng.integers(2, 4)), int(rng.integers(2, 5))
    n = int(rng.integers(n_s + n_d - 1, 9))
    supply_of = np.r_[np.arange(n_s), rng.integers(0, n_s, n - n_s)]
    demand_of = np.r_[np.zeros(n_s, np.int64), np.arange(1, n_d), rng.integers(0, n_d, n - n_s - n_d + 1)]
    return {
        "gain_per_unit": rng.uniform(1, 10, n),
        "fixed": rng.uniform(5, 60, n),
        "ratio": rng.uniform(0.5, 1.5, n),
        "supply_of": supply_of[:n] + offset_s,
        "supply": rng.uniform(2, 20, n_s),
        "demand_of": demand_of[:n] + offset_d,
        "demand": rng.uniform(2, 20, n_d),
        "upper": rng.uniform(2, 20, n),
    }


def test_a_run_with_a_gap_solves_its_small_parts_together_each_to_its_optimum(monkeypatch):
    """At the national gap (2 %), 120 small independent parts with pipe links go to HiGHS in a few
    batches instead of one MILP each (the 103 that are not stars once the links that never pay are
    left out), and every part gets its own optimum (solved alone at 1e-6): a
    batch is solved at 1e-6, not at the run's gap. At the default gap each part is solved alone."""
    import tremplin.engine.allocation as allocation

    rng = np.random.default_rng(17)
    parts, offset_s, offset_d = [], 0, 0
    for _ in range(120):
        part = _small_part(rng, offset_s, offset_d)
        offset_s += len(part["supply"])
        offset_d += len(part["demand"])
        parts.append(part)
    joined = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    calls = []
    real_milp = allocation.milp
    monkeypatch.setattr(allocation, "milp", lambda *a, **k: calls.append(1) or real_milp(*a, **k))
    x = solve_allocation(**joined, mip_gap=0.02)
    batched_calls = len(calls)
    assert _feasible(joined, x)
    calls.clear()
    alone = [
        solve_allocation(
            **{
                **p,
                "supply_of": p["supply_of"] - p["supply_of"].min(),
                "demand_of": p["demand_of"] - p["demand_of"].min(),
            }
        )
        for p in parts
    ]
    alone_calls = len(calls)  # a part whose links do not all pay can be a star, solved without HiGHS
    assert alone_calls > 100 > 10 * batched_calls
    total = sum(_value(p, a) for p, a in zip(parts, alone, strict=True))
    start = 0
    for p, a in zip(parts, alone, strict=True):
        mine = x[start : start + len(a)]
        start += len(a)
        assert _value(p, mine) == pytest.approx(_value(p, a), abs=1e-6 * total)
    calls.clear()
    solve_allocation(**joined)  # the default gap, 1e-6: one MILP per part
    assert len(calls) == alone_calls
