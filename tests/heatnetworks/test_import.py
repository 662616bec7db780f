"""Import of France Chaleur Urbaine's heat networks for a territory (operation and command), and the
networks as receivers of waste heat in a detection run."""

import json
import math

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.heatnetworks.samples import centre_of, collection, feature, line, to_lambert93
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment, EstablishmentKind
from tremplin.heatnetworks.models import HeatNetwork
from tremplin.heatnetworks.services import HeatNetworkImportError, import_heat_networks
from tremplin.synergies.detection import start_detection

pytestmark = pytest.mark.django_db

KM_LAT = 1 / 111.2


def _km_lon(lat):
    return 1 / (111.32 * math.cos(math.radians(lat)))


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


def _trace_in(territory, length_km=4.0):
    lon, lat = centre_of(territory)
    half = length_km / 2 * _km_lon(lat)
    return line((lon - half, lat), (lon + half, lat))


def _far_trace():
    return line((5.0, 45.0), (5.05, 45.0))  # near Lyon


def test_networks_of_the_territory_are_kept_and_recorded_with_an_establishment_of_kind_heat_network(
    caux, officer
):
    content = collection(
        feature(_trace_in(caux)),
        feature(_far_trace(), **{"Identifiant reseau": "6901C", "nom_reseau": "Réseau lointain"}),
    )
    summary = import_heat_networks(caux, content, by=officer, filename="reseaux.geojson")
    assert (summary.created, summary.updated, summary.outside) == (1, 0, 1)
    network = HeatNetwork.objects.get(territory=caux)
    assert (network.identifier, network.name, network.operator) == ("7601C", "Réseau de Lillebonne", "Dalkia")
    assert network.deliveries_mwh == 24000
    assert json.loads(network.trace_geojson)["type"] == "MultiLineString"
    record = network.establishment
    assert record.kind == EstablishmentKind.HEAT_NETWORK
    assert record.siret is None
    assert record.naf_code == "35.30Z"
    assert record.territory == caux
    entry = AuditEntry.objects.get(action="heatnetwork.imported")
    assert entry.actor == officer
    assert entry.data["created"] == 1 and entry.data["outside"] == 1


def test_a_lambert93_file_gives_the_same_network(caux, officer):
    trace = _trace_in(caux)
    content = collection(feature(to_lambert93(trace)), crs="EPSG:2154")
    import_heat_networks(caux, content, by=officer, filename="l93.geojson")
    (part,) = json.loads(HeatNetwork.objects.get().trace_geojson)["coordinates"]
    assert part[0] == pytest.approx(trace["coordinates"][0], abs=1e-6)


def test_a_re_import_updates_the_network_and_its_record_without_duplicating_them(caux, officer):
    import_heat_networks(caux, collection(feature(_trace_in(caux))), by=officer, filename="a.geojson")
    record = HeatNetwork.objects.get().establishment
    content = collection(
        feature(_trace_in(caux, 6.0), livraisons_totale_MWh=30000, Gestionnaire="Engie Solutions")
    )
    summary = import_heat_networks(caux, content, by=officer, filename="b.geojson")
    assert (summary.created, summary.updated) == (0, 1)
    network = HeatNetwork.objects.get()
    assert (network.deliveries_mwh, network.operator, network.source_file) == (
        30000,
        "Engie Solutions",
        "b.geojson",
    )
    assert network.establishment_id == record.pk
    assert Establishment.objects.filter(kind=EstablishmentKind.HEAT_NETWORK).count() == 1
    record.refresh_from_db()
    assert record.version == 2


def test_a_file_with_one_bad_feature_writes_nothing(caux, officer):
    content = collection(
        feature(_trace_in(caux)),
        feature(_trace_in(caux), **{"Identifiant reseau": "7602C", "livraisons_totale_MWh": -5}),
    )
    with pytest.raises(HeatNetworkImportError) as refused:
        import_heat_networks(caux, content, by=officer, filename="x.geojson")
    assert refused.value.errors == ["entité 2, propriété « livraisons_totale_MWh » : -5 n'est pas positif"]
    assert not HeatNetwork.objects.exists()
    assert not Establishment.objects.filter(kind=EstablishmentKind.HEAT_NETWORK).exists()


def test_another_territorys_officer_cannot_import(caux):
    havre_officer = factories.territory_officer(factories.territory(LE_HAVRE))
    with pytest.raises(HeatNetworkImportError):
        import_heat_networks(
            caux, collection(feature(_trace_in(caux))), by=havre_officer, filename="x.geojson"
        )
    assert not HeatNetwork.objects.exists()


def test_the_command_imports_by_siren_and_names_the_bad_feature(caux, tmp_path, capsys):
    good = tmp_path / "reseaux.geojson"
    good.write_bytes(collection(feature(_trace_in(caux))))
    call_command("import_heat_networks", str(good), "--territory", CAUX_SEINE, "--date", "2025-06-30")
    network = HeatNetwork.objects.get()
    assert str(network.source_date) == "2025-06-30"
    assert "1 réseau(x) créé(s)" in capsys.readouterr().out
    bad = tmp_path / "mauvais.geojson"
    bad.write_bytes(collection(feature(_trace_in(caux), **{"nom_reseau": "x" * 300})))
    with pytest.raises(CommandError, match="entité 1, propriété « nom_reseau »"):
        call_command("import_heat_networks", str(bad), "--territory", str(caux.pk))


def test_a_detection_run_gives_the_waste_heat_of_a_site_near_the_trace_to_the_network(caux, officer):
    import_heat_networks(caux, collection(feature(_trace_in(caux, 5.0))), by=officer, filename="r.geojson")
    network = HeatNetwork.objects.get()
    lon, lat = centre_of(caux)
    near = factories.establishment(
        caux, name="Fonderie voisine", naf_code="24.51Z", latitude=lat + 1.0 * KM_LAT, longitude=lon
    )
    far = factories.establishment(
        caux, name="Fonderie lointaine", naf_code="24.51Z", latitude=lat + 40 * KM_LAT, longitude=lon
    )
    for site in (near, far):
        factories.flow(site, resource="wh_hot_water", quantity=20000, unit="MWh")
    run = start_detection(caux, mode="both", by=officer)
    run.refresh_from_db()
    assert run.status == "done"
    to_network = [lead for lead in run.leads.all() if lead.data["target_id"] == str(network.establishment_id)]
    assert [lead.data["source_id"] for lead in to_network] == [str(near.pk)]
    data = to_network[0].data
    assert data["great_circle_km"] == pytest.approx(1.0, abs=0.02)
    assert "du tracé du réseau « Réseau de Lillebonne », exploité par Dalkia" in data["explanation"]
    assert any("France Chaleur Urbaine" in a for a in data["assumptions"])


def test_a_lead_to_a_network_goes_into_the_pipeline_with_the_network_as_receiver(caux, officer):
    from tremplin.synergies.detection import accept_lead

    import_heat_networks(caux, collection(feature(_trace_in(caux, 5.0))), by=officer, filename="r.geojson")
    network = HeatNetwork.objects.get()
    lon, lat = centre_of(caux)
    site = factories.establishment(
        caux, name="Fonderie", naf_code="24.51Z", latitude=lat + KM_LAT, longitude=lon
    )
    factories.flow(site, resource="wh_hot_water", quantity=20000, unit="MWh")
    run = start_detection(caux, mode="both", by=officer)
    lead = next(lead for lead in run.leads.all() if lead.data["target_id"] == str(network.establishment_id))
    synergy = accept_lead(lead, by=officer)
    roles = {p.role: p.establishment_id for p in synergy.participants.all()}
    assert roles == {"source": site.pk, "target": network.establishment_id}
