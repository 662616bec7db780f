"""Potential figures of a pipeline never count one supply twice (optimal allocation of its synergies)."""

import doctest

import pytest

from tremplin.synergies import potential
from tremplin.synergies.potential import allocation_shares


def _row(pk, source, target, quantity, gain, *, supply=None, demand=None, kind="substitution", ratio=1.0):
    return {
        "pk": pk,
        "kind": kind,
        "source": source,
        "target": target,
        "resource": "bio_spent_grain",
        "input": "bio_animal_feed",
        "quantity": quantity,
        "ratio": ratio,
        "gain": gain,
        "supply": supply,
        "demand": demand,
    }


def test_docstring_example():
    assert doctest.testmod(potential).failed == 0


def test_two_synergies_drawing_on_one_gisement_share_it_by_their_value():
    # 600 t of grain; farm A could take 500 t (gain 10 €/t), farm B 400 t (gain 5 €/t): A gets 500, B 100.
    shares = allocation_shares(
        [_row(1, 10, 20, 500, 5000, supply=600), _row(2, 10, 21, 400, 2000, supply=600)]
    )
    assert shares[1] == pytest.approx(1.0)
    assert shares[2] == pytest.approx(100 / 400)


def test_older_synergies_without_the_supply_count_the_largest_of_them_only():
    shares = allocation_shares([_row(1, 10, 20, 300, 3000), _row(2, 10, 21, 300, 3000)])
    assert shares[1] + shares[2] == pytest.approx(1.0)


def test_independent_synergies_and_mutualisations_count_in_full():
    shares = allocation_shares(
        [
            _row(1, 10, 20, 300, 3000, supply=300),
            _row(2, 11, 21, 300, 100, supply=300),
            _row(3, None, None, 50, 900, kind="mutualisation"),
        ]
    )
    assert shares == {1: 1.0, 2: 1.0, 3: 1.0}


def test_one_besoin_filled_by_two_suppliers_is_filled_once():
    shares = allocation_shares(
        [
            _row(1, 10, 20, 100, 1000, supply=100, demand=100),
            _row(2, 11, 20, 100, 900, supply=100, demand=100),
        ]
    )
    assert shares[1] == pytest.approx(1.0)
    assert shares[2] == pytest.approx(0.0)
