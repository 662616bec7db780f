"""Create an object once per form: see the package docstring."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tremplin.submissions.models import Submission

__all__ = ["AlreadySubmitted", "created_by", "new_submission_key", "submit_once", "was_replayed"]

T = TypeVar("T")

#: Characters of a key as :func:`new_submission_key` makes it; anything longer is not one of ours.
MAX_KEY_LENGTH = 64


class AlreadySubmitted(Exception):
    """The form was sent already and what it created no longer exists (deleted since)."""

    def __init__(self, message=None):
        self.message = message or _("This form was already sent; what it created has been deleted since.")
        super().__init__(str(self.message))


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def _digest(key: str, by) -> str:
    person = by.pk if by is not None and by.is_authenticated else "anonymous"
    return hashlib.sha256(f"{person}:{key}".encode()).hexdigest()


def _already_created(digest: str):
    submission = Submission.objects.filter(key=digest).select_related("target_type").first()
    if submission is None:
        return None, False
    target = submission.target_type.model_class()._default_manager.filter(pk=submission.target_id).first()
    if target is None:
        raise AlreadySubmitted
    return target, True


def created_by(key: str | None, *, by, model: type):
    """What the form holding ``key`` created when ``by`` sent it before (an instance of ``model``), or
    ``None`` if it was not sent yet. For a form whose validation would refuse a second post (a unique
    SIRET): the page answers as it did the first time instead of showing a puzzling error."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    existing, found = _already_created(_digest(key, by))
    return existing if found and isinstance(existing, model) else None


def submit_once(key: str | None, *, by, create: Callable[[], T]) -> T:
    """``create()`` the first time the form holding ``key`` is sent by ``by``; afterwards, the object
    that first call created (no second object, no second audit entry), marked (:func:`was_replayed`).

    Without a key (a command, an import, an old page) ``create()`` simply runs. Raise
    :class:`AlreadySubmitted` when the object created the first time was deleted since.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        return create()
    digest = _digest(key, by)
    existing, found = _already_created(digest)
    if found:
        return _replayed(existing)
    try:
        with transaction.atomic():
            created = create()
            Submission.objects.create(
                key=digest,
                target_type=ContentType.objects.get_for_model(created, for_concrete_model=False),
                target_id=str(created.pk),
            )
    except IntegrityError:
        # The same form, posted twice at once: the other request recorded the key first (the unique
        # index made this one wait for it, then refused). Its object is the one to return; an
        # integrity error that is not about the key is re-raised.
        existing, found = _already_created(digest)
        if not found:
            raise
        return _replayed(existing)
    return created


def _replayed(target):
    """Mark what a repeated post returns, so that the page can say it was recorded once (someone who
    went back in the browser and changed the form would otherwise believe the change recorded)."""
    target.replayed_submission = True
    return target


def was_replayed(target) -> bool:
    """Whether :func:`submit_once` returned ``target`` for a form already sent."""
    return getattr(target, "replayed_submission", False)
