"""The signed letter and the deliberation: PDF only, size-limited, content checked."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tremplin.programme.documents import validate_pdf


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
