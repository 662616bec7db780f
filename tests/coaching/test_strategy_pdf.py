"""The consolidated EIT strategy and action plan, as a PDF whose text is read back."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

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
