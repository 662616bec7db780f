"""The signed letter and the deliberation: PDF only, size-limited, parsed, without active content; a
replaced or deleted document leaves the disk once the change is committed."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.programme.documents import validate_pdf
from tremplin.programme.services.reference import demo_pdf


def test_a_real_pdf_is_accepted():
    validate_pdf(factories.pdf_upload())


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("courrier.docx", b"PK\x03\x04 word document", "extension"),
        ("courrier.pdf", b"\x89PNG\r\n\x1a\n an image renamed", "content"),
        ("courrier.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "content"),  # truncated: no %%EOF
        ("courrier.pdf", b"", "empty"),
    ],
)
def test_anything_but_a_pdf_is_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_pdf(SimpleUploadedFile(name, content))
    assert error.value.code == code


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PROGRAMME_UPLOAD_MAX_BYTES = 2_000
    validate_pdf(factories.pdf_upload(padding=100))
    with pytest.raises(ValidationError) as error:
        validate_pdf(factories.pdf_upload(padding=5_000))
    assert error.value.code == "size"


def test_the_default_limit_is_ten_megabytes():
    from tremplin.programme.documents import max_upload_bytes

    assert max_upload_bytes() == 10 * 1024 * 1024


# --- Hostile files, built in memory ------------------------------------------------------------------


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer() -> PdfWriter:
    """A clean letter, as pypdf reads and writes it again."""
    return PdfWriter(clone_from=PdfReader(io.BytesIO(demo_pdf("Courrier"))))


def _refusal(content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        validate_pdf(SimpleUploadedFile("courrier.pdf", content))
    return error.value


def _action(**entries) -> DictionaryObject:
    return DictionaryObject({NameObject(k): v for k, v in entries.items()})


def test_a_pdf_rewritten_by_pypdf_is_accepted():
    validate_pdf(SimpleUploadedFile("courrier.pdf", _written(_writer())))


def test_javascript_run_when_the_document_opens_is_refused():
    writer = _writer()
    writer.add_open_action(JavaScript("app.alert('ouvert');"))
    error = _refusal(_written(writer))
    assert error.code == "active" and "JavaScript" in error.messages[0]


def test_a_javascript_open_action_written_by_hand_is_refused():
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = _action(
        **{"/S": NameObject("/JavaScript"), "/JS": TextStringObject("app.launchURL('https://x.example')")}
    )
    assert _refusal(_written(writer)).code == "active"


def test_document_level_javascript_in_the_names_tree_is_refused():
    writer = _writer()
    script = writer._add_object(_action(**{"/S": NameObject("/JavaScript"), "/JS": TextStringObject("1")}))
    tree = _action(**{"/Names": ArrayObject([TextStringObject("init"), script])})
    writer._root_object[NameObject("/Names")] = _action(**{"/JavaScript": writer._add_object(tree)})
    assert _refusal(_written(writer)).code == "active"


def test_a_page_action_that_launches_a_program_is_refused():
    writer = _writer()
    launch = _action(**{"/S": NameObject("/Launch"), "/F": TextStringObject("calc.exe")})
    writer.pages[0][NameObject("/AA")] = _action(**{"/O": writer._add_object(launch)})
    assert _refusal(_written(writer)).code == "active"


def test_an_action_type_given_by_reference_is_still_seen():
    writer = _writer()
    kind = writer._add_object(NameObject("/JavaScript"))
    writer._root_object[NameObject("/OpenAction")] = _action(**{"/S": kind, "/JS": TextStringObject("1")})
    assert _refusal(_written(writer)).code == "active"


def test_a_link_to_a_javascript_url_is_refused():
    writer = _writer()
    link = _action(
        **{
            "/Type": NameObject("/Annot"),
            "/Subtype": NameObject("/Link"),
            "/Rect": ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(20)]),
            "/A": _action(**{"/S": NameObject("/URI"), "/URI": TextStringObject("JavaScript:alert(1)")}),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    assert _refusal(_written(writer)).code == "active"


def test_an_embedded_file_is_refused():
    writer = _writer()
    writer.add_attachment("facture.exe", b"MZ\x90\x00 not a letter")
    error = _refusal(_written(writer))
    assert error.code == "active" and "fichier joint" in error.messages[0]


def test_rich_media_is_refused():
    writer = _writer()
    media = _action(**{"/Type": NameObject("/Annot"), "/Subtype": NameObject("/RichMedia")})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(media)])
    assert _refusal(_written(writer)).code == "active"


def test_an_xfa_form_is_refused():
    writer = _writer()
    writer._root_object[NameObject("/AcroForm")] = _action(
        **{"/Fields": ArrayObject(), "/XFA": TextStringObject("<xdp:xdp/>")}
    )
    assert _refusal(_written(writer)).code == "active"


def test_a_pdf_that_only_opens_on_its_first_page_is_accepted():
    writer = _writer()
    fit = ArrayObject([writer.pages[0].indirect_reference, NameObject("/Fit")])
    writer._root_object[NameObject("/OpenAction")] = fit
    validate_pdf(SimpleUploadedFile("courrier.pdf", _written(writer)))


def test_a_file_protected_by_a_password_cannot_be_checked_and_is_refused():
    writer = _writer()
    writer.encrypt("secret", algorithm="RC4-128")
    assert _refusal(_written(writer)).code == "encrypted"


def test_a_file_with_restrictions_only_is_checked_like_any_other():
    writer = _writer()
    writer.encrypt("", owner_password="proprietaire", algorithm="RC4-128")
    validate_pdf(SimpleUploadedFile("courrier.pdf", _written(writer)))
    writer = _writer()
    writer.add_open_action(JavaScript("app.alert(1)"))
    writer.encrypt("", owner_password="proprietaire", algorithm="RC4-128")
    assert _refusal(_written(writer)).code == "active"


def test_an_action_name_hidden_by_hexadecimal_escapes_is_still_seen():
    # /J#61vaScript is /JavaScript once the escape is read (PDF 1.2 names): written by hand.
    content = demo_pdf("Courrier").replace(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
    )
    assert _refusal(content).code in ("active", "content")  # refused either way, never accepted


def test_an_html_polyglot_is_refused():
    # A valid PDF for a PDF reader, a web page for a browser that sniffs it: written by hand.
    content = demo_pdf("Courrier").replace(
        b"%PDF-1.4\n", b"%PDF-1.4\n%<html><body><script>alert(document.cookie)</script></body></html>\n", 1
    )
    assert PdfReader(io.BytesIO(content)).pages  # pypdf itself reads it
    assert _refusal(content).code == "html"


@pytest.mark.parametrize(
    "payload",
    [
        b"<svg onload=alert(1)>",
        b"<IFRAME src='https://x.example'>",
        b"<img src=x onerror='alert(1)'>",
        b"(javascript:alert(1))",
        b"<!DOCTYPE html>",
    ],
)
def test_html_or_script_anywhere_in_the_file_is_refused(payload):
    content = demo_pdf("Courrier").replace(b"%%EOF", b"%" + payload + b"\n%%EOF")
    assert _refusal(content).code == "html"


def test_bytes_before_the_pdf_header_are_refused():
    content = b"<html><script>alert(1)</script></html>\n" + demo_pdf("Courrier")
    assert _refusal(content).code == "content"


def test_a_file_with_a_header_and_a_trailer_but_no_pdf_between_is_refused():
    assert _refusal(b"%PDF-1.7\nnot a pdf at all, just text\n%%EOF\n").code == "content"


# --- Files on disk -----------------------------------------------------------------------------------


@pytest.fixture
def draft(db):
    return factories.draft_application(factories.call(), CAUX_SEINE)


def _path(field):
    return field.path if field.name else None


def test_a_replaced_letter_is_deleted_from_disk_once_the_change_is_committed(
    draft, django_capture_on_commit_callbacks
):
    from tremplin.programme.services.applications import update_draft

    old = _path(draft.letter)
    assert os.path.exists(old)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        update_draft(
            draft, by=draft.applicant, fields={}, documents={"letter": factories.pdf_upload("v2.pdf")}
        )
    draft.refresh_from_db()
    assert len(callbacks) == 1
    assert not os.path.exists(old)
    assert os.path.exists(_path(draft.letter)) and _path(draft.letter) != old


def test_a_replacement_rolled_back_keeps_the_letter_the_database_names(draft):
    from django.db import transaction

    from tremplin.programme.services.applications import update_draft

    old = _path(draft.letter)
    with pytest.raises(RuntimeError), transaction.atomic():
        update_draft(
            draft, by=draft.applicant, fields={}, documents={"letter": factories.pdf_upload("v2.pdf")}
        )
        raise RuntimeError("rollback")
    draft.refresh_from_db()
    assert _path(draft.letter) == old and os.path.exists(old)


def test_saving_other_fields_keeps_the_letter(draft, django_capture_on_commit_callbacks):
    from tremplin.programme.services.applications import update_draft

    old = _path(draft.letter)
    with django_capture_on_commit_callbacks(execute=True):
        update_draft(draft, by=draft.applicant, fields={"ambitions": "Nouvelle ambition"})
    assert os.path.exists(old)


def test_the_documents_of_a_deleted_application_are_deleted(draft, django_capture_on_commit_callbacks):
    from tremplin.programme.services.applications import update_draft

    with django_capture_on_commit_callbacks(execute=True):
        update_draft(
            draft,
            by=draft.applicant,
            fields={"deliberation_status": "attached"},
            documents={"deliberation": factories.pdf_upload("deliberation.pdf")},
        )
    draft.refresh_from_db()
    paths = [_path(draft.letter), _path(draft.deliberation)]
    assert all(os.path.exists(path) for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        draft.call.delete()  # the application goes with its call
    assert not any(os.path.exists(path) for path in paths)


# --- The operations check the documents themselves (a form is only one way in) ------------------------


def _hostile_pdfs() -> dict[str, bytes]:
    javascript = _writer()
    javascript.add_open_action(JavaScript("app.alert('ouvert');"))
    attached = _writer()
    attached.add_attachment("charge.exe", b"MZ\x90\x00")
    return {
        "JavaScript on opening": _written(javascript),
        "an embedded file": _written(attached),
        "an HTML polyglot": demo_pdf("Courrier").replace(
            b"%PDF-1.4\n", b"%PDF-1.4\n%<html><script>alert(1)</script></html>\n", 1
        ),
        "not a PDF": b"MZ\x90\x00 an executable renamed",
    }


def _files_on_disk(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize("what", sorted(_hostile_pdfs()))
def test_starting_a_draft_with_a_hostile_letter_is_refused_by_the_operation(db, settings, what):
    from tremplin.geo.models import Epci
    from tremplin.programme.exceptions import RefusedDocument
    from tremplin.programme.models import Application
    from tremplin.programme.services.applications import create_draft

    call = factories.call()
    applicant = factories.user()
    letter = SimpleUploadedFile("courrier.pdf", _hostile_pdfs()[what])
    with pytest.raises(RefusedDocument) as error:
        create_draft(
            call,
            by=applicant,
            fields={"epci": Epci.objects.get(siren=CAUX_SEINE), **factories.fiche()},
            documents={"letter": letter},
        )
    assert set(error.value.missing) == {"letter"} and error.value.message.startswith(
        "Courrier signé (PDF) : "
    )
    assert not Application.objects.exists()
    assert _files_on_disk(settings) == []


@pytest.mark.parametrize("what", sorted(_hostile_pdfs()))
def test_replacing_a_letter_or_attaching_a_deliberation_refuses_a_hostile_pdf(draft, settings, what):
    from tremplin.programme.exceptions import RefusedDocument
    from tremplin.programme.services.applications import (
        record_deliberation,
        submit_application,
        update_draft,
    )

    kept = _path(draft.letter)
    on_disk = _files_on_disk(settings)
    with pytest.raises(RefusedDocument):
        update_draft(
            draft,
            by=draft.applicant,
            fields={"ambitions": "Changée"},
            documents={"letter": SimpleUploadedFile("v2.pdf", _hostile_pdfs()[what])},
        )
    draft.refresh_from_db()
    assert _path(draft.letter) == kept and draft.ambitions != "Changée"
    submitted = submit_application(draft, by=draft.applicant, now=draft.call.deadline - dt_days(1))
    with pytest.raises(RefusedDocument) as error:
        record_deliberation(
            submitted,
            by=submitted.applicant,
            document=SimpleUploadedFile("deliberation.pdf", _hostile_pdfs()[what]),
        )
    assert set(error.value.missing) == {"deliberation"}
    submitted.refresh_from_db()
    assert not submitted.deliberation and submitted.deliberation_status == "expected"
    assert _files_on_disk(settings) == on_disk


def dt_days(days):
    import datetime

    return datetime.timedelta(days=days)
