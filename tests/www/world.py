"""A seeded world for the re-audit (crawler, hostile values): two territories of one programme edition,
each with its team, establishments, flows, contacts, invitations, synergies, a detection run, a frozen
report, an import, coaching records; a call with applications, a seated committee member; the people
of every role. Built from the factories and the real operations, in a few seconds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE

CAEN = "200065597"


@dataclass
class World:
    people: dict = field(default_factory=dict)  # persona -> User (None: anonymous)
    objects: dict = field(default_factory=dict)  # name -> object
    #: (model, pk) of every object owned by a territory, keyed by the territory's name ("caux", "havre").
    owned: dict = field(default_factory=dict)


def _own(world: World, territory: str, *objects) -> None:
    for obj in objects:
        world.owned.setdefault(territory, set()).add((type(obj)._meta.label_lower, obj.pk))


def _territory_side(world: World, key: str, siren: str, call, coaching_call, programme) -> None:
    from tremplin.coaching.models import Actor, GoodPractice, SupportDay
    from tremplin.coaching.services import calendar, deliverables, network, support
    from tremplin.establishments.services import add_contact
    from tremplin.imports.models import ImportJob
    from tremplin.synergies.detection import start_detection
    from tremplin.synergies.pipeline import add_action, record_measurement

    territory = factories.territory(siren)
    officer = factories.territory_officer(territory, first_name="Officer", last_name=key.capitalize())
    official = factories.territory_elected_official(territory, first_name="Élu", last_name=key.capitalize())
    brewery, farm = factories.brewery_and_farm(territory)
    brewery.name, farm.name = f"Brasserie {key}", f"Ferme {key}"
    brewery.notes = f"Notes internes {key}"
    brewery.save()
    farm.save()
    contact_user = factories.company_contact(brewery, first_name="Contact", last_name=key.capitalize())
    contact = add_contact(
        brewery, by=officer, name=f"Personne {key}", email=f"rh@{key}.example", notes="Note"
    )
    flow = factories.flow(brewery, by=contact_user, resource="bio_spent_grain", quantity=300, unit="t")
    factories.flow(farm, by=officer, direction="in", resource="bio_spent_grain", quantity=200, unit="t")
    invitation, _token = factories.invitation(farm, email=f"ferme@{key}.example", created_by=officer)
    run = start_detection(territory, mode="deductive", by=officer)
    lead = run.leads.first()
    studied = factories.synergy(territory, status="under_study", participants=(brewery, farm))
    operational = factories.operational_synergy(territory, participants=(brewery, farm))
    action = add_action(operational, by=officer, title=f"Action {key}", owner_name="Chargée EIT")
    record_measurement(operational, by=officer, year=2025, tonnes_diverted=100, eur_saved=1000)
    report = factories.report_snapshot(territory, by=officer, title=f"RSO {key}")
    job = ImportJob.objects.create(territory=territory, kind="template", filename="f.csv", created_by=officer)
    participation = factories.coaching_participation(coaching_call, territory)
    w1 = next(d for d in deliverables.deliverables_of(participation) if d.kind == "w1_diagnosis")
    w3 = next(d for d in deliverables.deliverables_of(participation) if d.kind == "w3_mobilisation")
    from tremplin.coaching.models import SwotItem

    swot = deliverables.add_item(w1, SwotItem(category="strength", text=f"Port {key}"), by=officer)
    actor = deliverables.add_item(
        w3, Actor(scope="external", organisation=f"CCI {key}", contact_name="Jean"), by=officer
    )
    comment = deliverables.comment_on(w1, f"Commentaire {key}", by=programme)
    practice = network.save_good_practice(
        GoodPractice(participation=participation, title=f"Pratique {key}", text="…", shared=key == "caux"),
        by=officer,
    )
    day = SupportDay.objects.filter(participation=participation).first()
    day.date = dt.date(2019, 10, 1)
    support.save_support_day(day, by=officer)
    event = coaching_call.events.filter(kind="rso_1").first()
    registration = calendar.register_person(
        event, participation, person_name=f"Inscrit {key}", function="officer", email="", by=officer
    )
    from tremplin.coaching.services.followup import submit_report

    progress = submit_report(event, participation, progress_statement=f"Avancées {key}", by=officer)
    application = factories.submitted_application(
        call, siren, applicant=factories.user(first_name="Candidat", last_name=key.capitalize())
    )
    from tremplin.workshops import services as workshops

    workshop = workshops.create_workshop(
        territory, by=officer, theme=f"Atelier {key}", date=dt.date(2026, 3, 12), place="CCI", expected=[farm]
    )
    attendee = workshops.join_workshop(workshop, establishment=brewery, name=f"Participant {key}")
    declaration = workshops.declare(attendee, kind="have", resource="bio_spent_grain", quantity=300)
    world.people[f"{key}_officer"] = officer
    world.people[f"{key}_official"] = official
    world.people[f"{key}_contact"] = contact_user
    world.people[f"{key}_applicant"] = application.applicant
    world.objects.update(
        {
            f"{key}": territory,
            f"{key}_brewery": brewery,
            f"{key}_farm": farm,
            f"{key}_run": run,
            f"{key}_synergy": operational,
            f"{key}_participation": participation,
            f"{key}_application": application,
        }
    )
    _own(
        world,
        key,
        territory,
        brewery,
        farm,
        contact,
        flow,
        invitation,
        run,
        lead,
        studied,
        operational,
        action,
        report,
        job,
        participation,
        *deliverables.deliverables_of(participation),
        swot,
        actor,
        comment,
        practice,
        day,
        registration,
        progress,
        *studied.participants.all(),
        *operational.participants.all(),
        workshop,
        attendee,
        attendee.company,
        declaration,
    )


def build_world() -> World:
    from tremplin.coaching.services import calendar

    world = World()
    programme = factories.programme_team_member(first_name="Équipe", last_name="Programme")
    call = factories.call(places=2)
    committee = factories.seated_committee_member(call, first_name="Membre", last_name="Comité")
    coaching_call = factories.coaching_call()
    calendar.prefill_reference_calendar(coaching_call, by=programme)
    world.people.update({"programme": programme, "committee": committee, "anonymous": None})
    world.objects.update({"call": call, "coaching_call": coaching_call})
    _territory_side(world, "caux", CAUX_SEINE, call, coaching_call, programme)
    _territory_side(world, "havre", LE_HAVRE, call, coaching_call, programme)
    # Someone who only signed up: no role at all.
    world.people["stranger"] = factories.user(first_name="Sans", last_name="Rôle")
    return world
