import json

import pytest
import shapely
from django.db.models import Sum

from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.geo.loading import load_geography
from tremplin.geo.models import Commune, Department, Epci, EpciKind, Region

pytestmark = pytest.mark.django_db


def test_normandy_is_loaded_with_its_five_departements():
    normandy = Region.objects.get(code="28")
    assert normandy.name == "Normandie"
    assert set(normandy.departments.values_list("code", flat=True)) == {"14", "27", "50", "61", "76"}


def test_the_two_reference_territories_have_their_real_kind_and_communes():
    caux_seine = Epci.objects.get(siren=CAUX_SEINE)
    le_havre = Epci.objects.get(siren=LE_HAVRE)
    assert caux_seine.kind == EpciKind.CA
    assert le_havre.kind == EpciKind.CU
    # Official compositions: Caux Seine Agglo groups 50 communes, Le Havre Seine Métropole 54.
    assert caux_seine.communes.count() == caux_seine.commune_count == 50
    assert le_havre.communes.count() == le_havre.commune_count == 54
    assert Commune.objects.get(insee_code="76351").name == "Le Havre"
    assert Commune.objects.get(insee_code="76351").epci == le_havre
    assert Commune.objects.get(insee_code="76476").epci == caux_seine  # Port-Jérôme-sur-Seine


def test_epci_population_is_the_sum_of_its_communes():
    for epci in Epci.objects.filter(siren__in=[CAUX_SEINE, LE_HAVRE]):
        assert epci.population == epci.communes.aggregate(total=Sum("population"))["total"]
        assert 50_000 < epci.population < 400_000


def test_epci_boundary_is_the_union_of_its_communes():
    epci = Epci.objects.get(siren=LE_HAVRE)
    boundary = shapely.from_geojson(epci.boundary_geojson)
    commune_area = sum(epci.communes.values_list("area_km2", flat=True))
    assert epci.area_km2 == pytest.approx(commune_area, rel=0.01)
    for lat, lon in epci.communes.values_list("centroid_lat", "centroid_lon"):
        assert boundary.buffer(0.002).contains(shapely.Point(lon, lat))
    # Outside: Rouen's town hall (49.443, 1.099) is some 80 km east.
    assert not boundary.contains(shapely.Point(1.099, 49.443))


def test_commune_point_lies_inside_its_boundary():
    for commune in Commune.objects.filter(epci__siren=CAUX_SEINE):
        polygon = shapely.from_geojson(commune.geometry_geojson)
        assert polygon.buffer(0.001).contains(shapely.Point(commune.centroid_lon, commune.centroid_lat))
        assert json.loads(commune.geometry_geojson)["type"] in {"Polygon", "MultiPolygon"}


def test_loading_twice_changes_nothing():
    before = (
        Region.objects.count(),
        Department.objects.count(),
        Epci.objects.count(),
        Commune.objects.count(),
    )
    ids_before = set(Epci.objects.values_list("id", flat=True))
    report = load_geography("28")
    after = (
        Region.objects.count(),
        Department.objects.count(),
        Epci.objects.count(),
        Commune.objects.count(),
    )
    assert before == after
    assert set(Epci.objects.values_list("id", flat=True)) == ids_before
    assert (report.epcis, report.communes) == (after[2], after[3])


def test_an_unknown_region_is_refused():
    with pytest.raises(ValueError, match="99"):
        load_geography("99")
