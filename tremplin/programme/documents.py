"""Checks on uploaded documents (signed letter, council deliberation): PDF only, size-limited.

A file must be named ``*.pdf``, stay under ``PROGRAMME_UPLOAD_MAX_BYTES`` (10 MB unless configured),
start with the ``%PDF-`` header and end with an ``%%EOF`` marker (within the last kilobyte, where the
PDF specification puts it, allowing for trailing whitespace some producers add). That is enough to
refuse renamed images, office documents and truncated uploads without a PDF parser.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PDF_HEADER = b"%PDF-"
PDF_TRAILER = b"%%EOF"
TAIL_BYTES = 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "PROGRAMME_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def validate_pdf(uploaded) -> None:
    """Raise a ValidationError with a message for the user unless ``uploaded`` is a plausible PDF."""
    name = (getattr(uploaded, "name", "") or "").lower()
    if not name.endswith(".pdf"):
        raise ValidationError(
            _("Only PDF files are accepted (a file name ending in .pdf)."), code="extension"
        )
    limit = max_upload_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="size",
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    uploaded.seek(0)
    head = uploaded.read(len(PDF_HEADER))
    uploaded.seek(max(0, uploaded.size - TAIL_BYTES))
    tail = uploaded.read()
    uploaded.seek(0)
    if head != PDF_HEADER or PDF_TRAILER not in tail:
        raise ValidationError(
            _("This file is not a valid PDF document. Export your letter as PDF and try again."),
            code="content",
        )
