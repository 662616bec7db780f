"""After the workshop: pinned matches into the pipeline, declarations into flows, the summary PDF."""

import io

import pytest
from pypdf import PdfReader

from tremplin.flows.models import Flow
from tremplin.synergies.enums import Consent, Status
from tremplin.synergies.models import Synergy
from tremplin.workshops import services
from tremplin.workshops.closing import convert_workshop
from tremplin.workshops.disclosure import matches_for_company
from tremplin.workshops.models import Match, MatchState
from tremplin.workshops.pdf import summary_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared(workshop, sites):
    brewery, farm = sites
    a = services.join_workshop(workshop, establishment=brewery)
    b = services.join_workshop(workshop, establishment=farm)
    services.declare(
        a, kind="have", resource="bio_spent_grain", quantity=200, unit="t", confidentiality="summary"
    )
    services.declare(
        b, kind="want", resource="bio_animal_feed", quantity=100, unit="t", comment="Secret du troupeau"
    )
    services.declare(b, kind="want", resource="wood_pallets")  # no quantity: no flow
    return a, b


def test_converting_turns_pinned_matches_into_detected_workshop_synergies(workshop, declared, officer, sites):
    match = Match.objects.get(workshop=workshop, resource="bio_spent_grain")
    services.set_match_state(match, "pin", by=officer)
    summary = convert_workshop(workshop, by=officer)
    synergy = Synergy.objects.get(territory=workshop.territory)
    assert summary.synergies == [synergy]
    assert (synergy.status, synergy.basis, synergy.kind) == (Status.DETECTED, "workshop", "substitution")
    assert {p.establishment for p in synergy.participants.all()} == set(sites)
    assert {p.consent for p in synergy.participants.all()} == {Consent.PENDING}
    assert synergy.distance_km == pytest.approx(6.5, abs=0.01)
    match.refresh_from_db()
    assert match.state == MatchState.CONVERTED and match.synergy == synergy
    # Two declarations had a quantity: two flows of basis workshop; the third is counted apart.
    flows = Flow.objects.filter(establishment__territory=workshop.territory).order_by("pk")
    assert [(f.direction, f.resource, float(f.quantity), f.basis) for f in flows] == [
        ("out", "bio_spent_grain", 200.0, "workshop"),
        ("in", "bio_animal_feed", 100.0, "workshop"),
    ]
    assert summary.declarations_without_quantity == 1
    workshop.refresh_from_db()
    assert not workshop.is_open
    # Run again: nothing twice.
    again = convert_workshop(workshop, by=officer)
    assert again.synergies == [] and again.flows == 0
    assert Synergy.objects.count() == 1


def test_a_match_of_an_unchecked_company_waits(workshop, sites, officer):
    brewery, _farm = sites
    a = services.join_workshop(workshop, establishment=brewery)
    b = services.join_workshop(workshop, new_company="Menuiserie Durand")
    services.declare(a, kind="have", resource="wood_pallets", quantity=20)
    services.declare(b, kind="want", resource="wood_pallets", quantity=20)
    for match in Match.objects.filter(workshop=workshop):
        services.set_match_state(match, "pin", by=officer)
    summary = convert_workshop(workshop, by=officer)
    assert summary.synergies == [] and summary.matches_unchecked >= 1
    assert summary.declarations_unchecked == 1 and summary.flows == 1


def test_the_participant_sees_the_counterpart_anonymised_until_both_agree(workshop, declared, officer, sites):
    from tremplin.synergies.pipeline import record_consent

    a, _b = declared
    match = Match.objects.get(workshop=workshop, resource="bio_spent_grain")
    services.set_match_state(match, "pin", by=officer)
    convert_workshop(workshop, by=officer)
    [shared] = matches_for_company(workshop, a.company)
    assert shared.role == "supplier" and not shared.named
    assert "Ferme" not in " ".join(shared.counterparts)
    synergy = Synergy.objects.get()
    participants = list(synergy.participants.all())
    record_consent(participants[0], by=officer, accepted=True)
    [shared] = matches_for_company(workshop, a.company)
    assert not shared.named
    record_consent(participants[1], by=officer, accepted=True)
    [shared] = matches_for_company(workshop, a.company)
    assert shared.named and shared.counterparts == ("Ferme laitière du Plateau",)


def test_the_summary_pdf_keeps_facilitator_only_declarations_out(workshop, declared, officer):
    match = Match.objects.get(workshop=workshop, resource="bio_spent_grain")
    services.set_match_state(match, "pin", by=officer)
    pages = PdfReader(io.BytesIO(summary_pdf(workshop))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())  # table cells wrap
    assert "Brasserie des Falaises" in text  # its declaration may appear in the summary
    assert "Secret du troupeau" not in text  # shown to the facilitator only
    assert "Ferme laitière" not in text  # the match's companies are not named: nobody agreed yet
    assert "2 participants" in text
