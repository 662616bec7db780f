"""Workshop deliverables: lines, perimeter, and the lifecycle to do → in progress → submitted → validated."""

import json

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import LE_HAVRE
from tremplin.coaching.models import (
    Deliverable,
    DeliverableKind,
    DeliverableStatus,
    DeliverableTransition,
    GovernanceBody,
    GovernanceMember,
    PerimeterMode,
    SwotItem,
)
from tremplin.coaching.services import deliverables as services
from tremplin.coaching.services.errors import (
    CommentRequired,
    DeliverableLocked,
    EmptyDeliverable,
    InvalidPerimeter,
    InvalidTransition,
    NotAllowed,
)
from tremplin.geo.models import Commune

pytestmark = pytest.mark.django_db


def _deliverable(participation, kind=DeliverableKind.W1_DIAGNOSIS):
    services.ensure_deliverables(participation)
    return Deliverable.objects.get(participation=participation, kind=kind)


def _swot(deliverable, by, text="Un tissu agroalimentaire dense", category="strength"):
    return services.add_item(deliverable, SwotItem(category=category, text=text), by=by)


def test_every_participation_has_seven_deliverables_to_do(caux_participation):
    deliverables = services.ensure_deliverables(caux_participation)
    services.ensure_deliverables(caux_participation)
    assert [d.kind for d in deliverables] == DeliverableKind.values
    assert Deliverable.objects.filter(participation=caux_participation).count() == 7
    assert {d.status for d in deliverables} == {DeliverableStatus.TO_DO}


def test_adding_a_first_line_starts_the_deliverable(caux_participation, caux_officer):
    w1 = _deliverable(caux_participation)
    _swot(w1, caux_officer)
    w1.refresh_from_db()
    assert w1.status == DeliverableStatus.IN_PROGRESS
    assert list(w1.transitions.values_list("action", "by")) == [("deliverable.start", caux_officer.pk)]


def test_the_full_lifecycle_is_audited(caux_participation, caux_officer, programme):
    w1 = _deliverable(caux_participation)
    _swot(w1, caux_officer)
    services.change_status(w1, "submit", by=caux_officer)
    services.change_status(w1, "send_back", by=programme, comment="Ajoutez les menaces.")
    _swot(w1, caux_officer, text="Fermeture d'un site industriel", category="threat")
    services.change_status(w1, "submit", by=caux_officer)
    services.change_status(w1, "validate", by=programme, comment="Très bon diagnostic.")
    w1.refresh_from_db()
    assert w1.status == DeliverableStatus.VALIDATED
    history = list(
        DeliverableTransition.objects.filter(deliverable=w1).values_list("action", "to_status", "by")
    )
    assert history == [
        ("deliverable.start", "in_progress", caux_officer.pk),
        ("deliverable.submit", "submitted", caux_officer.pk),
        ("deliverable.send_back", "in_progress", programme.pk),
        ("deliverable.submit", "submitted", caux_officer.pk),
        ("deliverable.validate", "validated", programme.pk),
    ]
    # Comments given with a transition join the comments thread.
    assert list(w1.comments.values_list("text", flat=True)) == [
        "Ajoutez les menaces.",
        "Très bon diagnostic.",
    ]


@pytest.mark.parametrize(
    "action, persona",
    [
        ("validate", "caux_officer"),  # only the programme team validates
        ("send_back", "caux_officer"),
        ("submit", "programme"),  # only the territory submits its own work
        ("submit", "havre_officer"),
        ("validate", "committee"),
    ],
)
def test_transitions_refused_to_the_wrong_role(request, caux_participation, caux_officer, action, persona):
    w1 = _deliverable(caux_participation)
    _swot(w1, caux_officer)
    if action != "submit":
        services.change_status(w1, "submit", by=caux_officer)
    before = Deliverable.objects.get(pk=w1.pk).status
    with pytest.raises(NotAllowed):
        services.change_status(w1, action, by=request.getfixturevalue(persona), comment="x")
    assert Deliverable.objects.get(pk=w1.pk).status == before


def test_a_deliverable_cannot_be_validated_before_it_is_submitted(
    caux_participation, caux_officer, programme
):
    w1 = _deliverable(caux_participation)
    _swot(w1, caux_officer)
    with pytest.raises(InvalidTransition):
        services.change_status(w1, "validate", by=programme)


def test_an_empty_deliverable_cannot_be_submitted(caux_participation, caux_officer):
    with pytest.raises(EmptyDeliverable):
        services.change_status(_deliverable(caux_participation), "submit", by=caux_officer)


def test_sending_back_needs_a_comment(caux_participation, caux_officer, programme):
    w1 = _deliverable(caux_participation)
    _swot(w1, caux_officer)
    services.change_status(w1, "submit", by=caux_officer)
    with pytest.raises(CommentRequired):
        services.change_status(w1, "send_back", by=programme, comment="  ")


def test_a_submitted_deliverable_is_read_only_until_withdrawn(caux_participation, caux_officer):
    w1 = _deliverable(caux_participation)
    item = _swot(w1, caux_officer)
    services.change_status(w1, "submit", by=caux_officer)
    w1.refresh_from_db()
    with pytest.raises(DeliverableLocked):
        _swot(w1, caux_officer, text="Encore")
    with pytest.raises(DeliverableLocked):
        services.remove_item(w1, item, by=caux_officer)
    services.change_status(w1, "withdraw", by=caux_officer)
    w1.refresh_from_db()
    _swot(w1, caux_officer, text="Encore")
    assert SwotItem.objects.of(caux_participation).count() == 2


def test_the_programme_team_does_not_write_the_territorys_deliverable(caux_participation, programme):
    with pytest.raises(NotAllowed):
        _swot(_deliverable(caux_participation), programme)


def test_a_line_of_another_deliverable_kind_is_refused(caux_participation, caux_officer):
    w2 = _deliverable(caux_participation, DeliverableKind.W2_OBJECTIVES)
    with pytest.raises(NotAllowed):
        services.add_item(w2, SwotItem(category="strength", text="x"), by=caux_officer)


def test_governance_members_belong_to_a_body_of_the_same_territory(
    caux_participation, havre_participation, caux_officer, havre_officer
):
    havre_gov = _deliverable(havre_participation, DeliverableKind.W2_GOVERNANCE)
    havre_body = services.add_item(havre_gov, GovernanceBody(name="Comité de pilotage"), by=havre_officer)
    caux_gov = _deliverable(caux_participation, DeliverableKind.W2_GOVERNANCE)
    with pytest.raises(NotAllowed):
        services.add_item(caux_gov, GovernanceMember(body=havre_body, name="X", role="Y"), by=caux_officer)


def test_the_perimeter_takes_only_communes_of_the_epci(caux, caux_participation, caux_officer):
    w2 = _deliverable(caux_participation, DeliverableKind.W2_PERIMETER)
    own = list(caux.epci.communes.order_by("insee_code")[:3])
    elsewhere = Commune.objects.filter(epci__siren=LE_HAVRE).first()
    with pytest.raises(InvalidPerimeter):
        services.save_perimeter(w2, mode=PerimeterMode.COMMUNES, communes=[*own, elsewhere], by=caux_officer)
    perimeter = services.save_perimeter(w2, mode=PerimeterMode.COMMUNES, communes=own, by=caux_officer)
    assert set(perimeter.chosen_communes()) == set(own)


def test_activity_zones_are_stored_as_geojson_polygons(caux_participation, caux_officer):
    w2 = _deliverable(caux_participation, DeliverableKind.W2_PERIMETER)
    square = [[0.5, 49.5], [0.55, 49.5], [0.55, 49.53], [0.5, 49.53], [0.5, 49.5]]
    zones = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]}, "properties": {}}
        ],
    }
    perimeter = services.save_perimeter(
        w2, mode=PerimeterMode.ZONES, zones_geojson=json.dumps(zones), by=caux_officer
    )
    assert perimeter.zones[0]["geometry"]["coordinates"] == [square]
    assert perimeter.zones[0]["properties"]["name"] == "Zone 1"
    line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": square}, "properties": {}}
    with pytest.raises(InvalidPerimeter):
        services.save_perimeter(w2, mode=PerimeterMode.ZONES, zones_geojson=json.dumps(line), by=caux_officer)
    with pytest.raises(InvalidPerimeter):
        services.save_perimeter(w2, mode=PerimeterMode.ZONES, zones_geojson="not json", by=caux_officer)


def test_the_w1_page_shows_the_territorys_own_data_beside_the_swot(
    client, caux, caux_participation, caux_officer
):
    bakery = factories.establishment(caux, naf_code="10.71C")
    factories.establishment(caux, naf_code="10.71C")
    factories.flow(bakery, resource="wood_clean", quantity=2, unit="t", frequency="month")  # 24 t/year
    client.force_login(caux_officer)
    url = reverse(
        "coaching_deliverable", kwargs={"participation_pk": caux_participation.pk, "kind": "w1_diagnosis"}
    )
    html = client.get(url).content.decode()
    assert "Industrie manufacturière" in html
    assert "Force" in html and "Menace" in html
    assert '<span data-fact="known-outputs">24</span>' in html  # declared, never invented


def test_an_officer_fills_and_submits_w1_then_the_team_validates_through_the_pages(
    client, caux_participation, caux_officer, programme
):
    w1 = _deliverable(caux_participation)
    client.force_login(caux_officer)
    add = reverse("coaching_deliverable_item_add", kwargs={"pk": w1.pk, "item_type": "swot"})
    client.post(add, {"swot-category": "opportunity", "swot-text": "Port du Havre à proximité"})
    transition = reverse("coaching_deliverable_transition", kwargs={"pk": w1.pk})
    client.post(transition, {"action": "submit"})
    w1.refresh_from_db()
    assert w1.status == "submitted"
    # The officer may not validate its own work.
    client.post(transition, {"action": "validate"})
    w1.refresh_from_db()
    assert w1.status == "submitted"
    client.force_login(programme)
    client.post(transition, {"action": "validate", "comment": "Validé en atelier 2"})
    w1.refresh_from_db()
    assert w1.status == "validated"
    page = reverse("coaching_participation", kwargs={"pk": caux_participation.pk})
    html = client.get(page).content.decode()
    assert 'data-status="validated">Validé' in html


def test_an_invalid_line_is_shown_back_with_its_errors(client, caux_participation, caux_officer):
    w2 = _deliverable(caux_participation, DeliverableKind.W2_OBJECTIVES)
    client.force_login(caux_officer)
    add = reverse("coaching_deliverable_item_add", kwargs={"pk": w2.pk, "item_type": "objective"})
    response = client.post(add, {"objective-label": "Réduire les déchets", "objective-target_value": "abc"})
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
