"""SIRET checks: 14 digits, Luhn key, La Poste's exception."""

import pytest

from tremplin.establishments.siret import LA_POSTE_HEAD_OFFICE, luhn_check_digit, luhn_is_valid, siret_error


def test_a_siren_with_a_right_luhn_key_is_valid():
    # 732 829 320, from the right: 0, 2→4, 3, 9→18→9, 2, 8→16→7, 2, 3→6, 7: sum 40, a multiple of 10.
    assert luhn_is_valid("732829320")
    assert not luhn_is_valid("732829321")


def test_a_siret_with_a_right_luhn_key_is_valid():
    # 500 123 450 00016: from the right 6, 1→2, 0, 0, 0, 0, 5, 4→8, 3, 2→4, 1, 0, 0, 5→10→1: sum 30.
    assert siret_error("50012345000016") is None


def test_a_siret_with_a_wrong_key_is_refused_with_its_reason():
    assert siret_error("50012345000017") == "clé de contrôle (Luhn) du SIRET invalide"


@pytest.mark.parametrize("value", ["5001234500001", "500123450000160", "5001234500001A", ""])
def test_a_siret_that_is_not_fourteen_digits_is_refused(value):
    assert siret_error(value) == "un SIRET compte 14 chiffres"


def test_the_check_digit_completes_a_luhn_number():
    assert luhn_check_digit("50012345") == "0"
    assert luhn_check_digit("5001234500001") == "6"


def test_la_poste_establishments_are_checked_by_the_sum_of_their_digits():
    # La Poste's establishments share SIREN 356 000 000 and outnumber what a Luhn key allows: INSEE makes
    # the sum of their digits a multiple of 5 instead (python-stdnum stdnum/fr/siret.py; Wikipedia,
    # « Système d'identification du répertoire des établissements »).
    assert siret_error("35600000000001") is None  # 3+5+6+1 = 15, but not Luhn-valid
    assert not luhn_is_valid("35600000000001")
    assert "La Poste" in siret_error("35600000000014")  # 3+5+6+1+4 = 19


def test_la_postes_head_office_keeps_the_luhn_key():
    # 356 000 000 00048: digits add up to 26 (not a multiple of 5) but the Luhn sum is 30.
    assert LA_POSTE_HEAD_OFFICE == "35600000000048"
    assert luhn_is_valid("35600000000048")
    assert siret_error("35600000000048") is None
