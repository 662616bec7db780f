"""The demonstration generator on real Normandy territories (geometries read from the test database)."""

import dataclasses
import doctest
import json
import math
import os
import subprocess
import sys
from collections import Counter

import pytest
from shapely.geometry import Point, shape

from tremplin.demo import generator as generator_module
from tremplin.demo.generator import generate_establishments
from tremplin.demo.services import commune_facts, epci_facts
from tremplin.engine.headcount import headcount_band
from tremplin.engine.naf import naf_section, normalise_naf
from tremplin.establishments.siret import luhn_is_valid
from tremplin.geo.models import Epci

CAUX_SEINE = "200010700"
LE_HAVRE = "200084952"
PAYS_FERTOIS = "200071652"  # CC du Pays Fertois et du Bocage Carrougien (Orne), 21 inhabitants/km²
SEED = 2026

# Hand-checked places (Wikipedia coordinates of the two Lower Seine refineries).
PORT_JEROME_REFINERY = (49.4767, 0.5511)
GONFREVILLE_REFINERY = (49.4858, 0.2350)


@pytest.fixture(scope="module")
def territories(django_db_setup, django_db_blocker):
    """EPCI facts, commune facts and stored commune geometries of the territories under test."""
    with django_db_blocker.unblock():
        data = {}
        for siren in (CAUX_SEINE, LE_HAVRE, PAYS_FERTOIS):
            epci = Epci.objects.get(siren=siren)
            geometries = {c.insee_code: c.geometry_geojson for c in epci.communes.all()}
            data[siren] = (epci_facts(epci), commune_facts(epci), geometries)
        return data


@pytest.fixture(scope="module")
def fabrics(territories):
    return {
        siren: generate_establishments(facts, communes, seed=SEED)
        for siren, (facts, communes, _geometries) in territories.items()
    }


def _km(a, b):
    dlat = (a[0] - b[0]) * 111.32
    dlon = (a[1] - b[1]) * 111.32 * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlon)


def test_the_same_seed_gives_the_same_establishments(territories, fabrics):
    facts, communes, _ = territories[CAUX_SEINE]
    assert generate_establishments(facts, communes, seed=SEED) == fabrics[CAUX_SEINE]


def test_the_order_of_the_communes_given_does_not_matter(territories, fabrics):
    facts, communes, _ = territories[CAUX_SEINE]
    assert generate_establishments(facts, list(reversed(communes)), seed=SEED) == fabrics[CAUX_SEINE]


def test_another_seed_gives_another_fabric(territories, fabrics):
    facts, communes, _ = territories[CAUX_SEINE]
    other = generate_establishments(facts, communes, seed=SEED + 1)
    assert other != fabrics[CAUX_SEINE]
    assert len({e.siret for e in other} & {e.siret for e in fabrics[CAUX_SEINE]}) == 0
    assert [e.name for e in other] != [e.name for e in fabrics[CAUX_SEINE]]


def test_the_output_does_not_depend_on_the_process_hash_seed(territories, fabrics, tmp_path):
    facts, communes, _ = territories[PAYS_FERTOIS]
    path = tmp_path / "facts.json"
    path.write_text(
        json.dumps({"epci": dataclasses.asdict(facts), "communes": [dataclasses.asdict(c) for c in communes]})
    )
    script = (
        "import dataclasses, json, sys\n"
        "from tremplin.demo.generator import CommuneFacts, EpciFacts, generate_establishments\n"
        "data = json.load(open(sys.argv[1]))\n"
        "out = generate_establishments(EpciFacts(**data['epci']),\n"
        "    [CommuneFacts(**c) for c in data['communes']], seed=2026)\n"
        "print(json.dumps([dataclasses.astuple(e) for e in out]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == [list(dataclasses.astuple(e)) for e in fabrics[PAYS_FERTOIS]]


@pytest.mark.parametrize("siren", [CAUX_SEINE, LE_HAVRE, PAYS_FERTOIS])
def test_every_establishment_lies_inside_its_commune_of_the_epci(territories, fabrics, siren):
    _facts, _communes, geometries = territories[siren]
    polygons = {code: shape(json.loads(text)) for code, text in geometries.items()}
    for establishment in fabrics[siren]:
        assert establishment.commune_insee_code in polygons
        polygon = polygons[establishment.commune_insee_code]
        assert polygon.contains(Point(establishment.longitude, establishment.latitude)), establishment


@pytest.mark.parametrize("siren", [CAUX_SEINE, LE_HAVRE, PAYS_FERTOIS])
def test_identifiers_and_codes_are_valid(fabrics, siren):
    establishments = fabrics[siren]
    sirets = [e.siret for e in establishments]
    assert len(set(sirets)) == len(sirets)
    for establishment in establishments:
        siret = establishment.siret
        assert len(siret) == 14 and siret.isdigit()
        assert luhn_is_valid(siret) and luhn_is_valid(siret[:9])
        assert normalise_naf(establishment.naf_code) == establishment.naf_code
        assert headcount_band(establishment.headcount_band).code == establishment.headcount_band
        assert establishment.name and establishment.address[0].isdigit()


def test_the_reference_territories_get_several_hundred_establishments(fabrics):
    assert 300 <= len(fabrics[CAUX_SEINE]) <= 900
    assert 300 <= len(fabrics[LE_HAVRE]) <= 900
    assert len(fabrics[LE_HAVRE]) > len(fabrics[CAUX_SEINE]) > len(fabrics[PAYS_FERTOIS])


@pytest.mark.parametrize(
    ("siren", "refinery"), [(CAUX_SEINE, PORT_JEROME_REFINERY), (LE_HAVRE, GONFREVILLE_REFINERY)]
)
def test_a_port_and_heavy_industry_territory_has_refining_chemistry_and_port_logistics(
    fabrics, siren, refinery
):
    codes = Counter(e.naf_code for e in fabrics[siren])
    assert 1 <= codes["19.20Z"] <= 2
    assert sum(n for code, n in codes.items() if code.startswith("20.")) >= 10
    assert codes["52.24A"] >= 5 and codes["52.10B"] >= 5
    # Refineries employ over a thousand people, and stand by the known refinery.
    for establishment in fabrics[siren]:
        if establishment.naf_code == "19.20Z":
            assert headcount_band(establishment.headcount_band).min >= 250
            assert _km((establishment.latitude, establishment.longitude), refinery) < 4


def test_chemistry_clusters_on_the_port_jerome_platform(fabrics):
    plants = [e for e in fabrics[CAUX_SEINE] if e.naf_code[:2] in {"19", "20"}]
    near = [e for e in plants if _km((e.latitude, e.longitude), PORT_JEROME_REFINERY) < 3]
    assert len(near) >= 0.8 * len(plants)


def test_a_rural_cc_is_dominated_by_agriculture_and_agri_food(fabrics):
    establishments = fabrics[PAYS_FERTOIS]
    farm_and_food = [
        e for e in establishments if naf_section(e.naf_code) == "A" or e.naf_code[:2] in {"10", "11"}
    ]
    assert len(farm_and_food) > 0.5 * len(establishments)
    assert not [e for e in establishments if e.naf_code in {"19.20Z", "52.24A", "20.14Z"}]


@pytest.mark.parametrize("siren", [CAUX_SEINE, LE_HAVRE, PAYS_FERTOIS])
def test_most_establishments_are_small(fabrics, siren):
    small = [e for e in fabrics[siren] if headcount_band(e.headcount_band).min < 10]
    assert len(small) >= 0.5 * len(fabrics[siren])


def test_hospitals_are_not_small(fabrics):
    hospitals = [e for e in fabrics[LE_HAVRE] if e.naf_code == "86.10Z"]
    assert hospitals
    assert all(headcount_band(e.headcount_band).min >= 10 for e in hospitals)


def test_shops_stand_closer_to_the_town_centre_than_farms(territories, fabrics):
    _facts, communes, _ = territories[CAUX_SEINE]
    centres = {c.insee_code: (c.latitude, c.longitude) for c in communes}

    def mean_distance(prefixes):
        chosen = [e for e in fabrics[CAUX_SEINE] if e.naf_code[:2] in prefixes]
        distances = [_km((e.latitude, e.longitude), centres[e.commune_insee_code]) for e in chosen]
        return sum(distances) / len(distances)

    assert mean_distance({"47", "56"}) < mean_distance({"01"})


def test_the_docstring_examples_run():
    assert doctest.testmod(generator_module).failed == 0
