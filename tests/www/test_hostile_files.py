"""Re-audit with hostile files through every upload form (issue 9): the import page (SIRENE and
template layouts) and the application's PDFs (letter and deliberation, on the form that starts an
application, the one that changes a draft, and the deliberation sent after the deadline). Each file is
refused with a reason the page shows; nothing is written: no establishment, no application changed, no
file left on disk."""

import codecs
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments import hostile_files
from tests.establishments.samples import PAPETERIE
from tremplin.establishments.models import Establishment
from tremplin.programme.models import Application
from tremplin.programme.services.reference import demo_pdf

pytestmark = pytest.mark.django_db

HEADER = "siret;nom;code_naf;tranche_effectifs;code_commune;adresse;latitude;longitude"
ROW = f"{PAPETERIE};Papeterie de la Seine;17.12Z;22;76476;;;"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # imports' uploads too (media/private/imports)
    return tmp_path


def _files_on_disk(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def _csv(*lines, encoding="utf-8") -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode(encoding)


def _xlsx_with_sheet(sheet: bytes) -> bytes:
    return hostile_files.workbook(sheet)


def _formula_sheet() -> bytes:
    """A real formula cell in the name column, with no cached value (a file written by a script)."""
    ns = hostile_files.NS
    cells = [PAPETERIE, None, "17.12Z", "22", "76476"]
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(HEADER.split(";"))
    )
    row = ""
    for i, value in enumerate(cells):
        ref = f"{chr(65 + i)}2"
        if value is None:
            row += f'<c r="{ref}"><f>HYPERLINK("http://x.example","clic")</f></c>'
        else:
            row += f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'
        f'<row r="1">{header}</row><row r="2">{row}</row></sheetData></worksheet>'
    ).encode()


def _zip_bomb() -> bytes:
    """5 MB of one repeated row, squeezed a thousand times: a workbook no spreadsheet program writes."""
    rows = [[PAPETERIE, "x" * 200, "17.12Z", "22", "76476"]] * 20_000
    return _xlsx_with_sheet(hostile_files.sheet_xml(rows, numbered=False))


def _billion_rows_declared() -> bytes:
    """A sheet that declares every row and column of Excel (and more bytes than its directory says)."""
    sheet = hostile_files.sheet_xml([HEADER.split(";"), ROW.split(";")] * 3000, dimension="A1:XFD1048576")
    return hostile_files.with_understated_sheet_size(_xlsx_with_sheet(sheet), 1000)


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.sh", "rm -rf /")
    return out.getvalue()


HOSTILE_IMPORTS = {
    "a zip bomb": ("template", "bombe.xlsx", _zip_bomb),
    "a billion rows declared, its size understated": ("template", "milliard.xlsx", _billion_rows_declared),
    "a zip that is not a workbook": ("template", "faux.xlsx", _not_a_workbook),
    "a truncated workbook": ("template", "tronque.xlsx", lambda: _xlsx_with_sheet(b"<worksheet")[:400]),
    "a formula cell without its value": (
        "template",
        "formule.xlsx",
        lambda: _xlsx_with_sheet(_formula_sheet()),
    ),
    "more rows than the limit": ("template", "lignes.csv", lambda: _csv(*[ROW] * 60)),
    "an escape sequence in a name": (
        "template",
        "echap.csv",
        lambda: _csv(ROW.replace("Papeterie", "\x1b[31mP")),
    ),
    "a NUL in a name": ("template", "nul.csv", lambda: _csv(ROW.replace("Papeterie", "Pape\x00terie"))),
    "a line separator in a name": ("template", "ls.csv", lambda: _csv(ROW.replace("de la", "de\u2028la"))),
    "UTF-16": ("template", "utf16.csv", lambda: codecs.BOM_UTF16_LE + _csv(ROW).decode().encode("utf-16-le")),
    "bytes that are no text": ("template", "binaire.csv", lambda: bytes(range(256)) * 40),
    "a PDF named .csv": ("sirene", "sirene.csv", lambda: demo_pdf("pas un tableur")),
    "an empty file": ("sirene", "vide.csv", lambda: b""),
    "a header only, the wrong one": ("sirene", "entete.csv", lambda: b"nom;prenom\nJean;Dupont\n"),
}


@pytest.mark.parametrize("what", sorted(HOSTILE_IMPORTS))
def test_a_hostile_spreadsheet_is_refused_by_the_import_page_with_its_reason(
    client, settings, _private_media, what
):
    settings.IMPORT_MAX_ROWS = 50
    caux = factories.territory(CAUX_SEINE)
    client.force_login(factories.territory_officer(caux))
    kind, name, content = HOSTILE_IMPORTS[what]
    response = client.post(
        reverse("establishment_import", kwargs={"territory_pk": caux.pk}),
        {"kind": kind, "file": SimpleUploadedFile(name, content())},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{name} a été refusé" in html or "is-invalid" in html, html[html.find("<main") :][:3000]
    assert not Establishment.objects.exists()
    assert _files_on_disk(_private_media) == []


def test_text_that_looks_like_a_formula_is_kept_as_text_and_neutralised_in_exports(client, _private_media):
    """A CSV cell is text: "=HYPERLINK(…)" as a name is a (strange) name, stored as typed, shown escaped
    and exported with a leading apostrophe so that no spreadsheet runs it."""
    caux = factories.territory(CAUX_SEINE)
    client.force_login(factories.territory_officer(caux))
    formula = '=HYPERLINK("http://x.example","clic")'
    content = _csv(ROW.replace("Papeterie de la Seine", formula.replace('"', '""').join('""')))
    response = client.post(
        reverse("establishment_import", kwargs={"territory_pk": caux.pk}),
        {"kind": "template", "file": SimpleUploadedFile("formule.csv", content)},
        follow=True,
    )
    assert response.status_code == 200
    assert Establishment.objects.get().name == formula
    export = client.get(
        reverse("territory_export_csv", kwargs={"territory_pk": caux.pk, "sheet": "etablissements"})
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK(" in export.replace('""', '"')
    assert _files_on_disk(_private_media) == []


# --- PDFs: the letter and the deliberation ------------------------------------------------------------


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _clean_writer() -> PdfWriter:
    return PdfWriter(clone_from=PdfReader(io.BytesIO(demo_pdf("Courrier"))))


def _javascript() -> bytes:
    """Document-level JavaScript, in the names tree (run when the file opens)."""
    writer = _clean_writer()
    script = writer._add_object(
        DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )
    return _written(writer)


def _open_action() -> bytes:
    writer = _clean_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.launchURL('https://x.example')"),
        }
    )
    return _written(writer)


def _open_action_js() -> bytes:
    writer = _clean_writer()
    writer.add_open_action(JavaScript("this.exportDataObject({cName: 'x', nLaunch: 2});"))
    return _written(writer)


def _embedded_file() -> bytes:
    writer = _clean_writer()
    writer.add_attachment("facture.exe", b"MZ\x90\x00")
    return _written(writer)


def _polyglot() -> bytes:
    return demo_pdf("Courrier").replace(
        b"%PDF-1.4\n", b"%PDF-1.4\n%<html><body><script>alert(document.cookie)</script></body></html>\n", 1
    )


HOSTILE_PDFS = {
    "document JavaScript": _javascript,
    "an OpenAction written by hand": _open_action,
    "an OpenAction by pypdf": _open_action_js,
    "an embedded file": _embedded_file,
    "an HTML polyglot": _polyglot,
    "HTML named .pdf": lambda: b"<html><script>alert(1)</script></html>",
    "a PDF cut short": lambda: demo_pdf("Courrier")[:300],
}


def _fiche_post(**extra) -> dict:
    values = factories.fiche()
    values["deliberation_expected_on"] = "2019-04-15"
    values["pnsi_participation"] = ""
    return {key: value for key, value in values.items() if value not in (False, None)} | extra


@pytest.mark.parametrize("what", sorted(HOSTILE_PDFS))
def test_a_hostile_pdf_is_refused_by_every_form_that_takes_one(client, _private_media, what):
    from tremplin.geo.models import Epci

    call = factories.call()
    applicant = factories.user()
    client.force_login(applicant)
    hostile = HOSTILE_PDFS[what]()
    epci = Epci.objects.get(siren=CAUX_SEINE)
    # Starting an application with it: the letter is refused, nothing is created.
    response = client.post(
        reverse("programme_apply", kwargs={"pk": call.pk}),
        _fiche_post(epci=epci.pk, letter_upload=SimpleUploadedFile("courrier.pdf", hostile)),
    )
    assert response.status_code in (200, 400)
    assert 'name="letter_upload"' in response.content.decode() and "is-invalid" in response.content.decode()
    assert not Application.objects.exists() and _files_on_disk(_private_media) == []

    # Changing a draft with it: refused, the draft's letter stays.
    draft = factories.draft_application(call, CAUX_SEINE, applicant)
    on_disk = _files_on_disk(_private_media)
    response = client.post(
        reverse("programme_application_edit", kwargs={"pk": draft.pk}),
        _fiche_post(epci=epci.pk, deliberation_upload=SimpleUploadedFile("deliberation.pdf", hostile)),
    )
    assert response.status_code in (200, 400) and "is-invalid" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.deliberation and _files_on_disk(_private_media) == on_disk

    # The deliberation sent after submission: refused with its reason.
    from tremplin.programme.services.applications import submit_application

    submitted = submit_application(draft, by=applicant, now=call.deadline - datetime.timedelta(days=1))
    response = client.post(
        reverse("programme_application_deliberation", kwargs={"pk": submitted.pk}),
        {"document": SimpleUploadedFile("deliberation.pdf", hostile)},
        follow=True,
    )
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "alert-danger" in html or "is-invalid" in html
    submitted.refresh_from_db()
    assert not submitted.deliberation and _files_on_disk(_private_media) == on_disk
