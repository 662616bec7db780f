"""The one way the platform builds and sends mail: plain text, one language, absolute links, after commit."""

import pytest
from django.core import mail
from django.db import transaction

from tremplin.notifications.mail import absolute_url, addresses, build_message, render_text, send_after_commit

pytestmark = pytest.mark.django_db


class Later(Exception):
    pass


def test_links_are_made_from_the_site_url_unless_a_request_makes_them(settings):
    settings.SITE_URL = "https://tremplin.example"
    assert absolute_url("/programme/candidatures/4/") == "https://tremplin.example/programme/candidatures/4/"
    assert absolute_url("/x/", lambda path: f"http://testserver{path}") == "http://testserver/x/"


def test_addresses_are_kept_once_each_in_order():
    assert addresses("A@x.example", "", None, "a@x.example", "b@x.example") == ["A@x.example", "b@x.example"]


def test_templates_render_as_plain_text_in_the_language_asked():
    template = "programme/email/outcome_subject.txt"

    class Call:
        title = "Appel d'intérêt R&D <2027>"

    assert render_text(template, {"call": Call, "selected": True}, language="fr").strip() == (
        "Appel d'intérêt R&D <2027> : votre candidature est retenue"
    )
    assert render_text(template, {"call": Call, "selected": True}, language="en").strip() == (
        "Appel d'intérêt R&D <2027>: your application is selected"
    )


def test_nothing_leaves_before_commit_nor_when_rolled_back(django_capture_on_commit_callbacks):
    message = build_message(
        "programme/email/outcome", {"call": {"title": "T"}, "selected": False}, to=["a@x.example"]
    )
    with (
        pytest.raises(Later),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        send_after_commit([message])
        raise Later
    assert callbacks == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_after_commit([message]) == 1
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["a@x.example"]]
