"""The IREP import from the territory's import page: upload, review with the name matches to confirm,
apply, and the register flows shown with their basis, source and threshold."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.registers.samples import establishment_row, irep_zip, waste_row
from tremplin.flows.models import Basis, Flow
from tremplin.registers.models import RegisterImport

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    territory = factories.territory(CAUX_SEINE)
    commune = territory.epci.communes.order_by("insee_code").first()
    return {
        "territory": territory,
        "commune": commune,
        "paper": factories.establishment(territory, name="Papeterie de Caux", commune=commune),
        "saw": factories.establishment(territory, name="Scierie du Val", commune=commune),
        "officer": factories.territory_officer(territory),
    }


def _upload(caux, rows=None):
    archive = irep_zip(
        [
            establishment_row("A1", "Papeterie de Caux", caux["paper"].siret, "Lillebonne"),
            establishment_row("B2", "SCIERIE DU VAL", "", caux["commune"].name),
        ],
        produced_hazardous=[waste_row("A1", "P", "14 06 03*", "Solvants", "< seuil", "D10")],
        produced=rows
        or [
            waste_row("A1", "P", "15 01 01", "Emballages", "120", "R3"),
            waste_row("B2", "S", "03 01 05", "Sciures", "800"),
        ],
    )
    return SimpleUploadedFile("irep-2022.zip", archive.getvalue(), content_type="application/zip")


def test_the_import_page_links_to_the_register_import(client, caux):
    client.force_login(caux["officer"])
    page = client.get(reverse("establishment_import", kwargs={"territory_pk": caux["territory"].pk}))
    assert reverse("irep_upload", kwargs={"territory_pk": caux["territory"].pk}) in page.content.decode()


def test_upload_review_confirm_and_the_flows_shown_with_their_basis(client, caux):
    client.force_login(caux["officer"])
    url = reverse("irep_upload", kwargs={"territory_pk": caux["territory"].pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": _upload(caux)})
    job = RegisterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "irep_review", kwargs={"pk": job.pk}
    )
    review = client.get(response["Location"]).content.decode()
    assert "Scierie du Val" in review.replace("SCIERIE DU VAL", "Scierie du Val")
    assert 'name="confirm" value="B2"' in review
    assert not Flow.objects.exists()

    response = client.post(
        reverse("irep_confirm", kwargs={"pk": job.pk}), {"action": "apply", "confirm": ["B2"]}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == RegisterImport.Status.APPLIED
    assert Flow.objects.filter(basis=Basis.REGISTER).count() == 3
    assert Flow.objects.filter(establishment=caux["saw"]).count() == 1

    detail = client.get(reverse("establishment_detail", kwargs={"pk": caux["paper"].pk})).content.decode()
    assert "basis-register" in detail
    assert "IREP 2022" in detail
    assert "data-below-threshold" in detail
    # A second post does not import twice.
    client.post(reverse("irep_confirm", kwargs={"pk": job.pk}), {"action": "apply", "confirm": ["B2"]})
    assert Flow.objects.filter(basis=Basis.REGISTER).count() == 3


def test_a_rejected_name_match_writes_nothing_for_that_establishment(client, caux):
    client.force_login(caux["officer"])
    client.post(
        reverse("irep_upload", kwargs={"territory_pk": caux["territory"].pk}), {"file": _upload(caux)}
    )
    job = RegisterImport.objects.get()
    client.post(reverse("irep_confirm", kwargs={"pk": job.pk}), {"action": "apply"})
    assert not Flow.objects.filter(establishment=caux["saw"]).exists()
    assert Flow.objects.filter(establishment=caux["paper"]).count() == 2


def test_cancelling_writes_nothing(client, caux):
    client.force_login(caux["officer"])
    client.post(
        reverse("irep_upload", kwargs={"territory_pk": caux["territory"].pk}), {"file": _upload(caux)}
    )
    job = RegisterImport.objects.get()
    client.post(reverse("irep_confirm", kwargs={"pk": job.pk}), {"action": "cancel"})
    job.refresh_from_db()
    assert job.status == RegisterImport.Status.CANCELLED and not Flow.objects.exists()


def test_a_bad_zip_is_refused_with_its_rows(client, caux):
    client.force_login(caux["officer"])
    response = client.post(
        reverse("irep_upload", kwargs={"territory_pk": caux["territory"].pk}),
        {"file": _upload(caux, rows=[waste_row("A1", "P", "15 01 01", "Emballages", "beaucoup")])},
    )
    assert response.status_code == 400
    assert (
        "Prod_dechets_non_dangereux.csv, ligne 2, quantite : quantité illisible" in response.content.decode()
    )
    assert not RegisterImport.objects.exists()
