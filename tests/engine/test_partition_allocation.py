"""The allocation solved one connected part at a time (what makes a partition's plan match one big run's)."""

import numpy as np

from tremplin.engine.allocation import solve_allocation


def test_independent_parts_are_solved_as_one_problem_would_be():
    # Part A (no pipe): one supply of 5 t, two receivers of 4 t at 10 and 8 EUR/t: 4 t then 1 t.
    # Part B (pipes, supply 10, one demand of 10): a link of 2 EUR/unit x 10 - 50 EUR/yr annuity never
    # pays; a second supply of 10 through a link of 5 EUR/yr: 2 x 10 - 5 = 15 EUR/yr, used in full.
    # Part C (pipes): two links competing for one demand of 6, each able to fill it alone:
    # 6 x 3 - 4 = 14 EUR/yr against 6 x 2.5 - 1 = 14.5 EUR/yr (both together pay both annuities for
    # the same 6 units): the second one takes it all.
    x = solve_allocation(
        gain_per_unit=[10.0, 8.0, 2.0, 2.0, 3.0, 2.5],
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
