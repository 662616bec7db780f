"""Names, addresses and SIRETs of demonstration establishments."""

import doctest
import random

import pytest

from tremplin.demo import naming as naming_module
from tremplin.demo.naming import Namer, SiretFactory, de_commune
from tremplin.demo.profiles import load_profiles
from tremplin.establishments.siret import siret_error


@pytest.mark.parametrize(
    ("commune", "expected"),
    [
        ("Le Havre", "du Havre"),
        ("Les Trois-Pierres", "des Trois-Pierres"),
        ("La Frénaye", "de La Frénaye"),
        ("Épouville", "d'Épouville"),
        ("Octeville-sur-Mer", "d'Octeville-sur-Mer"),
        ("Bolbec", "de Bolbec"),
    ],
)
def test_de_commune_contracts_and_elides_like_french_does(commune, expected):
    assert de_commune(commune) == expected


def test_sirets_pass_the_platform_validation_and_never_repeat_a_siren():
    factory = SiretFactory(random.Random(7))
    sirets = [factory.new() for _ in range(2_000)]
    assert all(siret_error(siret) is None for siret in sirets)
    assert len({siret[:9] for siret in sirets}) == len(sirets)


def test_every_naming_style_renders_without_leftover_placeholders():
    vocabulary = load_profiles().names
    namer = Namer(vocabulary, random.Random(3), ["Caux", "Seine"])
    for style in vocabulary.styles:
        for _ in range(20):
            name = namer.name(style, "Le Havre")
            assert name and "{" not in name and "  " not in name


def test_names_are_not_repeated_while_the_vocabulary_allows():
    namer = Namer(load_profiles().names, random.Random(5), ["Normandie"])
    names = [namer.name("haulier", "Bolbec") for _ in range(40)]
    assert len(set(names)) == len(names)


def test_the_docstring_examples_run():
    assert doctest.testmod(naming_module).failed == 0
