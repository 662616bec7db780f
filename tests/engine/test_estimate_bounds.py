"""Estimated quantities are bounded by a plausible per-site maximum, and say so."""

import numpy as np
import pytest

from tremplin.engine import Establishment, default_knowledge_base, estimate_flows
from tremplin.engine.estimate import estimate_flow_arrays


def test_a_huge_headcount_is_cut_down_to_the_largest_real_site():
    kb = default_knowledge_base()
    row = next(r for r in kb.profile_for("10.81Z") if r.resource == "bio_beet_pulp")
    flows = estimate_flows([Establishment("s", "Sucrerie", "10.81Z", 49.8, 3.0, 5000)], kb)
    pulp = next(f for f in flows if f.resource == "bio_beet_pulp")
    assert pulp.quantity == row.max_per_site == 300000  # 5 000 x 1 500 t would be 7.5 Mt


def test_the_arrays_say_which_flows_were_bounded():
    kb = default_knowledge_base()
    index = {code: i for i, code in enumerate(kb.resources)}
    heads = np.asarray([100.0, 5000.0])
    _comp, _direction, res, qty, bounded = estimate_flow_arrays(
        ["10.81Z", "10.81Z"], heads, kb, index, with_bounded=True
    )
    pulp = res == index["bio_beet_pulp"]
    assert qty[pulp].tolist() == pytest.approx([150000.0, 300000.0])
    assert bounded[pulp].tolist() == [False, True]
    # Without the flag the four historical arrays are returned, identical.
    four = estimate_flow_arrays(["10.81Z", "10.81Z"], heads, kb, index)
    assert len(four) == 4 and np.array_equal(four[3], qty)


def test_no_oil_depot_has_a_million_cubic_metres_of_water():
    kb = default_knowledge_base()
    depot = Establishment("d", "Dépôt pétrolier", "52.10B", 49.5, 0.2, 400)
    water = [f for f in estimate_flows([depot], kb) if f.resource.startswith("water")]
    assert all(f.quantity < 100000 for f in water)
