"""A re-import shows what it will change and asks first; corrections made by hand are kept unless the
officer takes the file's value; every change goes into the establishment's history; a preview made on
an older state is refused on confirmation."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import LAITERIE, PAPETERIE, SCIERIE, good_sample, sirene_csv, sirene_row
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment
from tremplin.establishments.services import import_establishments, update_establishment
from tremplin.imports.models import ImportChange, ImportStatus
from tremplin.imports.services import (
    ImportNotPending,
    cancel_import,
    confirm_import,
    run_import_job,
    start_import,
)

pytestmark = pytest.mark.django_db

NEW = "50067890700014"  # Bolbec (76114), not yet recorded; valid Luhn keys


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def imported(caux, officer):
    import_establishments(caux, io.BytesIO(good_sample()), kind="sirene", by=officer, filename="sirene.csv")


def _second_file() -> bytes:
    """The papeterie renamed and grown, the laiterie unchanged, the scierie absent, one new."""
    return sirene_csv(
        [
            sirene_row(
                PAPETERIE, name="Papeterie de Port-Jérôme", naf="17.12Z", band="31", x="526145", y="6936618"
            ),
            sirene_row(
                LAITERIE,
                sign="Laiterie de Lillebonne",
                naf="10.51A",
                band="12",
                commune="76384",
                x="521194",
                y="6936738",
            ),
            sirene_row(NEW, name="Chaudronnerie nouvelle", naf="25.29Z", band="03", commune="76114"),
        ]
    )


def _preview(caux, officer, data=None, **options):
    upload = SimpleUploadedFile("sirene-2026.csv", _second_file() if data is None else data)
    return start_import(caux, upload, kind="sirene", by=officer, preview=True, **options)


def test_the_preview_lists_what_will_be_created_and_changed_and_writes_nothing(caux, officer, imported):
    versions = dict(caux.establishments.values_list("siret", "version"))
    job = _preview(caux, officer)
    assert job.status == ImportStatus.PREVIEWED and job.file
    assert (job.created, job.updated, job.changed, job.kept_by_hand) == (1, 2, 1, 0)
    assert job.preview["created"] == [
        {
            "siret": NEW,
            "name": "Chaudronnerie nouvelle",
            "commune": caux.epci.communes.get(insee_code="76114").pk,
        }
    ]
    (update,) = job.preview["updates"]
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    assert (update["pk"], update["siret"], update["line"], update["version"]) == (
        papeterie.pk,
        PAPETERIE,
        2,
        papeterie.version,
    )
    assert update["changes"] == {
        "name": ["Papeterie de la Seine", "Papeterie de Port-Jérôme"],
        "headcount_band": ["22", "31"],
    }
    assert update["kept"] == {}
    assert job.preview["baseline"] == {PAPETERIE: versions[PAPETERIE], LAITERIE: versions[LAITERIE]}
    # Nothing written: same names, same versions, no new establishment, no change recorded.
    assert dict(caux.establishments.values_list("siret", "version")) == versions
    assert papeterie.name == "Papeterie de la Seine"
    assert not caux.establishments.filter(siret=NEW).exists()
    assert not ImportChange.objects.exists()


def test_confirming_writes_what_the_preview_showed(caux, officer, imported):
    version = Establishment.objects.get(siret=PAPETERIE).version
    job = confirm_import(_preview(caux, officer), by=officer)
    assert job.status == ImportStatus.DONE and not job.file
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    assert (papeterie.name, papeterie.headcount_band, papeterie.version) == (
        "Papeterie de Port-Jérôme",
        "31",
        version + 1,
    )
    assert caux.establishments.filter(siret=NEW).exists()
    change = ImportChange.objects.get(job=job)
    assert change.previous == {"name": "Papeterie de la Seine", "headcount_band": "22"}
    assert AuditEntry.objects.filter(action="establishments.import.confirmed", target_id=str(job.pk)).exists()


def test_a_first_import_changing_nothing_recorded_is_written_without_asking(caux, officer):
    job = start_import(
        caux, SimpleUploadedFile("s.csv", good_sample()), kind="sirene", by=officer, preview=True
    )
    assert (job.status, job.created) == (ImportStatus.DONE, 3)
    assert not job.file


def test_a_field_corrected_by_hand_is_kept_then_replaced_when_the_officer_takes_the_file_value(
    caux, officer, imported
):
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    update_establishment(papeterie, by=officer, name="Papeterie de la Seine (site nord)", engagement="met")
    papeterie.refresh_from_db()
    assert papeterie.hand_corrected == ["name"]  # the engagement is the team's own field, not the file's

    job = _preview(caux, officer)
    (update,) = job.preview["updates"]
    assert update["changes"] == {"headcount_band": ["22", "31"]}
    assert update["kept"] == {"name": ["Papeterie de la Seine (site nord)", "Papeterie de Port-Jérôme"]}
    assert job.kept_by_hand == 1

    job = confirm_import(job, by=officer)  # nothing ticked: the correction is kept
    papeterie.refresh_from_db()
    assert (papeterie.name, papeterie.headcount_band) == ("Papeterie de la Seine (site nord)", "31")
    assert papeterie.hand_corrected == ["name"]
    change = ImportChange.objects.get(job=job)
    assert change.kept == {"name": ["Papeterie de la Seine (site nord)", "Papeterie de Port-Jérôme"]}
    assert change.current == {"headcount_band": "31"}

    job = _preview(caux, officer)
    assert job.preview["updates"][0]["kept"] == {
        "name": ["Papeterie de la Seine (site nord)", "Papeterie de Port-Jérôme"]
    }
    confirm_import(job, by=officer, take_file=[f"{PAPETERIE}:name"])
    papeterie.refresh_from_db()
    assert papeterie.name == "Papeterie de Port-Jérôme"
    assert papeterie.hand_corrected == []  # the file's value is no longer a correction


def test_take_the_file_value_for_all(caux, officer, imported):
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    update_establishment(papeterie, by=officer, name="Nom corrigé", headcount_band="21")
    confirm_import(_preview(caux, officer), by=officer, take_file=True)
    papeterie.refresh_from_db()
    assert (papeterie.name, papeterie.headcount_band, papeterie.hand_corrected) == (
        "Papeterie de Port-Jérôme",
        "31",
        [],
    )


def test_the_command_line_keeps_corrections_by_hand(caux, officer, imported):
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    update_establishment(papeterie, by=officer, name="Nom corrigé")
    report = import_establishments(caux, io.BytesIO(_second_file()), kind="sirene", by=None)
    papeterie.refresh_from_db()
    assert (papeterie.name, papeterie.headcount_band, report.kept_by_hand) == ("Nom corrigé", "31", 1)


def test_every_change_goes_into_the_establishment_history(client, caux, officer, imported):
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    update_establishment(papeterie, by=officer, address="12 quai de Seine", name="Nom corrigé")
    job = confirm_import(_preview(caux, officer), by=officer)
    entry = AuditEntry.objects.about(papeterie).get(action="establishment.import.updated")
    assert entry.actor == officer and entry.territory == caux
    assert entry.data == {
        "changes": {"headcount_band": ["22", "31"]},
        "kept": ["name"],
        "job_id": job.pk,
        "kind": "sirene",
    }
    # The unchanged laiterie gets no entry.
    laiterie = Establishment.objects.get(siret=LAITERIE)
    assert not AuditEntry.objects.about(laiterie).filter(action="establishment.import.updated").exists()
    client.force_login(officer)
    html = client.get(reverse("establishment_detail", kwargs={"pk": papeterie.pk})).content.decode()
    assert "Un import a modifié l&#x27;établissement" in html
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Corrections à la main conservées : nom" in text


def test_a_preview_made_on_an_older_state_is_refused_on_confirmation(caux, officer, imported):
    job = _preview(caux, officer)
    colleague = factories.territory_officer(caux)
    laiterie = Establishment.objects.get(siret=LAITERIE)
    update_establishment(laiterie, by=colleague, notes="Rencontrée au salon")  # changed since the preview
    job = confirm_import(job, by=officer)
    assert job.status == ImportStatus.FAILED and not job.file
    assert job.errors == [
        {
            "line": 3,
            "field": "siret",
            "reason": f"l'établissement {LAITERIE} (Laiterie de Lillebonne) a été modifié depuis l'aperçu : "
            "importez le fichier à nouveau",
        }
    ]
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    assert papeterie.name == "Papeterie de la Seine"  # nothing written, not even the other rows
    assert not caux.establishments.filter(siret=NEW).exists()


def test_an_establishment_created_since_the_preview_is_not_silently_overwritten(caux, officer, imported):
    job = _preview(caux, officer)
    factories.establishment(caux, siret=NEW, name="Saisie entre-temps")
    job = confirm_import(job, by=officer)
    assert job.status == ImportStatus.FAILED
    assert "créé depuis l'aperçu" in job.errors[0]["reason"]
    assert Establishment.objects.get(siret=NEW).name == "Saisie entre-temps"


def test_a_confirmed_or_cancelled_import_cannot_be_confirmed_again(caux, officer, imported):
    job = _preview(caux, officer)
    cancel_import(job, by=officer)
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and not job.file
    with pytest.raises(ImportNotPending):
        confirm_import(job, by=officer)
    assert Establishment.objects.get(siret=PAPETERIE).name == "Papeterie de la Seine"


def test_a_large_file_is_previewed_and_then_written_by_the_worker(
    caux, officer, imported, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    monkeypatch.setattr("tremplin.imports.services._enqueue", lambda pk: None)  # the worker is run below
    job = _preview(caux, officer)
    assert (job.status, job.in_background) == (ImportStatus.QUEUED, True)
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and job.file
    assert job.preview["updates"][0]["siret"] == PAPETERIE
    job = confirm_import(job, by=officer)
    assert job.status == ImportStatus.QUEUED
    assert Establishment.objects.get(siret=PAPETERIE).name == "Papeterie de la Seine"
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and not job.file
    assert Establishment.objects.get(siret=PAPETERIE).name == "Papeterie de Port-Jérôme"


def test_the_page_shows_the_preview_and_confirms_with_the_ticked_corrections(client, caux, officer, imported):
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    update_establishment(papeterie, by=officer, name="Nom corrigé", headcount_band="21")
    client.force_login(officer)
    response = client.post(
        reverse("establishment_import", kwargs={"territory_pk": caux.pk}),
        {"kind": "sirene", "file": SimpleUploadedFile("sirene-2026.csv", _second_file())},
        follow=True,
    )
    html = response.content.decode()
    assert "Ce que l'import de sirene-2026.csv va changer" in html
    assert "1 établissement sera créé" in html
    assert f'name="take" value="{PAPETERIE}:name"' in html
    assert f'name="take" value="{PAPETERIE}:headcount_band"' in html
    assert (
        '<td data-value="previous">Nom corrigé</td><td data-value="current">Papeterie de Port-Jérôme</td>'
    ) in html
    assert "hx-get" not in html  # a preview waits for the officer, it does not poll
    assert Establishment.objects.get(siret=PAPETERIE).name == "Nom corrigé"
    job = response.context["job"]
    response = client.post(
        reverse("establishment_import_confirm", kwargs={"pk": job.pk}),
        {"take": [f"{PAPETERIE}:headcount_band"]},
        follow=True,
    )
    assert response.status_code == 200
    papeterie.refresh_from_db()
    assert (papeterie.name, papeterie.headcount_band) == ("Nom corrigé", "31")
    assert "1 champ corrigé à la main conservé" in response.content.decode()


def test_the_absent_scierie_is_left_alone(caux, officer, imported):
    before = Establishment.objects.get(siret=SCIERIE)
    confirm_import(_preview(caux, officer), by=officer)
    after = Establishment.objects.get(siret=SCIERIE)
    assert (after.name, after.version) == (before.name, before.version)


def test_a_preview_left_unconfirmed_past_its_retention_is_cancelled_by_the_purge(
    caux, officer, imported, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from tremplin.imports.models import ImportJob
    from tremplin.privacy.retention import purge

    settings.IMPORT_PREVIEW_RETENTION_DAYS = 14
    old, recent = _preview(caux, officer), _preview(caux, officer)
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=15))
    storage, old_name = old.file.storage, old.file.name
    assert storage.exists(old_name)

    report = purge()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert report.import_previews == 1
    assert old.status == ImportStatus.CANCELLED and not old.file and not storage.exists(old_name)
    assert recent.status == ImportStatus.PREVIEWED and storage.exists(recent.file.name)
    entry = AuditEntry.objects.get(action="establishments.import.expired")
    assert entry.territory == caux and entry.data["retention_days"] == 14
    assert purge().import_previews == 0  # idempotent
