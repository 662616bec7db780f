"""Plausible French names, addresses and identifiers for demonstration establishments. Pure Python.

>>> import random
>>> from tremplin.establishments.siret import luhn_is_valid
>>> de_commune("Le Havre"), de_commune("Octeville-sur-Mer"), de_commune("Les Trois-Pierres")
('du Havre', "d'Octeville-sur-Mer", 'des Trois-Pierres')
>>> siret = SiretFactory(random.Random(1)).new()
>>> len(siret), luhn_is_valid(siret), luhn_is_valid(siret[:9])
(14, True, True)
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence

from tremplin.demo.profiles import ActivityZone, NameVocabulary
from tremplin.establishments.siret import luhn_check_digit

__all__ = ["Namer", "SiretFactory", "de_commune"]

_VOWELS = frozenset("aeiouyéèêëàâîïôûAEIOUYÉÈÊÀÂÎÔ")
_NAME_ATTEMPTS = 8


def de_commune(name: str) -> str:
    """The French « de » + a commune's name, with the article contracted or elided."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1] in _VOWELS:
        return "d'" + name
    return "de " + name


class SiretFactory:
    """SIRETs that look real: a Luhn-valid SIREN (first digit 3–9, as companies' are), then an NIC
    whose last digit makes the whole SIRET Luhn-valid. Each SIREN is used once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_sirens: set[str] = set()

    def new(self) -> str:
        while True:
            body = str(self.rng.randint(3, 9)) + f"{self.rng.randrange(10_000_000):07d}"
            siren = body + luhn_check_digit(body)
            if siren not in self.used_sirens:
                break
        self.used_sirens.add(siren)
        # Most establishments are their company's first or second site: small NICs.
        nic_body = f"{self.rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 12, 15, 21, 27)):04d}"
        return siren + nic_body + luhn_check_digit(siren + nic_body)


class Namer:
    """Draws establishment names and street addresses from the vocabulary of ``names.yaml``."""

    def __init__(self, vocabulary: NameVocabulary, rng: random.Random, place_words: Sequence[str]) -> None:
        self.vocabulary = vocabulary
        self.rng = rng
        self.place_words = tuple(place_words) or vocabulary.default_place_words
        self.used: set[str] = set()

    def coined(self) -> str:
        prefix = self.rng.choice(self.vocabulary.coined_prefixes)
        suffix = self.rng.choice(self.vocabulary.coined_suffixes)
        if prefix[-1] in _VOWELS and suffix[0] in _VOWELS:
            return f"{prefix}r{suffix}"
        return prefix + suffix

    def _field(self, field: str, commune_name: str) -> str:
        vocabulary = self.vocabulary
        match field:
            case "surname":
                return self.rng.choice(vocabulary.surnames)
            case "first_name":
                return self.rng.choice(vocabulary.first_names)
            case "coined":
                return self.coined()
            case "place":
                return self.rng.choice(self.place_words)
            case "de_commune":
                return de_commune(commune_name)
            case "lieu":
                return self.rng.choice(vocabulary.lieux)
            case "legal":
                return self.rng.choice(vocabulary.legal_forms)
            case "care_home":
                return self.rng.choice(vocabulary.care_home_names)
        raise KeyError(f"unknown placeholder {{{field}}} in a naming style")

    def _render(self, template: str, commune_name: str) -> str:
        parts = []
        for literal, field, _spec, _conversion in string.Formatter().parse(template):
            parts.append(literal)
            if field is not None:
                parts.append(self._field(field, commune_name))
        return "".join(parts)

    def name(self, style: str, commune_name: str) -> str:
        """A name in the given style, different from the names already given when possible."""
        templates = self.vocabulary.styles[style]
        name = ""
        for _attempt in range(_NAME_ATTEMPTS):
            name = self._render(self.rng.choice(templates), commune_name)
            if name not in self.used:
                break
        self.used.add(name)
        return name

    def address(self, street_kind: str, zone: ActivityZone | None = None, population: int = 10_000) -> str:
        """A street address: « 12 rue des Forges », followed by the zone's name for a site in a zone.

        House numbers run higher in a town than in a village of 300 (``population`` is the commune's).
        """
        streets = self.vocabulary.streets[street_kind]
        if zone is not None and zone.streets and self.rng.random() < 0.6:
            streets = zone.streets
        street = self.rng.choice(streets)
        highest = {"centre": 150, "industrial": 90, "rural": 40}[street_kind]
        highest = min(highest, max(12, 10 + population // 100))
        number = self.rng.randint(1, highest)
        address = f"{number} {street}"
        if self.rng.random() < 0.1:
            address = f"{number} bis {street}"
        return f"{address}, {zone.address_label}" if zone is not None else address
