"""/imports: every endpoint by every persona; a good file gives its counts, one bad row refuses the
whole file naming the row and the column (nothing imported); large files go to the background worker
with a status to follow; a preview is confirmed or cancelled; hostile uploads get a clear 4xx."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from tests.api.conftest import ALL_PERSONAS
from tests.establishments.samples import (
    FERMEE,
    HAVRAISE,
    LAITERIE,
    PAPETERIE,
    SCIERIE,
    good_sample,
    sirene_csv,
    sirene_row,
)
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment
from tremplin.imports.models import ImportJob, ImportStatus
from tremplin.imports.services import run_import_job, start_import

pytestmark = pytest.mark.django_db

BAD_LUHN = "50012345000017"
IMPORTED = {PAPETERIE, LAITERIE, SCIERIE}

UPLOAD = {
    "owner": 201,
    "colleague": 403,  # read-only member of the team
    "outsider": 404,
    "contact": 403,
    "programme": 403,
    "committee": 404,
    "nobody": 404,
    "anonymous": 401,
}
TEAM_READ = {
    "owner": 200,
    "colleague": 200,
    "outsider": 404,
    "contact": 404,
    "programme": 404,
    "committee": 404,
    "nobody": 404,
    "anonymous": 401,
}
TEAM_WRITE = TEAM_READ | {"colleague": 403}
LIST_OF_CAUX = UPLOAD | {"owner": 200, "colleague": 200}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(api_world, persona="owner", data=None, *, name="sirene.csv", lang=None, **fields):
    headers = {}
    if api_world.tokens[persona]:
        headers["Authorization"] = f"Bearer {api_world.tokens[persona]}"
    if lang:
        headers["Accept-Language"] = lang
    form = {"territory": api_world.objects["caux"].pk, "kind": "sirene"} | fields
    if data is not False:
        form["file"] = SimpleUploadedFile(name, good_sample() if data is None else data)
    return Client().post("/api/v1/imports", form, headers=headers)


def _caux_sirets(api_world) -> set[str]:
    return set(
        Establishment.objects.filter(territory=api_world.objects["caux"]).values_list("siret", flat=True)
    )


def _previewed_job(api_world):
    """A re-import that renames the paper mill, stopped at its preview."""
    caux, owner = api_world.objects["caux"], api_world.people["owner"]
    start_import(caux, SimpleUploadedFile("s.csv", good_sample()), kind="sirene", by=owner)
    renamed = good_sample().replace(b"Papeterie de la Seine", b"Papeterie Normande")
    job = start_import(caux, SimpleUploadedFile("s2.csv", renamed), kind="sirene", by=owner, preview=True)
    assert job.status == ImportStatus.PREVIEWED
    return job


# --- Who may do what -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_upload(api_world, persona):
    before = set(_caux_sirets(api_world))
    response = upload(api_world, persona)
    assert response.status_code == UPLOAD[persona]
    if response.status_code == 201:
        assert _caux_sirets(api_world) == before | IMPORTED
    else:
        assert _caux_sirets(api_world) == before
        assert not ImportJob.objects.exists()
        assert set(response.json()) >= {"code", "message", "field", "errors"}


def test_another_territory_is_a_404_even_for_an_officer(api_world):
    response = upload(api_world, "owner", territory=api_world.objects["havre"].pk)
    assert response.status_code == 404
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_status(api_world, as_persona, persona):
    job = start_import(
        api_world.objects["caux"],
        SimpleUploadedFile("s.csv", good_sample()),
        kind="sirene",
        by=api_world.people["owner"],
    )
    response = as_persona(persona).get(f"/imports/{job.pk}")
    assert response.status_code == TEAM_READ[persona]
    if response.status_code == 200:
        assert (response.json()["id"], response.json()["status"]) == (job.pk, "done")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_of_a_territory(api_world, as_persona, persona):
    job = start_import(
        api_world.objects["caux"],
        SimpleUploadedFile("s.csv", good_sample()),
        kind="sirene",
        by=api_world.people["owner"],
    )
    response = as_persona(persona).get("/imports", territory=api_world.objects["caux"].pk)
    assert response.status_code == LIST_OF_CAUX[persona]
    if response.status_code == 200:
        assert [row["id"] for row in response.json()["results"]] == [job.pk]
    # Without a territory: the imports of the caller's teams only.
    if persona != "anonymous":
        listed = as_persona(persona).get("/imports").json()["results"]
        assert [row["id"] for row in listed] == ([job.pk] if persona in ("owner", "colleague") else [])


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_confirm(api_world, as_persona, persona):
    job = _previewed_job(api_world)
    response = as_persona(persona).post(f"/imports/{job.pk}/confirm", {})
    assert response.status_code == TEAM_WRITE[persona]
    name = Establishment.objects.get(siret=PAPETERIE).name
    job.refresh_from_db()
    if response.status_code == 200:
        assert (job.status, name) == (ImportStatus.DONE, "Papeterie Normande")
    else:
        assert (job.status, name) == (ImportStatus.PREVIEWED, "Papeterie de la Seine")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_cancel(api_world, as_persona, persona):
    job = _previewed_job(api_world)
    response = as_persona(persona).post(f"/imports/{job.pk}/cancel")
    assert response.status_code == TEAM_WRITE[persona]
    job.refresh_from_db()
    assert job.status == (ImportStatus.CANCELLED if response.status_code == 200 else ImportStatus.PREVIEWED)
    assert Establishment.objects.get(siret=PAPETERIE).name == "Papeterie de la Seine"


# --- What an import does -------------------------------------------------------------------------------


def test_a_good_file_gives_its_counts_and_is_audited(api_world):
    response = upload(api_world)
    assert response.status_code == 201, response.content
    body = response.json()
    # Five rows: three kept (the sawmill without coordinates placed in its commune), one closed, one
    # in Le Havre.
    counts = {name: body[name] for name in ("rows", "created", "updated", "changed")}
    assert counts == {"rows": 5, "created": 3, "updated": 0, "changed": 0}
    assert (body["skipped_inactive"], body["skipped_outside"], body["located_in_commune"]) == (1, 1, 1)
    assert (body["status"], body["kind"], body["filename"], body["encoding"]) == (
        "done",
        "sirene",
        "sirene.csv",
        "utf-8",
    )
    assert (body["in_background"], body["errors"], body["error_count"], body["preview"]) == (
        False,
        [],
        0,
        None,
    )
    assert _caux_sirets(api_world) >= IMPORTED
    assert not {FERMEE, HAVRAISE} & _caux_sirets(api_world)
    job = ImportJob.objects.get(pk=body["id"])
    assert (job.created_by, job.territory) == (api_world.people["owner"], api_world.objects["caux"])
    entry = AuditEntry.objects.get(action="establishments.imported")
    assert (entry.actor, entry.data["created"], entry.data["filename"]) == (
        api_world.people["owner"],
        3,
        "sirene.csv",
    )
    # Imported again: matched on the SIRET, nothing duplicated.
    again = upload(api_world).json()
    assert (again["created"], again["updated"], again["changed"]) == (0, 3, 0)
    assert Establishment.objects.filter(siret__in=IMPORTED).count() == 3


def test_one_bad_row_refuses_the_whole_file_naming_the_row_and_the_column(api_world):
    rows = [
        sirene_row(PAPETERIE, name="Papeterie de la Seine", naf="17.12Z", x="526145", y="6936618"),
        sirene_row(LAITERIE, sign="Laiterie", naf="10.51A", commune="76384"),
        sirene_row(BAD_LUHN, name="Erreur de saisie", naf="17.12Z"),
    ]
    before = Establishment.objects.count()
    response = upload(api_world, data=sirene_csv(rows), name="casse.csv")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_rejected"
    assert body["message"] == "casse.csv a été refusé : 1 erreur. Rien n'a été importé."
    assert body["errors"] == [
        {
            "code": "invalid_row",
            "message": f"clé de contrôle (Luhn) du SIRET invalide ('{BAD_LUHN}')",
            "field": "siret",
            "line": 4,
        }
    ]
    assert (body["error_count"], body["errors_omitted"]) == (1, 0)
    # Nothing imported, not even the good rows; the refusal is kept on the job.
    assert Establishment.objects.count() == before
    assert not Establishment.objects.filter(siret__in=[PAPETERIE, LAITERIE]).exists()
    job = ImportJob.objects.get(pk=body["job"])
    assert (job.status, job.error_count) == (ImportStatus.FAILED, 1)
    assert not AuditEntry.objects.filter(action="establishments.imported").exists()
    english = upload(api_world, data=sirene_csv(rows), name="casse.csv", lang="en").json()
    assert english["message"] == "casse.csv was refused: 1 error. Nothing was imported."
    # The job says the same.
    status = Client().get(
        f"/api/v1/imports/{job.pk}", headers={"Authorization": f"Bearer {api_world.tokens['owner']}"}
    )
    assert status.json()["errors"] == [
        {"line": 4, "field": "siret", "reason": f"clé de contrôle (Luhn) du SIRET invalide ('{BAD_LUHN}')"}
    ]


def test_the_first_errors_are_listed_and_the_others_counted(api_world, settings):
    settings.IMPORT_MAX_ERRORS_LISTED = 2
    rows = [sirene_row(f"5001234500{n:04d}") for n in range(10, 15)]  # five bad Luhn keys
    body = upload(api_world, data=sirene_csv(rows)).json()
    assert (len(body["errors"]), body["error_count"], body["errors_omitted"]) == (2, 5, 3)
    assert [error["line"] for error in body["errors"]] == [2, 3]


def test_a_template_workbook_is_imported(api_world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["siret", "nom", "code_naf", "tranche_effectifs", "code_commune", "adresse", "latitude", "longitude"]
    )
    sheet.append([PAPETERIE, "Papeterie", "17.12Z", "22", "76476", "Route du Havre", None, None])
    sheet.append([LAITERIE, "Laiterie", "10.51A", "", "76384", "", None, None])
    out = io.BytesIO()
    workbook.save(out)
    response = upload(api_world, data=out.getvalue(), name="modele.xlsx", kind="template")
    assert response.status_code == 201, response.content
    assert (response.json()["created"], response.json()["located_in_commune"]) == (2, 2)
    assert Establishment.objects.get(siret=PAPETERIE).name == "Papeterie"


def test_a_template_row_without_its_name_names_the_column(api_world):
    data = (
        b"siret;nom;code_naf;tranche_effectifs;code_commune;adresse;latitude;longitude\n"
        + PAPETERIE.encode()
        + b";;17.12Z;22;76476;;;\n"
    )
    body = upload(api_world, data=data, name="modele.csv", kind="template").json()
    assert [(error["line"], error["field"]) for error in body["errors"]] == [(2, "nom")]
    assert not Establishment.objects.filter(siret=PAPETERIE).exists()


def test_a_large_file_goes_to_the_background_with_a_status_to_follow(api_world, as_persona, settings):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    response = upload(api_world)
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["in_background"], body["created"]) == ("queued", True, 0)
    assert not Establishment.objects.filter(siret__in=IMPORTED).exists()
    owner = as_persona("owner")
    assert owner.get(f"/imports/{body['id']}").json()["status"] == "queued"
    run_import_job(body["id"])  # what the worker does
    done = owner.get(f"/imports/{body['id']}").json()
    assert (done["status"], done["created"], done["skipped_inactive"], done["progress"]) == (
        "done",
        3,
        1,
        1.0,
    )
    assert _caux_sirets(api_world) >= IMPORTED


def test_a_large_bad_file_fails_in_the_background_naming_the_row(api_world, as_persona, settings):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    rows = [sirene_row(PAPETERIE, naf="17.12Z"), sirene_row(LAITERIE, naf="99.99X", commune="76384")]
    response = upload(api_world, data=sirene_csv(rows))
    assert response.status_code == 202
    run_import_job(response.json()["id"])
    body = as_persona("owner").get(f"/imports/{response.json()['id']}").json()
    assert body["status"] == "failed"
    assert body["errors"] == [
        {
            "line": 3,
            "field": "activitePrincipaleEtablissement",
            "reason": "code NAF rév. 2 inconnu ('99.99X')",
        }
    ]
    assert not Establishment.objects.filter(siret__in=[PAPETERIE, LAITERIE]).exists()


def test_a_preview_lists_the_changes_then_its_confirmation_writes_them(api_world, as_persona):
    upload(api_world)
    renamed = good_sample().replace(b"Papeterie de la Seine", b"Papeterie Normande")
    response = upload(api_world, data=renamed, preview="true")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "previewed"
    paper_mill = Establishment.objects.get(siret=PAPETERIE)
    assert body["preview"] == {
        "created": [],
        "updates": [
            {
                "siret": PAPETERIE,
                "name": "Papeterie Normande",
                "line": 2,
                "establishment": paper_mill.pk,
                "changes": [
                    {
                        "field": "name",
                        "previous": "Papeterie de la Seine",
                        "current": "Papeterie Normande",
                        "kept": False,
                        "take": None,
                    }
                ],
            }
        ],
        "listed_updates": 1,
    }
    assert paper_mill.name == "Papeterie de la Seine"  # nothing written yet
    confirmed = as_persona("owner").post(f"/imports/{body['id']}/confirm", {})
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["changed"]) == ("done", 1)
    assert Establishment.objects.get(siret=PAPETERIE).name == "Papeterie Normande"
    again = as_persona("owner").post(f"/imports/{body['id']}/confirm", {})
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    assert as_persona("owner").post(f"/imports/{body['id']}/cancel").status_code == 409


def test_a_preview_whose_establishment_changed_since_is_refused_on_confirmation(api_world, as_persona):
    from tremplin.establishments.services import update_establishment

    job = _previewed_job(api_world)
    paper_mill = Establishment.objects.get(siret=PAPETERIE)
    update_establishment(paper_mill, by=api_world.people["owner"], address="1 quai de Seine")
    response = as_persona("owner").post(f"/imports/{job.pk}/confirm", {"take_all": True})
    assert response.status_code == 409
    body = response.json()
    assert [(error["line"], error["field"]) for error in body["errors"]] == [(2, "siret")]
    assert Establishment.objects.get(siret=PAPETERIE).name == "Papeterie de la Seine"


def test_a_confirmation_takes_only_known_fields(api_world, as_persona):
    job = _previewed_job(api_world)
    client = as_persona("owner")
    response = client.post(f"/imports/{job.pk}/confirm", {"take": ["x" * 101]})
    assert (response.status_code, response.json()["field"]) == (422, "body.take.0")
    response = client.post(f"/imports/{job.pk}/confirm", {"everything": True})
    assert (response.status_code, response.json()["field"]) == (422, "body.everything")
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED


# --- Hostile uploads -----------------------------------------------------------------------------------


def test_an_empty_file_is_a_clear_422(api_world):
    response = upload(api_world, data=b"", name="vide.csv")
    assert (response.status_code, response.json()["field"]) == (422, "form.file")
    assert response.json()["message"] == "Le fichier est vide."
    assert not ImportJob.objects.exists()


def test_a_file_neither_utf8_nor_windows_1252_is_a_clear_422(api_world):
    # 0x81 and 0x8D are undefined in Windows-1252, and not valid UTF-8 here.
    response = upload(api_world, data=b"siret;nom\n\x81\x8d;\x90\n", name="binaire.csv")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "code": "invalid_row",
            "message": "le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en « CSV UTF-8 »",
            "field": None,
            "line": 0,
        }
    ]


def test_a_windows_1252_file_is_read(api_world):
    rows = [sirene_row(PAPETERIE, name="Papeterie Éloïse", naf="17.12Z", x="526145", y="6936618")]
    data = sirene_csv(rows, bom=False).decode("utf-8").encode("cp1252")
    body = upload(api_world, data=data).json()
    assert (body["status"], body["encoding"], body["created"]) == ("done", "cp1252", 1)
    assert Establishment.objects.get(siret=PAPETERIE).name == "Papeterie Éloïse"


def test_a_workbook_sent_as_sirene_says_what_to_do(api_world):
    response = upload(api_world, data=b"PK\x03\x04rest-of-a-zip", name="s.xlsx")
    assert response.status_code == 422
    assert "classeur Excel (XLSX)" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "irep"}, "form.kind"),
        ({"territory": "abc"}, "form.territory"),
        ({"outside": "ignore"}, "form.outside"),
        ({"preview": "maybe"}, "form.preview"),
    ],
)
def test_a_bad_form_field_is_a_422_naming_it(api_world, fields, field):
    response = upload(api_world, **fields)
    assert (response.status_code, response.json()["field"]) == (422, field)
    assert not ImportJob.objects.exists()


def test_a_missing_file_or_territory_is_a_422(api_world):
    response = upload(api_world, data=False)
    assert (response.status_code, response.json()["field"]) == (422, "form.file")
    response = Client().post(
        "/api/v1/imports",
        {"kind": "sirene", "file": SimpleUploadedFile("s.csv", good_sample())},
        headers={"Authorization": f"Bearer {api_world.tokens['owner']}"},
    )
    assert (response.status_code, response.json()["field"]) == (422, "form.territory")


def test_a_json_body_is_a_415(api_world, as_persona):
    response = as_persona("owner").post("/imports", {"territory": api_world.objects["caux"].pk})
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_an_oversized_upload_is_refused(api_world, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = upload(api_world)
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("huge", ["9223372036854775808", "99999999999999999999999999", "0"])
def test_an_identifier_out_of_range_is_a_404(api_world, as_persona, huge):
    client = as_persona("owner")
    assert client.get(f"/imports/{huge}").status_code == 404
    assert client.post(f"/imports/{huge}/confirm", {}).status_code == 404
    assert client.post(f"/imports/{huge}/cancel").status_code == 404
    assert client.get("/imports", territory=huge).status_code == 404
    assert upload(api_world, territory=huge).status_code == 404


def test_the_openapi_description_describes_the_upload():
    schema = Client().get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["required"] == ["territory", "kind", "file"]
    assert body["schema"]["properties"]["file"] == {"type": "string", "format": "binary"}
    assert "/api/v1/imports/{job_id}" in schema["paths"]


# --- The template ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_template(api_world, as_persona, persona):
    response = as_persona(persona).get("/imports/template", territory=api_world.objects["caux"].pk)
    assert response.status_code == LIST_OF_CAUX[persona]
    if response.status_code == 200:
        assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_template_is_the_import_page_s_and_imports_back(api_world, as_persona):
    from django.urls import reverse

    caux = api_world.objects["caux"]
    owner = as_persona("owner")
    csv = owner.get("/imports/template", territory=caux.pk)
    page = Client()
    page.force_login(api_world.people["owner"])
    assert (
        csv.content
        == page.get(reverse("establishment_template_csv", kwargs={"territory_pk": caux.pk})).content
    )
    header, example = csv.content.decode("utf-8-sig").splitlines()
    assert header == "siret;nom;code_naf;tranche_effectifs;code_commune;adresse;latitude;longitude"
    # The example row is in the territory's most populous commune.
    commune = caux.epci.communes.order_by("-population", "insee_code").first()
    assert example.split(";")[4] == commune.insee_code
    xlsx = owner.get("/imports/template", territory=caux.pk, format="xlsx")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.content[:4] == b"PK\x03\x04"
    # Imported as it is, the example row creates its establishment.
    body = upload(api_world, data=xlsx.content, name="modele.xlsx", kind="template").json()
    assert (body["status"], body["created"]) == ("done", 1)
    assert owner.get("/imports/template", territory=caux.pk, format="ods").json()["field"] == "query.format"
