"""Checks on uploaded documents (signed letter, council deliberation), and their removal from disk.

A document must be named ``*.pdf``, stay under ``PROGRAMME_UPLOAD_MAX_BYTES`` (10 MB unless configured)
and be a PDF a reader can open without running anything:

- it starts with the ``%PDF-`` header (nothing before it) and ends with an ``%%EOF`` marker;
- no part of it reads as HTML or script (a "polyglot" file is a PDF for one program and a web page for
  another: a browser that sniffs it would run it);
- pypdf parses it (its own caps bound what a compressed stream may expand to), and none of its
  objects holds active content: JavaScript (``/JS``, ``/JavaScript``),
  actions that launch programs, import or submit data or play media (``/Launch``, ``/ImportData``,
  ``/SubmitForm``, ``/Rendition``, ``/GoToE``…), ``javascript:`` links, embedded files, rich media or
  XFA forms. An ``/OpenAction`` or ``/AA`` that only opens a page is fine: what is refused is the
  action, wherever it hangs;
- an encrypted file must open with an empty password (restrictions only), so that it can be inspected.

Replaced documents are deleted from disk once the transaction that replaced them commits, and so are
the documents of a deleted application (:func:`connect_cleanup`, called when the app is ready).
"""

from __future__ import annotations

import io
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, pre_save
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PDF_HEADER = b"%PDF-"
PDF_TRAILER = b"%%EOF"
TAIL_BYTES = 1024
#: More objects than a letter or a deliberation ever has (a scanned 30-page letter has a few hundred).
MAX_OBJECTS = 100_000

# What makes a browser or a mail client take bytes for a web page or a script: the tags that start a
# page or run something, script URLs and event handlers, searched in the raw file, case-insensitively.
# (The patterns are long enough for the compressed streams of a 10 MB PDF to match by chance about
# once in a few thousand files; a file refused so is accepted once exported again.)
HTML_MARKERS = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frameset|object|embed|svg|form)[\s/>]"
    rb"|<(?:meta|a|base|link)\s+[a-z-]+\s*="
    rb"|\b(?:java|vb)script:"
    rb"|\son[a-z]{4,}\s*=\s*[\"']",
    re.IGNORECASE,
)
_JAVASCRIPT = gettext_lazy("JavaScript")
_EMBEDDED_FILE = gettext_lazy("embedded file")
_RICH_MEDIA = gettext_lazy("rich media or video")
# Keys that are active content wherever they appear.
ACTIVE_KEYS = {
    "/JS": _JAVASCRIPT,
    "/JavaScript": _JAVASCRIPT,
    "/EmbeddedFile": _EMBEDDED_FILE,
    "/EmbeddedFiles": _EMBEDDED_FILE,
    "/EF": _EMBEDDED_FILE,
    "/RichMedia": _RICH_MEDIA,
    "/RichMediaContent": _RICH_MEDIA,
    "/RichMediaSettings": _RICH_MEDIA,
    "/XFA": gettext_lazy("XFA form"),
    "/Launch": gettext_lazy("program launch"),
}
# Types of action (``/S``) that run, launch, send, fetch or play something.
ACTIVE_ACTIONS = {
    "/JavaScript": _JAVASCRIPT,
    "/Launch": gettext_lazy("program launch"),
    "/ImportData": gettext_lazy("data import"),
    "/SubmitForm": gettext_lazy("form submission"),
    "/GoToR": gettext_lazy("link to another file"),
    "/GoToE": _EMBEDDED_FILE,
    "/Rendition": _RICH_MEDIA,
    "/Movie": _RICH_MEDIA,
    "/Sound": _RICH_MEDIA,
    "/RichMediaExecute": _RICH_MEDIA,
}
ACTIVE_TYPES = {"/EmbeddedFile": _EMBEDDED_FILE}
ACTIVE_SUBTYPES = {
    "/FileAttachment": _EMBEDDED_FILE,
    "/RichMedia": _RICH_MEDIA,
    "/Movie": _RICH_MEDIA,
    "/Sound": _RICH_MEDIA,
    "/Screen": _RICH_MEDIA,
    "/3D": _RICH_MEDIA,
}
SCRIPT_URI = re.compile(r"\s*(?:java|vb)script:", re.IGNORECASE)


def max_upload_bytes() -> int:
    return int(getattr(settings, "PROGRAMME_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _not_a_pdf() -> ValidationError:
    return ValidationError(
        _("This file is not a valid PDF document. Export your letter as PDF and try again."), code="content"
    )


def _active(what: str) -> ValidationError:
    return ValidationError(
        _(
            "This PDF contains active content (%(what)s), which is refused. Print it to a new PDF "
            "(or export it again without scripts, attachments or forms) and try again."
        )
        % {"what": what},
        code="active",
    )


def validate_pdf(uploaded) -> None:
    """Raise a ValidationError with a message for the user unless ``uploaded`` is a PDF without active
    content (see the module's docstring)."""
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
    data = uploaded.read(limit + 1)
    uploaded.seek(0)
    if not data.startswith(PDF_HEADER) or PDF_TRAILER not in data[-TAIL_BYTES:]:
        raise _not_a_pdf()
    if HTML_MARKERS.search(data):
        raise ValidationError(
            _("This file contains web page or script code: it is refused. Export your letter as PDF again."),
            code="html",
        )
    _inspect(data)


def _inspect(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (PyPdfError, NotImplementedError, ValueError, TypeError) as error:
                logger.info("encrypted PDF refused: %s", error)
                opened = 0
            if not opened:
                raise ValidationError(
                    _("This PDF is protected by a password: it cannot be checked. Save it without password."),
                    code="encrypted",
                )
        _walk(reader.trailer)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        logger.info("unreadable PDF refused", exc_info=True)
        raise _not_a_pdf() from None
    except Exception:  # pypdf raises many kinds on hostile input: a file it cannot read is refused
        logger.warning("PDF refused: pypdf failed on it", exc_info=True)
        raise _not_a_pdf() from None


def _walk(root) -> None:
    """Visit every object reachable from the trailer (dictionaries, arrays, indirect references), without
    decoding any stream, and refuse the first active content found."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    def resolved(value):
        return value.get_object() if isinstance(value, IndirectObject) else value

    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise _not_a_pdf()
        if isinstance(node, DictionaryObject):
            for key in node:
                if key in ACTIVE_KEYS:
                    raise _active(ACTIVE_KEYS[key])
            for key, table in (
                ("/S", ACTIVE_ACTIONS),
                ("/Type", ACTIVE_TYPES),
                ("/Subtype", ACTIVE_SUBTYPES),
            ):
                value = resolved(dict.get(node, key))
                if isinstance(value, str) and value in table:
                    raise _active(table[value])
            uri = resolved(dict.get(node, "/URI"))
            if isinstance(uri, (str, bytes)):
                text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
                if SCRIPT_URI.match(text):
                    raise _active(_JAVASCRIPT)
            stack.extend(dict.values(node))
        elif isinstance(node, ArrayObject):
            stack.extend(node)


# --- Files on disk ----------------------------------------------------------------------------------

DOCUMENT_FIELDS = ("letter", "deliberation")


def _delete_after_commit(storage, name: str) -> None:
    transaction.on_commit(lambda: storage.delete(name), robust=True)


def _forget_replaced(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before an application is saved with a new document, schedule the old file's deletion (it is
    deleted only if the transaction commits: a rollback keeps the document the database still names)."""
    if raw or instance.pk is None:
        return
    names = [name for name in DOCUMENT_FIELDS if update_fields is None or name in update_fields]
    if not names:
        return
    stored = sender._base_manager.filter(pk=instance.pk).values(*names).first()
    if not stored:
        return
    for name in names:
        old, field = stored[name], getattr(instance, name)
        if old and old != field.name:
            _delete_after_commit(field.storage, old)


def _forget_deleted(sender, instance, **kwargs):
    for name in DOCUMENT_FIELDS:
        field = getattr(instance, name)
        if field.name:
            _delete_after_commit(field.storage, field.name)


def connect_cleanup(application_model) -> None:
    pre_save.connect(_forget_replaced, sender=application_model, dispatch_uid="programme.documents.replaced")
    post_delete.connect(_forget_deleted, sender=application_model, dispatch_uid="programme.documents.deleted")
