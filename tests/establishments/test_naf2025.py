"""NAF 2025 in the platform: SIRENE's NAF 2025 column and the template accept it, the code is kept with
its nomenclature, shown with it, filtered by its NAF rév. 2 correspondent, and detection maps it."""

import io

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import LAITERIE, PAPETERIE, SCIERIE, SIRENE_HEADER
from tremplin import engine
from tremplin.engine.naf import naf_profile_code
from tremplin.establishments.models import Establishment
from tremplin.establishments.services import ImportRejected, import_establishments
from tremplin.flows.engine_inputs import engine_inputs

pytestmark = pytest.mark.django_db

HEADER = [*SIRENE_HEADER, "activitePrincipaleNAF25Etablissement"]


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def _row(siret, naf, nomenclature, naf25, commune="76476", x="526145", y="6936618"):
    return [
        siret[:9],
        siret[9:],
        siret,
        "A",
        f"Site {siret[-4:]}",
        "",
        naf,
        nomenclature,
        "22",
        commune,
        x,
        y,
        naf25,
    ]


def _csv(rows) -> bytes:
    return ("\n".join(";".join(r) for r in [HEADER, *rows]) + "\n").encode("utf-8")


def _import(territory, data, kind="sirene"):
    return import_establishments(territory, io.BytesIO(data), kind=kind, by=None, filename="f.csv")


def test_the_naf2025_column_wins_and_the_code_is_kept_with_its_nomenclature(caux):
    _import(
        caux,
        _csv(
            [
                _row(PAPETERIE, "17.12Z", "NAFRev2", "17.12Y"),  # both filled: NAF 2025 wins
                _row(LAITERIE, "10.51A", "NAFRev2", "", commune="76384", x="521194", y="6936738"),
                _row(SCIERIE, "16.11Y", "NAF2025", "", commune="76114", x="", y=""),  # 2027 layout
            ]
        ),
    )
    sites = {e.siret: e for e in caux.establishments.all()}
    assert (sites[PAPETERIE].naf_code, sites[PAPETERIE].naf_nomenclature) == ("17.12Y", "2025")
    assert (sites[LAITERIE].naf_code, sites[LAITERIE].naf_nomenclature) == ("10.51A", "rev2")
    assert (sites[SCIERIE].naf_code, sites[SCIERIE].naf_nomenclature) == ("16.11Y", "2025")
    assert sites[PAPETERIE].naf_display == "NAF 2025 17.12Y"
    assert sites[LAITERIE].naf_display == "NAF rév. 2 10.51A"
    assert (
        sites[PAPETERIE].naf_label == "Fabrication de papier et de carton (correspondant NAF rév. 2 17.12Z)"
    )


def test_bad_naf2025_codes_are_named_by_row_and_nothing_is_written(caux):
    data = _csv(
        [
            _row(PAPETERIE, "17.12Z", "NAFRev2", "46.89Y"),  # line 2: NAF 2025 code without correspondent
            _row(LAITERIE, "10.51A", "NAF2025", "", commune="76384"),  # line 3: a rév. 2 code said NAF 2025
            _row(SCIERIE, "16.10A", "NAFRev1", "", commune="76114"),  # line 4: nomenclature not read
        ]
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(caux, data)
    errors = rejected.value.report.errors
    assert [(e.line, e.field) for e in errors] == [
        (2, "activitePrincipaleNAF25Etablissement"),
        (3, "activitePrincipaleEtablissement"),
        (4, "nomenclatureActivitePrincipaleEtablissement"),
    ]
    assert "code NAF 2025 inconnu ('46.89Y')" in errors[0].reason
    assert "code NAF 2025 inconnu ('10.51A')" in errors[1].reason
    assert not caux.establishments.exists()


def test_the_template_accepts_naf2025_codes(caux):
    data = (
        b"siret;nom;code_naf;tranche_effectifs;code_commune;adresse;latitude;longitude\n"
        b"50012345000016;Papeterie;1712Y;22;76476;;49,5051;0,6003\n"
        b"50023456200014;Laiterie;10.51A;;76384;;;\n"
    )
    _import(caux, data, kind="template")
    papeterie = caux.establishments.get(siret=PAPETERIE)
    assert (papeterie.naf_code, papeterie.naf_nomenclature) == ("17.12Y", "2025")


def test_existing_and_edited_rows_keep_their_nomenclature_in_step_with_the_code(caux):
    site = factories.establishment(caux, naf_code="17.12Z")
    assert Establishment.objects.get(pk=site.pk).naf_nomenclature == "rev2"
    site.naf_code = "17.12Y"
    site.save(update_fields=["naf_code"])
    assert Establishment.objects.get(pk=site.pk).naf_nomenclature == "2025"


def test_filters_put_a_naf2025_site_in_the_division_of_its_correspondent(caux):
    bakery_shop = factories.establishment(caux, naf_code="47.24Y")  # profile 47.24Z: division 47
    bake_off = factories.establishment(caux, naf_code="10.71B")
    paper = factories.establishment(caux, naf_code="17.12Y")
    assert set(caux.establishments.in_naf_division("47")) == {bakery_shop}
    assert set(caux.establishments.in_naf_division("10")) == {bake_off}
    assert set(caux.establishments.in_naf_section("C")) == {bake_off, paper}


def test_detection_reads_naf2025_sites_like_their_rev2_twins(caux):
    _import(
        caux,
        _csv(
            [
                _row(PAPETERIE, "17.12Z", "NAFRev2", "17.12Y"),
                _row(LAITERIE, "10.51A", "NAFRev2", "10.51G", commune="76384", x="521194", y="6936738"),
            ]
        ),
    )
    establishments, _ = engine_inputs(caux)
    assert sorted(e.naf for e in establishments) == ["10.51G", "17.12Y"]
    twins = [
        engine.Establishment(e.id, e.name, naf_profile_code(e.naf), e.lat, e.lon, e.headcount)
        for e in establishments
    ]
    as_2025 = [
        (f.company_id, f.direction, f.resource, f.quantity) for f in engine.estimate_flows(establishments)
    ]
    as_rev2 = [(f.company_id, f.direction, f.resource, f.quantity) for f in engine.estimate_flows(twins)]
    assert as_2025 and as_2025 == as_rev2
    assert [o.id for o in engine.detect(establishments).opportunities] == [
        o.id for o in engine.detect(twins).opportunities
    ]
