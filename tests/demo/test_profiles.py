"""Reference data of the demonstration generator: sector mixes, classification rule, activity zones."""

import doctest

import pytest
import shapely
from shapely.geometry import Point

from tremplin.demo import profiles as profiles_module
from tremplin.demo.profiles import (
    NAMES_FILE,
    PROFILES_FILE,
    DemoProfileError,
    EpciProfileKey,
    load_profiles,
    read_profiles,
)
from tremplin.engine.headcount import headcount_band
from tremplin.engine.naf import naf_level, normalise_naf
from tremplin.geo.models import Commune

CAUX_SEINE = "200010700"
LE_HAVRE = "200084952"


def test_every_sector_is_a_real_naf_subclass_with_a_valid_band_distribution():
    profiles = load_profiles()
    assert len(profiles.sectors) > 80
    for code, sector in profiles.sectors.items():
        assert normalise_naf(code) == code
        assert naf_level(code) == "subclass"
        for band, weight in sector.headcount:
            assert headcount_band(band).code == band != "NN"
            assert weight > 0


def test_the_four_kinds_of_territory_are_described():
    assert set(load_profiles().kinds) == {"port_heavy_industry", "urban", "rural_agrifood", "mixed"}


@pytest.mark.parametrize(
    ("epci_kind", "population", "area_km2", "expected"),
    [
        ("CC", 5_000, 240.0, "rural_agrifood"),  # 21 inhabitants/km², the Perche or the bocage
        ("CC", 25_000, 70.0, "mixed"),  # a coastal or peri-urban CC
        ("CA", 75_000, 1_000.0, "mixed"),  # an agglomeration of market towns
        ("CA", 47_000, 130.0, "urban"),  # a dense agglomeration
        ("CU", 56_000, 460.0, "urban"),
        ("ME", 490_000, 660.0, "urban"),
    ],
)
def test_an_epci_is_classified_by_its_kind_and_density(epci_kind, population, area_km2, expected):
    assert load_profiles().classify(epci_kind, population, area_km2) == expected


def test_the_reference_territories_are_port_and_heavy_industry_by_override():
    profiles = load_profiles()
    caux = profiles.plan_for(EpciProfileKey(CAUX_SEINE, "CA", 77_495, 575.0))
    havre = profiles.plan_for(EpciProfileKey(LE_HAVRE, "CU", 269_060, 509.0))
    assert dict(caux.kinds) == {"port_heavy_industry": 1.0}
    assert set(dict(havre.kinds)) == {"port_heavy_industry", "urban"}
    assert sum(dict(havre.kinds).values()) == pytest.approx(1.0)
    assert caux.overridden and havre.overridden and caux.zones and havre.zones


def _commune_containing(longitude, latitude, epci_siren):
    for commune in Commune.objects.filter(epci__siren=epci_siren):
        if shapely.from_geojson(commune.geometry_geojson).contains(Point(longitude, latitude)):
            return commune.name
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("siren", "zone_start", "commune"),
    [
        (CAUX_SEINE, "Plateforme industrielle de Port-Jérôme", "Port-Jérôme-sur-Seine"),
        (CAUX_SEINE, "Zone industrialo-portuaire de Port-Jérôme 2", "Saint-Jean-de-Folleville"),
        (LE_HAVRE, "Raffinerie et plateforme pétrochimique", "Gonfreville-l'Orcher"),
        (LE_HAVRE, "Port 2000", "Le Havre"),
        (LE_HAVRE, "Parc d'activités Éco-Normandie", "Saint-Romain-de-Colbosc"),
    ],
)
def test_activity_zones_are_centred_in_the_commune_that_hosts_them(siren, zone_start, commune):
    zones = load_profiles().overrides[siren].zones
    zone = next(zone for zone in zones if zone.name.startswith(zone_start))
    assert _commune_containing(zone.longitude, zone.latitude, siren) == commune


def _write_variant(tmp_path, old, new):
    text = PROFILES_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "territory_profiles.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  19.20Z: {group", "  19.20X: {group", "19.20X"),
        ("      52.24A: 25\n", "      52.24A: 25\n      99.99Z: 3\n", "99.99Z"),
        ('{"00": 45, "01": 35', '{"00": 45, "13": 35', "'13'"),
        ("kinds: {port_heavy_industry: 1.0}", "kinds: {port_heavy: 1.0}", "port_heavy"),
        ("hosts: [port_logistics, transport]\n", "hosts: [docks]\n", "docks"),
    ],
)
def test_a_mistake_in_the_reference_data_fails_loudly(tmp_path, old, new, message):
    path = _write_variant(tmp_path, old, new)
    with pytest.raises(DemoProfileError, match=message):
        read_profiles(path, NAMES_FILE)


def test_the_docstring_examples_run():
    assert doctest.testmod(profiles_module).failed == 0
