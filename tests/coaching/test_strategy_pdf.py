"""The consolidated EIT strategy and action plan, as a PDF whose text is read back."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests import factories
from tremplin.coaching.exports.pdf import strategy_pdf
from tremplin.coaching.models import (
    BudgetLine,
    Deliverable,
    DeliverableKind,
    GovernanceBody,
    Objective,
    PerimeterMode,
    SwotItem,
)
from tremplin.coaching.services import deliverables as services

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_holds_the_territorys_swot_and_plan_with_statuses(
    client, caux, caux_participation, caux_officer, programme
):
    deliverables = {d.kind: d for d in services.ensure_deliverables(caux_participation)}
    w1 = deliverables[DeliverableKind.W1_DIAGNOSIS]
    services.add_item(
        w1, SwotItem(category="strength", text="Filière agroalimentaire structurée"), by=caux_officer
    )
    services.add_item(w1, SwotItem(category="threat", text="Coût croissant des déchets"), by=caux_officer)
    services.change_status(w1, "submit", by=caux_officer)
    services.change_status(w1, "validate", by=programme)
    services.save_perimeter(
        deliverables[DeliverableKind.W2_PERIMETER], mode=PerimeterMode.WHOLE_EPCI, by=caux_officer
    )
    services.add_item(
        deliverables[DeliverableKind.W2_OBJECTIVES],
        Objective(
            label="Détourner les déchets",
            indicator="Tonnes détournées",
            baseline_value=120,
            baseline_date=datetime.date(2019, 1, 1),
            target_value=500,
            unit="t/an",
        ),
        by=caux_officer,
    )
    services.add_item(
        deliverables[DeliverableKind.W2_GOVERNANCE],
        GovernanceBody(name="Comité de pilotage EIT"),
        by=caux_officer,
    )
    services.add_item(
        deliverables[DeliverableKind.W4_ECONOMIC_MODEL],
        BudgetLine(kind="funding", label="Aide ADEME", amount=Decimal("24000"), year=2020),
        by=caux_officer,
    )

    client.force_login(caux_officer)
    response = client.get(reverse("coaching_strategy_pdf", kwargs={"pk": caux_participation.pk}))
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Caux Seine Agglo" in text
    assert "Filière agroalimentaire structurée" in text
    assert "Coût croissant des déchets" in text
    assert "Détourner les déchets" in text and "500 t/an" in text
    assert "Comité de pilotage EIT" in text
    assert "Aide ADEME" in text and "24" in text and "€" in text
    # Each deliverable with its status.
    lines = [line.strip() for line in text.splitlines()]
    assert any(line.startswith(str(Deliverable(kind="w1_diagnosis").get_kind_display())) for line in lines)
    assert "Validé" in text and "À faire" in text


def test_another_territory_cannot_download_the_pdf(client, caux_participation, havre_officer):
    client.force_login(havre_officer)
    response = client.get(reverse("coaching_strategy_pdf", kwargs={"pk": caux_participation.pk}))
    assert response.status_code == 404


def _page_drawing_operations(pdf: bytes) -> int:
    """How many path segments ("x y l") the pages draw: the map's polygons are made of them."""
    reader = PdfReader(io.BytesIO(pdf))
    segment = re.compile(rb"-?[\d.]+ -?[\d.]+ l\b")
    return sum(len(segment.findall(page.get_contents().get_data())) for page in reader.pages)


def test_the_pdf_holds_the_map_the_key_figures_the_objectives_progress_and_the_action_plan(
    client, caux, caux_participation, caux_officer, monkeypatch
):
    from tremplin.coaching.models import ObjectiveValue
    from tremplin.coaching.services import actionplan, objectives

    deliverables = {d.kind: d for d in services.ensure_deliverables(caux_participation)}
    communes = list(caux.epci.communes.order_by("insee_code")[:3])
    services.save_perimeter(
        deliverables[DeliverableKind.W2_PERIMETER],
        mode=PerimeterMode.COMMUNES,
        communes=communes,
        by=caux_officer,
    )
    objective = services.add_item(
        deliverables[DeliverableKind.W2_OBJECTIVES],
        Objective(
            label="Valoriser les biodéchets",
            indicator="Tonnes valorisées",
            unit="t",
            baseline_value=200,
            baseline_date=datetime.date(2019, 1, 1),
            target_value=1000,
        ),
        by=caux_officer,
    )
    objectives.record_value(
        objective,
        ObjectiveValue(date=datetime.date(2019, 10, 1), value=500, basis="measured", source="pesées"),
        by=caux_officer,
    )
    for title, budget in (
        ("Collecte mutualisée des cartons", "12000"),
        ("Guide des bonnes pratiques", "1000.50"),
    ):
        actionplan.create_action(
            caux_participation,
            by=caux_officer,
            title=title,
            owner_name="Camille Caux",
            budget_eur=Decimal(budget),
            funding_source="ADEME",
        )
    establishment = factories.establishment(caux, name="Scierie du Val")
    factories.flow(establishment, quantity=12)

    client.force_login(caux_officer)
    response = client.get(reverse("coaching_strategy_pdf", kwargs={"pk": caux_participation.pk}))
    text = _text(response.content)
    flat = " ".join(text.split())
    # The action plan, with its total: 12 000 + 1 000,50 = 13 000,50 €.
    assert "Plan d'actions" in text
    assert "Collecte mutualisée des cartons" in flat and "Guide des bonnes pratiques" in flat
    assert "13 000,50 €" in flat.replace("\xa0", " ")
    # The key figures, with their basis and source.
    assert "Chiffres clés du territoire" in text
    assert "Flux déclarés par les entreprises" in flat and "déclaré" in flat
    assert "Gisements connus" in flat and "12 t/an" in flat
    # The objective's progress: (500 − 200) ÷ (1 000 − 200) = 37,5 %.
    assert "37,5 %" in flat and "mesuré" in flat
    # The map: a caption and many path segments (three communes' outlines over the EPCI's).
    assert "Périmètre en vert sur les communes de l'EPCI" in flat
    with_map = _page_drawing_operations(response.content)
    monkeypatch.setattr("tremplin.coaching.exports.pdf.perimeter_drawing", lambda *args, **kwargs: None)
    without_map = _page_drawing_operations(strategy_pdf(caux_participation))
    assert with_map - without_map > 200


def test_the_map_is_drawn_from_the_communes_geometries(caux):
    from tremplin.coaching.exports.perimeter_map import perimeter_drawing
    from tremplin.coaching.models import Perimeter

    drawing = perimeter_drawing(Perimeter(mode=PerimeterMode.WHOLE_EPCI), caux, width=400, height=300)
    communes = caux.epci.communes.exclude(geometry_geojson="").count()
    # One polygon at least per commune, then the EPCI's boundary on top, all inside the drawing.
    assert len(drawing.contents) > communes
    for shape in drawing.contents:
        xs, ys = shape.points[0::2], shape.points[1::2]
        assert min(xs) >= 0 and max(xs) <= 400 and min(ys) >= 0 and max(ys) <= 300
