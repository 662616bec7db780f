"""The reader of France Chaleur Urbaine's heat-network layer: both systems of coordinates, several-part
traces, networks without a trace, and refusals that name the feature and the property."""

import pytest

from tests.heatnetworks.samples import collection, feature, line, to_lambert93
from tremplin.heatnetworks.geojson import HeatNetworkFileError, read_heat_networks

TRACE = line((0.53, 49.52), (0.56, 49.53))


def test_a_wgs84_trace_is_read_with_its_properties():
    (network,) = read_heat_networks(collection(feature(TRACE)))
    assert network.identifier == "7601C"
    assert network.name == "Réseau de Lillebonne"
    assert network.operator == "Dalkia"
    assert network.deliveries_mwh == 24000
    assert network.renewable_share == 62.5
    assert network.has_trace
    assert network.parts == [[(0.53, 49.52), (0.56, 49.53)]]


def test_a_lambert93_file_is_converted_to_wgs84():
    content = collection(feature(to_lambert93(TRACE)), crs="urn:ogc:def:crs:EPSG::2154")
    (network,) = read_heat_networks(content)
    (part,) = network.parts
    for (lon, lat), (lon0, lat0) in zip(part, [(0.53, 49.52), (0.56, 49.53)], strict=True):
        assert lon == pytest.approx(lon0, abs=1e-6)
        assert lat == pytest.approx(lat0, abs=1e-6)


def test_metres_without_a_crs_member_are_refused_with_the_hint():
    with pytest.raises(HeatNetworkFileError) as refused:
        read_heat_networks(collection(feature(to_lambert93(TRACE))))
    assert refused.value.errors == [
        "entité 1, géométrie : coordonnées hors des bornes de WGS84 "
        "(en mètres ? indiquez le membre crs EPSG:2154)"
    ]


def test_a_multilinestring_keeps_every_part_and_pieces_of_one_network_are_joined():
    multi = {
        "type": "MultiLineString",
        "coordinates": [[[0.5, 49.5], [0.51, 49.5]], [[0.6, 49.6], [0.61, 49.6]]],
    }
    piece = line((0.7, 49.7), (0.71, 49.7))
    (network,) = read_heat_networks(collection(feature(multi), feature(piece)))
    assert len(network.parts) == 3
    assert network.features == [1, 2]
    assert network.geometry()["type"] == "MultiLineString"


def test_a_point_is_a_network_without_a_published_trace():
    point = {"type": "Point", "coordinates": [0.53, 49.52]}
    (network,) = read_heat_networks(collection(feature(point, **{"Identifiant reseau": "7602C"})))
    assert not network.has_trace
    assert network.geometry() == {"type": "MultiPoint", "coordinates": [[0.53, 49.52]]}


def test_numbers_written_the_french_way_are_read():
    (network,) = read_heat_networks(collection(feature(TRACE, livraisons_totale_MWh="12 345,5")))
    assert network.deliveries_mwh == 12345.5


def test_bad_features_are_all_listed_with_their_position_and_property_and_nothing_is_returned():
    content = collection(
        feature(TRACE),
        feature(TRACE, **{"Identifiant reseau": "7603C", "livraisons_totale_MWh": "beaucoup"}),
        feature(TRACE, **{"Identifiant reseau": None}),
        feature(
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
            **{"Identifiant reseau": "X"},
        ),
        feature(line((0.5, 49.5)), **{"Identifiant reseau": "Y"}),
        feature(TRACE, **{"Identifiant reseau": "Z", "Taux EnR&R": 140}),
    )
    with pytest.raises(HeatNetworkFileError) as refused:
        read_heat_networks(content)
    assert refused.value.errors == [
        "entité 2, propriété « livraisons_totale_MWh » : « beaucoup » n'est pas un nombre",
        "entité 3, propriété « Identifiant reseau » : identifiant du réseau manquant",
        "entité 4, géométrie : géométrie « Polygon » non prise en charge "
        "(attendu : LineString, MultiLineString, Point, MultiPoint)",
        "entité 5, géométrie : une ligne du tracé a moins de deux positions",
        "entité 6, propriété « Taux EnR&R » : 140 n'est pas entre 0 et 100",
    ]


def test_an_unknown_crs_and_a_non_collection_are_refused():
    with pytest.raises(HeatNetworkFileError, match="EPSG:3857"):
        read_heat_networks(collection(feature(TRACE), crs="EPSG:3857"))
    with pytest.raises(HeatNetworkFileError, match="FeatureCollection"):
        read_heat_networks(b'{"type": "Feature"}')
    with pytest.raises(HeatNetworkFileError, match="JSON invalide"):
        read_heat_networks(b"{not json")
