"""Points given in a file or typed by hand must lie in their commune: outside, the row is refused with
the distance (computed here independently, on a square boundary given to the commune), or placed at the
commune with a note; a commune without a boundary is said not to be checked."""

import io

import pytest
import shapely
from pyproj import Geod

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import PAPETERIE
from tremplin.establishments.models import Establishment, LocationPrecision
from tremplin.establishments.services import (
    EstablishmentError,
    ImportRejected,
    import_establishments,
    update_establishment,
)
from tremplin.geo.models import Commune

pytestmark = pytest.mark.django_db

HEADER = "siret;nom;code_naf;tranche_effectifs;code_commune;adresse;latitude;longitude"
GEOD = Geod(ellps="WGS84")


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def square_commune():
    """Port-Jérôme-sur-Seine given a square boundary of ±0.01° of latitude, ±0.015° of longitude around
    its reference point (inside the test's transaction only)."""
    commune = Commune.objects.get(insee_code="76476")
    lat, lon = commune.centroid_lat, commune.centroid_lon
    commune.geometry_geojson = shapely.to_geojson(
        shapely.box(lon - 0.015, lat - 0.01, lon + 0.015, lat + 0.01)
    )
    commune.save()
    return commune


def _file(latitude, longitude, *, commune="76476") -> bytes:
    row = f"{PAPETERIE};Papeterie;17.12Z;22;{commune};;{latitude:.6f};{longitude:.6f}"
    return f"{HEADER}\n\n{row}\n".encode()  # an empty line first: the row is line 3


def _import(caux, data, **options):
    return import_establishments(caux, io.BytesIO(data), kind="template", by=None, **options)


def test_a_point_outside_its_commune_is_refused_with_the_distance(caux, square_commune):
    lat, lon = square_commune.centroid_lat, square_commune.centroid_lon
    with pytest.raises(ImportRejected) as rejected:
        _import(caux, _file(lat, lon + 0.06))
    _az, _back, expected = GEOD.inv(lon + 0.06, lat, lon + 0.015, lat)  # to the east edge: about 3.3 km
    distance = f"{expected / 1000:.1f}".replace(".", ",")
    (error,) = rejected.value.report.errors
    assert str(error) == (
        f"ligne 3, latitude/longitude : le point est à {distance} km hors de la commune de "
        f"{square_commune.name} (76476)"
    )
    assert not caux.establishments.exists()


def test_the_option_places_a_point_outside_at_its_commune_with_a_note(caux, square_commune):
    lat, lon = square_commune.centroid_lat, square_commune.centroid_lon
    report = _import(caux, _file(lat, lon + 0.06), outside="commune")
    assert (report.created, report.moved_to_commune, report.located_in_commune) == (1, 1, 1)
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    assert (papeterie.latitude, papeterie.longitude, papeterie.location_precision) == (
        lat,
        lon,
        LocationPrecision.COMMUNE,
    )
    assert "hors de la commune" in papeterie.location_note and "km" in papeterie.location_note


def test_a_point_inside_its_commune_is_accepted(caux, square_commune):
    lat, lon = square_commune.centroid_lat, square_commune.centroid_lon
    report = _import(caux, _file(lat + 0.005, lon - 0.01))
    assert (report.created, report.not_checked) == (1, 0)
    assert Establishment.objects.get().location_precision == LocationPrecision.ADDRESS


def test_a_commune_without_boundary_is_not_checked_but_the_territory_is(caux, square_commune):
    square_commune.geometry_geojson = ""
    square_commune.save()
    lat, lon = square_commune.centroid_lat, square_commune.centroid_lon
    report = _import(caux, _file(lat, lon + 0.06))  # inside Caux Seine Agglo
    assert (report.created, report.not_checked) == (1, 1)
    with pytest.raises(ImportRejected) as rejected:
        _import(caux, _file(49.49, 0.10))  # Le Havre, outside the territory
    assert "hors du territoire" in rejected.value.report.errors[0].reason


def test_without_any_boundary_the_point_is_accepted_and_counted_as_not_checked(caux, square_commune):
    square_commune.geometry_geojson = ""
    square_commune.save()
    caux.epci.boundary_geojson = ""
    caux.epci.save()
    report = _import(caux, _file(49.49, 0.10))
    assert (report.created, report.not_checked) == (1, 1)


def test_an_edit_moving_the_point_outside_its_commune_is_refused_with_the_distance(caux, square_commune):
    officer = factories.territory_officer(caux)
    lat, lon = square_commune.centroid_lat, square_commune.centroid_lon
    _import(caux, _file(lat, lon))
    papeterie = Establishment.objects.get()
    with pytest.raises(EstablishmentError) as refused:
        update_establishment(papeterie, by=officer, latitude=lat - 0.03, longitude=lon)
    _az, _back, expected = GEOD.inv(lon, lat - 0.03, lon, lat - 0.01)  # to the south edge: about 2.2 km
    distance = f"{expected / 1000:.1f}".replace(".", ",")
    assert str(refused.value) == (
        f"Le point est à {distance} km hors de la commune de {square_commune.name} (76476) : "
        "vérifiez la latitude et la longitude."
    )
    papeterie.refresh_from_db()
    assert (papeterie.latitude, papeterie.longitude) == (lat, lon)
    update_establishment(papeterie, by=officer, latitude=lat - 0.005, longitude=lon)  # inside: accepted
    papeterie.refresh_from_db()
    assert papeterie.latitude == lat - 0.005 and papeterie.hand_corrected == ["location"]
