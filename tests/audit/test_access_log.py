import pytest

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.log import log_action
from tremplin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_MODELS = {AuditEntry}


def test_an_action_is_recorded_with_its_actor_target_and_details():
    caux = factories.territory(CAUX_SEINE)
    site = factories.establishment(caux)
    officer = factories.territory_officer(caux)
    entry = log_action(officer, "establishment.updated", site, territory=caux, fields=["name"])
    entry.refresh_from_db()
    assert (entry.actor, entry.action, entry.target, entry.territory) == (
        officer,
        "establishment.updated",
        site,
        caux,
    )
    assert entry.data == {"fields": ["name"]}
    assert list(AuditEntry.objects.about(site)) == [entry]


def test_the_log_of_a_territory_is_not_visible_to_another_territory():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    entry = log_action(None, "territory.created", caux, territory=caux)
    assert entry in AuditEntry.objects.visible_to(factories.territory_officer(caux))
    assert entry not in AuditEntry.objects.visible_to(factories.territory_officer(havre))
    assert entry not in AuditEntry.objects.visible_to(factories.programme_team_member())
