"""SIREN and SIRET checks (INSEE identifiers of companies and establishments).

Both carry a Luhn check digit. La Poste is the documented exception: its establishments share the
SIREN 356 000 000 and are more numerous than the Luhn key allows, so INSEE checks their SIRETs instead by
the sum of their digits being a multiple of 5 — except the head office, 356 000 000 00048, which keeps
the Luhn key (its digits add up to 26). Sources: INSEE's SIRENE documentation as summarised in
https://fr.wikipedia.org/wiki/Système_d'identification_du_répertoire_des_établissements, and the same
rule in python-stdnum's ``stdnum/fr/siret.py``.
"""

LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"


def luhn_is_valid(digits: str) -> bool:
    """>>> luhn_is_valid("732829320")
    True
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """The digit to append to ``digits`` to make a Luhn-valid number."""
    for candidate in "0123456789":
        if luhn_is_valid(digits + candidate):
            return candidate
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def siren_error(value: str) -> str | None:
    """Why ``value`` is not a valid SIREN, or None."""
    if len(value) != 9 or not value.isdigit():
        return "un SIREN compte 9 chiffres"
    if not luhn_is_valid(value):
        return "clé de contrôle (Luhn) du SIREN invalide"
    return None


def siret_error(value: str) -> str | None:
    """Why ``value`` is not a valid SIRET, or None (the message is French: it is shown to users)."""
    if len(value) != 14 or not value.isdigit():
        return "un SIRET compte 14 chiffres"
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_HEAD_OFFICE:
        if sum(int(c) for c in value) % 5 != 0:
            return "SIRET de La Poste invalide (la somme des chiffres doit être un multiple de 5)"
        return None
    if not luhn_is_valid(value):
        return "clé de contrôle (Luhn) du SIRET invalide"
    return None


def normalise_siret(value: str) -> str:
    return "".join(value.split())
