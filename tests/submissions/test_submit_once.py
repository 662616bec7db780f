"""A create form sent twice creates one object, even when both posts arrive at the same time."""

import pytest
from django.contrib.contenttypes.models import ContentType

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.establishments.models import EstablishmentContact
from tremplin.submissions.models import Submission
from tremplin.submissions.services import AlreadySubmitted, _digest, created_by, submit_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE))


@pytest.fixture
def officer(site):
    return factories.territory_officer(site.territory)


def _contact(site, name="Claire Martin"):
    return EstablishmentContact.objects.create(establishment=site, name=name)


def test_the_second_post_returns_what_the_first_created(site, officer):
    first = submit_once("k", by=officer, create=lambda: _contact(site))
    second = submit_once("k", by=officer, create=lambda: _contact(site, "never created"))
    assert first == second and EstablishmentContact.objects.count() == 1
    assert created_by("k", by=officer, model=EstablishmentContact) == first
    assert created_by("other", by=officer, model=EstablishmentContact) is None


def test_a_post_racing_another_one_gives_up_its_own_object_for_the_winner(site, officer, monkeypatch):
    from tremplin.submissions import services

    winner = _contact(site, "Winner")
    # The other request records the same key just after this one looked for it.
    Submission.objects.create(
        key=_digest("k", officer),
        target_type=ContentType.objects.get_for_model(EstablishmentContact),
        target_id=str(winner.pk),
    )
    lookups = []
    real_lookup = services._already_created

    def lookup_too_early(digest):
        lookups.append(digest)
        return (None, False) if len(lookups) == 1 else real_lookup(digest)

    monkeypatch.setattr(services, "_already_created", lookup_too_early)
    assert submit_once("k", by=officer, create=lambda: _contact(site, "Loser")) == winner
    assert list(EstablishmentContact.objects.values_list("name", flat=True)) == ["Winner"]
    assert len(lookups) == 2


def test_an_integrity_error_that_is_not_about_the_key_is_not_hidden(site, officer):
    from django.db import IntegrityError

    def broken():
        raise IntegrityError("unique SIRET")

    with pytest.raises(IntegrityError):
        submit_once("k", by=officer, create=broken)


def test_without_a_key_every_call_creates(site, officer):
    submit_once(None, by=officer, create=lambda: _contact(site))
    submit_once("", by=officer, create=lambda: _contact(site))
    submit_once("x" * 65, by=officer, create=lambda: _contact(site))  # not one of our keys
    assert EstablishmentContact.objects.count() == 3 and not Submission.objects.exists()


def test_a_replay_after_the_object_was_deleted_is_refused(site, officer):
    submit_once("k", by=officer, create=lambda: _contact(site)).delete()
    with pytest.raises(AlreadySubmitted):
        submit_once("k", by=officer, create=lambda: _contact(site))
    assert not EstablishmentContact.objects.exists()
