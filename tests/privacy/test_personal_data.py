"""Export and erase what is held on a person: a contact of an establishment (by its territory's team)
and a user (by the platform operator), everywhere the platform keeps personal data."""

import datetime
import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.models import Membership, User
from tremplin.audit.display import describe
from tremplin.audit.models import AuditEntry
from tremplin.cli import main
from tremplin.coaching.models import Actor, Registration
from tremplin.coaching.services.deliverables import add_item, ensure_deliverables
from tremplin.establishments.models import EstablishmentContact
from tremplin.establishments.services import add_contact, update_contact
from tremplin.privacy.holders import Person
from tremplin.privacy.services import (
    PrivacyError,
    erase_person_data,
    export_person_data,
    find_person_data,
    person_ref,
)
from tremplin.questionnaire.models import Invitation

pytestmark = pytest.mark.django_db

EMAIL = "claire.martinez@papeterie.example"
NAME = "Claire Martínez"


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def havre():
    return factories.territory(LE_HAVRE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def papeterie(caux):
    return factories.establishment(caux, name="Papeterie de la Seine")


@pytest.fixture
def claire(caux, havre, papeterie, officer):
    """Claire, HSE manager of a paper mill of Caux: a contact record, a questionnaire invitation, an
    account with the company-contact role, an entry in the W3 directory; and a contact in Le Havre."""
    contact = add_contact(papeterie, by=officer, name=NAME, job_title="Responsable HSE", email=EMAIL)
    update_contact(contact, by=officer, phone="02 35 00 00 00")
    factories.invitation(papeterie, email=EMAIL)
    user = factories.company_contact(papeterie, email=EMAIL, first_name="Claire", last_name="Martínez")
    factories.flow(papeterie, by=user)
    participation = factories.coaching_participation(factories.coaching_call(), caux)
    ensure_deliverables(participation)
    w3 = participation.deliverables.get(kind="w3_mobilisation")
    add_item(
        w3, Actor(scope="external", organisation="Papeterie", contact_name=NAME, email=EMAIL), by=officer
    )
    havre_contact = factories.establishment_contact(factories.establishment(havre), name=NAME, email=EMAIL)
    return {"contact": contact, "user": user, "havre_contact": havre_contact, "participation": participation}


def test_the_territory_team_exports_what_its_territory_holds_on_a_contact(caux, officer, claire):
    document = export_person_data(Person(email=EMAIL.upper()), by=officer, territory=caux)
    records = document["records"]
    assert [item["name"] for item in records["establishment_contacts"]["items"]] == [NAME]  # not Le Havre's
    contact = records["establishment_contacts"]["items"][0]
    assert (contact["email"], contact["phone"], contact["establishment"]) == (
        EMAIL,
        "02 35 00 00 00",
        "Papeterie de la Seine",
    )
    assert [item["email"] for item in records["invitations"]["items"]] == [EMAIL]
    assert "token_hash" not in records["invitations"]["items"][0]
    assert records["actors"]["items"][0]["contact_name"] == NAME
    assert "user_accounts" not in records  # the operator's business
    actions = {entry["action"] for entry in document["audit_entries"]}
    assert {"establishment.contact.added", "establishment.contact.updated", "flow.created"} <= actions
    json.dumps(document)  # a readable file
    exported = AuditEntry.objects.get(action="privacy.exported")
    assert exported.territory == caux and exported.actor == officer
    assert exported.data["person_ref"] == person_ref(Person(email=EMAIL))
    assert EMAIL not in json.dumps(exported.data) and "Claire" not in json.dumps(exported.data)


def test_another_territory_cannot_export_or_erase(caux, havre, claire):
    outsider = factories.territory_officer(havre)
    with pytest.raises(PrivacyError):
        export_person_data(Person(email=EMAIL), by=outsider, territory=caux)
    with pytest.raises(PrivacyError):
        erase_person_data(Person(email=EMAIL), by=outsider, territory=caux)
    with pytest.raises(PrivacyError):
        erase_person_data(Person(email=EMAIL), by=outsider)  # the whole platform: the operator only


def test_the_territory_team_erases_a_contact_everywhere_in_its_territory(caux, officer, claire):
    counts = erase_person_data(Person(email=EMAIL), by=officer, territory=caux)
    assert counts["establishment_contacts"] == 1 and counts["invitations"] == 1
    assert counts["company_contact_roles"] == 1
    assert not EstablishmentContact.objects.filter(establishment__territory=caux).exists()
    assert not Invitation.objects.filter(email__iexact=EMAIL).exists()
    actor = Actor.objects.get()
    assert (actor.organisation, actor.contact_name, actor.email) == ("Papeterie", "", "")
    # Her role on the establishment is gone, and her sessions with it; her account is the operator's.
    user = User.objects.get(pk=claire["user"].pk)
    assert not Membership.objects.filter(user=user).exists()
    assert user.email == EMAIL and user.session_version == 1
    # The audit log keeps the actions, without her e-mail or name.
    for entry in AuditEntry.objects.filter(territory=caux):
        assert EMAIL not in json.dumps(entry.data, ensure_ascii=False)
        assert NAME not in json.dumps(entry.data, ensure_ascii=False)
    added = AuditEntry.objects.get(action="establishment.contact.added")
    assert "contact" not in added.data  # only its identifier: the name was never copied
    assert describe(added).sentence.startswith("A ajouté le contact (retiré depuis) à ")
    erased = AuditEntry.objects.get(action="privacy.erased")
    assert erased.actor == officer and erased.data["counts"]["establishment_contacts"] == 1
    # Le Havre's own record of her is Le Havre's.
    assert EstablishmentContact.objects.filter(pk=claire["havre_contact"].pk).exists()
    # Erasing again finds no record: only the entries of what her account did (the flow she declared)
    # and of what was done to it (her role removed), which hold nothing of hers but an identifier.
    findings = find_person_data(Person(email=EMAIL), territory=caux)
    assert sorted(entry.action for entry in findings.audit_entries) == ["flow.created", "role.revoked"]
    assert erase_person_data(Person(email=EMAIL), by=officer, territory=caux) == {"audit_entries": 2}


def test_a_contact_without_an_e_mail_is_erased_from_its_record(caux, officer, papeterie):
    contact = add_contact(papeterie, by=officer, name="Jean Sans Mail", job_title="Directeur")
    counts = erase_person_data(Person(contact_ids={contact.pk}), by=officer, territory=caux)
    assert counts["establishment_contacts"] == 1
    assert not EstablishmentContact.objects.exists()
    assert "Jean Sans Mail" not in json.dumps(list(AuditEntry.objects.values_list("data", flat=True)))


def test_the_operator_erases_a_user_account_and_everything_quoting_it(client, caux, officer, claire):
    call = factories.call()
    application = factories.submitted_application(
        call, "200084952", officer_name=NAME, officer_email=EMAIL, official_email="elue@epci.example"
    )
    event = claire["participation"].call.events.create(
        kind="workshop_1",
        date=datetime.date(2019, 5, 24),
        duration="full_day",
        period="all_day",
        start_time=datetime.time(9),
        end_time=datetime.time(17),
    )
    Registration.objects.create(
        event=event, participation=claire["participation"], person_name=NAME, function="other"
    )
    client.force_login(claire["user"])
    assert main(["erase-personal-data", "--email", EMAIL, "--yes"]) == 0

    user = User.objects.get(pk=claire["user"].pk)
    assert user.email == f"effacee-{user.pk}@erased.invalid"
    assert (user.first_name, user.last_name, user.is_active, user.has_usable_password()) == (
        "Personne",
        "effacée",
        False,
        False,
    )
    assert not user.memberships.exists()
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous  # her session is over
    application.refresh_from_db()
    assert (application.officer_name, application.officer_email) == ("Personne effacée", "")
    assert application.official_email == "elue@epci.example"
    assert Registration.objects.get().person_name == "Personne effacée"
    assert not EstablishmentContact.objects.filter(email__iexact=EMAIL).exists()  # both territories
    everything = json.dumps(list(AuditEntry.objects.values_list("data", flat=True)), ensure_ascii=False)
    assert EMAIL not in everything and NAME not in everything
    erased = AuditEntry.objects.get(action="privacy.erased")
    assert erased.actor is None and erased.territory is None
    assert erased.data["counts"]["user_accounts"] == 1
    assert AuditEntry.objects.filter(action="role.revoked", data__reason="erasure").count() == 1


def test_the_operator_exports_a_users_data_to_a_file(tmp_path, claire):
    out = tmp_path / "claire.json"
    call_command("export_personal_data", "--email", EMAIL, "--out", str(out))
    document = json.loads(out.read_text())
    assert document["person"]["email"] == EMAIL
    account = document["records"]["user_accounts"]["items"][0]
    assert account["email"] == EMAIL and account["roles"]
    assert len(document["records"]["establishment_contacts"]["items"]) == 2  # Caux and Le Havre
    assert AuditEntry.objects.filter(action="privacy.exported", territory=None).count() == 1


def test_the_erase_command_asks_for_confirmation(monkeypatch, claire, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert main(["erase-personal-data", "--email", EMAIL]) != 0
    assert User.objects.filter(email=EMAIL).exists()
    assert main(["erase-personal-data", "--email", "nobody@example.org", "--yes"]) == 0
    assert "Nothing is held" in capsys.readouterr().out


def test_sessions_of_an_erased_user_are_deleted(client, claire):
    from django.contrib.sessions.models import Session

    client.force_login(claire["user"])
    assert any(s.get_decoded().get(SESSION_KEY) == str(claire["user"].pk) for s in Session.objects.all())
    erase_person_data(Person(email=EMAIL), by=None)
    assert not any(s.get_decoded().get(SESSION_KEY) == str(claire["user"].pk) for s in Session.objects.all())
