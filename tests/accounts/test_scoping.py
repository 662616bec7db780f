"""Confidential data never crosses territory lines: every scoped model, every URL with an object id."""

import importlib.util
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.scoping import scope_for, scoped_models
from tremplin.establishments.models import Establishment
from tremplin.territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two territories, each with an officer, an establishment and its company contact."""
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    caux_site = factories.establishment(caux, name="Papeterie de Caux")
    havre_site = factories.establishment(havre, name="Chantier du Havre")
    return {
        "caux": caux,
        "havre": havre,
        "caux_site": caux_site,
        "havre_site": havre_site,
        "caux_officer": factories.territory_officer(caux),
        "havre_officer": factories.territory_officer(havre),
        "caux_contact": factories.company_contact(caux_site),
        "programme": factories.programme_team_member(),
        "committee": factories.committee_member(),
    }


def _objects_of(territory_key, world):
    """One object of every scoped model this file checks, owned by the given territory."""
    return {Territory: world[territory_key], Establishment: world[f"{territory_key}_site"]}


def test_an_officer_sees_nothing_of_another_territory(world):
    outsider = world["havre_officer"]
    for model, obj in _objects_of("caux", world).items():
        assert not model.objects.visible_to(outsider).filter(pk=obj.pk).exists(), model.__name__


def test_an_officer_sees_its_own_territory(world):
    insider = world["caux_officer"]
    for model, obj in _objects_of("caux", world).items():
        assert model.objects.visible_to(insider).filter(pk=obj.pk).exists(), model.__name__


def test_a_company_contact_sees_only_its_own_establishment(world):
    contact = world["caux_contact"]
    visible = set(Establishment.objects.visible_to(contact))
    assert visible == {world["caux_site"]}


def test_the_programme_team_follows_every_territory_but_not_establishment_records(world):
    programme = world["programme"]
    assert set(Territory.objects.visible_to(programme)) >= {world["caux"], world["havre"]}
    assert not Establishment.objects.visible_to(programme).exists()


def test_committee_members_and_strangers_see_no_territory_object(world):
    stranger = factories.user()
    for person in (world["committee"], stranger):
        for model in scoped_models():
            assert not model.objects.visible_to(person).exists(), model.__name__


def test_an_inactive_user_loses_its_scope(world):
    officer = world["caux_officer"]
    officer.is_active = False
    assert scope_for(officer).territory_ids == frozenset()


# Every URL that takes an object id, and which object the id designates. Other features check their
# own URLs and models in tests/**/test_access*.py, each declaring ACCESS_CHECKED_URLS and
# ACCESS_CHECKED_MODELS; the two tests below make sure nothing escapes.
URL_OBJECTS = {
    "territory_detail": ("pk", Territory),
    "territory_map": ("pk", Territory),
    "establishment_list": ("territory_pk", Territory),
    "establishment_detail": ("pk", Establishment),
}


def _urls_with_ids():
    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and pattern.pattern.converters
                and pattern.lookup_str.startswith("tremplin.")
            ):
                yield pattern.name

    return sorted(set(walk(get_resolver())))


ACCESS_CHECKED_URLS = set(URL_OBJECTS)
ACCESS_CHECKED_MODELS = {Territory, Establishment}


def _declared_by_access_tests(attribute):
    tests_root = Path(__file__).resolve().parent.parent
    declared = set()
    for path in [*sorted(tests_root.rglob("test_access*.py")), Path(__file__)]:
        spec = importlib.util.spec_from_file_location(f"_access_{path.stem}_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        declared |= set(getattr(module, attribute, set()))
    return declared


def test_every_url_with_an_object_id_is_covered_by_an_access_test():
    missing = set(_urls_with_ids()) - _declared_by_access_tests("ACCESS_CHECKED_URLS")
    assert not missing, f"no access test tries these URLs across territories: {sorted(missing)}"


def test_every_scoped_model_is_covered_by_an_access_test():
    missing = set(scoped_models()) - _declared_by_access_tests("ACCESS_CHECKED_MODELS")
    assert not missing, f"no access test tries these models across territories: {missing}"


@pytest.mark.parametrize("url_name", sorted(URL_OBJECTS))
def test_guessing_the_id_of_another_territorys_object_is_refused(client, world, url_name):
    kwarg, model = URL_OBJECTS[url_name]
    target = _objects_of("caux", world)[model]
    url = reverse(url_name, kwargs={kwarg: target.pk})
    client.force_login(world["havre_officer"])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"name": "changed"}).status_code in (403, 404, 405)
    target.refresh_from_db()
    if model is Establishment:
        assert target.name == "Papeterie de Caux"


@pytest.mark.parametrize("url_name", sorted(URL_OBJECTS))
def test_the_owner_reaches_every_url(client, world, url_name):
    kwarg, model = URL_OBJECTS[url_name]
    target = _objects_of("caux", world)[model]
    client.force_login(world["caux_officer"])
    assert client.get(reverse(url_name, kwargs={kwarg: target.pk})).status_code == 200


@pytest.mark.parametrize("url_name", sorted(URL_OBJECTS))
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, url_name):
    kwarg, model = URL_OBJECTS[url_name]
    target = _objects_of("caux", world)[model]
    response = client.get(reverse(url_name, kwargs={kwarg: target.pk}))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_contact_cannot_open_another_establishment_of_its_own_territory(client, world):
    neighbour = factories.establishment(world["caux"], name="Voisin")
    client.force_login(world["caux_contact"])
    assert client.get(reverse("establishment_detail", kwargs={"pk": neighbour.pk})).status_code == 404
    own = reverse("establishment_detail", kwargs={"pk": world["caux_site"].pk})
    assert client.get(own).status_code == 200


def test_a_contact_cannot_list_its_territorys_establishments(client, world):
    client.force_login(world["caux_contact"])
    response = client.get(reverse("establishment_list", kwargs={"territory_pk": world["caux"].pk}))
    assert response.status_code == 200
    assert "Papeterie de Caux" in response.content.decode()
    assert "Voisin" not in response.content.decode()


def test_the_programme_team_cannot_open_establishment_records(client, world):
    client.force_login(world["programme"])
    url = reverse("establishment_detail", kwargs={"pk": world["caux_site"].pk})
    assert client.get(url).status_code == 404
