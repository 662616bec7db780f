"""A territory declares several transition strategies: through the form, onto the application page and
the committee's view, and into the eligibility rule (any one strategy satisfies it)."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.geo.models import Epci
from tremplin.programme.models import Application, StrategyType, normalise_strategies
from tremplin.programme.services.eligibility import assess_eligibility
from tremplin.www.programme.forms import ApplicationForm

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {**factories.fiche(), "epci": Epci.objects.get(siren=CAUX_SEINE).pk, "pnsi_participation": "false"}
    data.pop("strategies")
    data["deliberation_expected_on"] = "2019-04-15"
    data.update(overrides)
    return data


def test_several_strategies_round_trip_through_the_form_and_the_pages(client):
    call = factories.call()
    applicant = factories.user()
    client.force_login(applicant)
    client.post(
        reverse("programme_apply", kwargs={"pk": call.pk}),
        {
            **_form(),
            "strategy_types": ["cotec", "citergie", "other"],
            "strategy_name_cotec": "COTEC 2021-2026",
            "strategy_name_other": "Plan climat-air-énergie territorial",
            "strategy_name_codec": "ignored: not ticked",
            "letter_upload": factories.pdf_upload(),
            "submit": "",
        },
    )
    application = Application.objects.get(applicant=applicant)
    assert application.strategies == [
        {"type": "citergie", "name": ""},
        {"type": "cotec", "name": "COTEC 2021-2026"},
        {"type": "other", "name": "Plan climat-air-énergie territorial"},
    ]
    assert application.status == "eligible"
    page = client.get(reverse("programme_application_detail", kwargs={"pk": application.pk})).content.decode()
    assert "<li>Cit&#x27;ergie</li>" in page
    assert "<li>COTEC (Contrat d&#x27;Objectif Territoire Énergie Climat) — COTEC 2021-2026</li>" in page
    assert "<li>Plan climat-air-énergie territorial</li>" in page
    # The form shows them ticked, with their names.
    form = ApplicationForm(instance=application, call=call)
    assert form.initial["strategy_types"] == ["citergie", "cotec", "other"]
    assert form.initial["strategy_name_cotec"] == "COTEC 2021-2026"
    ticked = [box.data["value"] for box, _name in form.strategy_rows() if box.data["selected"]]
    assert ticked == ["citergie", "cotec", "other"]
    # The committee reads the same list.
    member = factories.seated_committee_member(call)
    client.force_login(member)
    score_page = client.get(reverse("programme_score", kwargs={"pk": application.pk})).content.decode()
    assert "COTEC 2021-2026" in score_page and "Plan climat-air-énergie territorial" in score_page


def test_an_unnamed_other_strategy_is_said_missing_on_submission(client):
    call = factories.call()
    client.force_login(factories.user())
    response = client.post(
        reverse("programme_apply", kwargs={"pk": call.pk}),
        {**_form(), "strategy_types": ["other"], "letter_upload": factories.pdf_upload(), "submit": ""},
        follow=True,
    )
    assert "Donnez le nom de la stratégie « autre »." in response.content.decode()
    assert Application.objects.get().status == "draft"


@pytest.mark.parametrize(
    "strategies, eligible",
    [
        ([{"type": "none", "name": ""}], False),
        ([], False),
        ([{"type": "other", "name": ""}], False),
        ([{"type": "other", "name": ""}, {"type": "td2030", "name": ""}], True),
        ([{"type": "codec", "name": ""}, {"type": "enr100", "name": ""}], True),
    ],
)
def test_any_one_strategy_satisfies_the_rule(strategies, eligible):
    call = factories.call()
    application = Application(
        call=call, epci=Epci.objects.get(siren=CAUX_SEINE), **{**factories.fiche(), "strategies": strategies}
    )
    assert ("no_strategy" not in assess_eligibility(application).failures) is eligible


def test_strategies_are_stored_once_each_in_order_and_none_only_alone():
    assert normalise_strategies(
        [
            {"type": "other", "name": "  PCAET "},
            {"type": "none", "name": ""},
            {"type": "citergie", "name": ""},
            {"type": "citergie", "name": "twice"},
            {"type": "unknown", "name": "x"},
        ]
    ) == [{"type": "citergie", "name": ""}, {"type": "other", "name": "PCAET"}]
    assert normalise_strategies([{"type": "none"}]) == [{"type": StrategyType.NONE, "name": ""}]


def test_cotec_is_the_contrat_d_objectif_territoire_energie_climat():
    assert str(StrategyType.COTEC.label) == "COTEC (Contrat d'Objectif Territoire Énergie Climat)"
