"""The programme team's map and table of the territories' potential: order, filters, pages, the map's
GeoJSON (classes and colours worked out by hand), exports, releases, loading through the page.
Figures of the fixture: tests/programme/national_files.py."""

import csv
import io
import json
import re
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tests import factories
from tests.programme import national_files as nf
from tremplin.accounts.models import Membership, Role
from tremplin.geo.models import Epci, Region
from tremplin.potentials.mapping import NO_VALUE_COLOUR, PALETTE, class_bounds, map_payload
from tremplin.potentials.models import PotentialRelease
from tremplin.potentials.services import load_release

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"  # Django's French thousands separator


@pytest.fixture
def release():
    return load_release(
        "potentials.csv",
        nf.csv_bytes(nf.rows()),
        by=None,
        family_name="potentials_by_family.csv",
        family_content=nf.csv_bytes(nf.family_rows()),
    )


@pytest.fixture
def programme(client):
    client.force_login(factories.programme_team_member())
    return client


def _order(client, **params):
    html = client.get(reverse("programme_potentials"), params).content.decode()
    return re.findall(r'<tr data-epci="(\d{9})">', html)


def _english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_the_table_lists_the_highest_score_first_and_sorts_by_any_figure(programme, release):
    assert _order(programme) == [nf.LE_HAVRE, nf.CAUX_SEINE, nf.CAEN, nf.DREUX, nf.ALENCON]
    # Leads per 100 establishments: 2.5, 4.0, 7.5, 10.0; Alençon has no establishment, last both ways.
    assert _order(programme, sort="leads_per_100") == [
        nf.DREUX,
        nf.LE_HAVRE,
        nf.CAUX_SEINE,
        nf.CAEN,
        nf.ALENCON,
    ]
    assert _order(programme, sort="-leads_per_100") == [
        nf.CAEN,
        nf.CAUX_SEINE,
        nf.LE_HAVRE,
        nf.DREUX,
        nf.ALENCON,
    ]
    assert _order(programme, sort="establishments") == [
        nf.ALENCON,
        nf.DREUX,
        nf.CAUX_SEINE,
        nf.CAEN,
        nf.LE_HAVRE,
    ]
    assert _order(programme, sort="-co2e_t_per_year") == [
        nf.LE_HAVRE,
        nf.CAUX_SEINE,
        nf.CAEN,
        nf.DREUX,
        nf.ALENCON,
    ]
    assert _order(programme, sort="nonsense") == _order(programme)


def test_the_sort_links_reverse_the_current_order(programme, release):
    html = programme.get(reverse("programme_potentials"), {"sort": "leads_per_100"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "sort=-leads_per_100" in html
    assert "sort=-gain_eur_per_year" in html  # a figure not sorted yet: high to low first


def test_filters_by_region_departement_and_name(programme, release):
    assert _order(programme, region="28") == [nf.LE_HAVRE, nf.CAUX_SEINE, nf.CAEN, nf.ALENCON]
    assert _order(programme, region="24") == [nf.DREUX]
    assert _order(programme, departement="76") == [nf.LE_HAVRE, nf.CAUX_SEINE]
    assert _order(programme, q="caen") == [nf.CAEN]
    assert _order(programme, q=nf.DREUX) == [nf.DREUX]
    html = programme.get(reverse("programme_potentials"), {"departement": "76"}).content.decode()
    assert 'data-count="2"' in html and "2 EPCI" in html


def test_a_member_bound_to_a_region_opens_it_and_may_see_all_of_france(client, release):
    person = factories.user()
    Membership.objects.create(user=person, role=Role.PROGRAMME_TEAM, region=Region.objects.get(code="28"))
    client.force_login(person)
    assert _order(client) == [nf.LE_HAVRE, nf.CAUX_SEINE, nf.CAEN, nf.ALENCON]
    assert _order(client, region="") == [nf.LE_HAVRE, nf.CAUX_SEINE, nf.CAEN, nf.DREUX, nf.ALENCON]


def test_the_table_pages_by_fifty(programme, release, monkeypatch):
    monkeypatch.setattr("tremplin.www.programme.views.potentials.PAGE_SIZE", 2)
    assert _order(programme, page=2) == [nf.CAEN, nf.DREUX]
    html = programme.get(reverse("programme_potentials"), {"page": 2, "region": "28"}).content.decode()
    # Four EPCIs of Normandy: page 2 is the last; its links keep the filter.
    assert "region=28&amp;departement=&amp;q=&amp;sort=-score&amp;page=1" in html and 'rel="next"' not in html


def test_each_figure_says_its_source_basis_and_date(programme, release):
    html = programme.get(reverse("programme_potentials")).content.decode()
    assert "Les chiffres de chaque EPCI portent la phrase du calcul" in html
    assert f"<span data-row-source>{escape(nf.source_of(nf.CAEN))}</span>" in html
    assert "Base : Estimé, à partir du profil sectoriel des établissements SIRENE" in html
    assert "base de connaissances kb-2026.11" in html
    assert "Chargé en ligne de commande le" in html
    assert f'<td class="text-end" data-figure="gain_eur_per_year">900{NNBSP}000</td>' in html
    assert '<td class="text-end" data-figure="leads_per_100">7,5</td>' in html
    _english(programme)
    html = programme.get(reverse("programme_potentials")).content.decode()
    assert "Basis: Estimated, from the sector profile of the SIRENE establishments" in html
    assert '<td class="text-end" data-figure="gain_eur_per_year">900,000</td>' in html


def test_an_epci_without_a_boundary_stays_in_the_table_and_off_the_map(programme, release):
    Epci.objects.filter(siren=nf.CAEN).update(boundary_geojson="")
    html = programme.get(reverse("programme_potentials")).content.decode()
    assert nf.CAEN in _order(programme)
    assert html.count("data-no-geometry") == 1
    data = programme.get(reverse("programme_potential_map")).json()
    assert data["rows"] == 5 and data["without_geometry"] == 1
    assert nf.CAEN not in {f["properties"]["siren"] for f in data["features"]}


def test_the_map_colours_each_epci_by_its_class(programme, release):
    response = programme.get(reverse("programme_potential_map"))
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection" and data["figure"]["code"] == "leads_per_100"
    # Four distinct values (2.5, 4, 7.5, 10): one class each, colours spread over the five of the palette.
    assert [(e["max"], e["colour"], e["label"]) for e in data["legend"]] == [
        (2.5, PALETTE[0], "2,5"),
        (4.0, PALETTE[1], "4,0"),
        (7.5, PALETTE[3], "7,5"),
        (10.0, PALETTE[4], "10,0"),
        (None, NO_VALUE_COLOUR, "sans valeur"),
    ]
    features = {f["properties"]["siren"]: f for f in data["features"]}
    assert features[nf.CAUX_SEINE]["properties"] == {
        "siren": nf.CAUX_SEINE,
        "name": "Caux Seine Agglo",
        "value": 7.5,
        "display": "7,5 pistes pour 100 établissements",
        "class": 2,
        "colour": PALETTE[3],
    }
    assert features[nf.ALENCON]["properties"]["class"] is None
    assert features[nf.ALENCON]["properties"]["colour"] == NO_VALUE_COLOUR
    assert features[nf.LE_HAVRE]["geometry"] == Epci.objects.get(siren=nf.LE_HAVRE).boundary


def test_the_map_follows_the_figure_and_filters_in_english(programme, release):
    _english(programme)
    data = programme.get(
        reverse("programme_potential_map"), {"figure": "gain_eur_per_year", "region": "28"}
    ).json()
    assert {f["properties"]["siren"] for f in data["features"]} == {
        nf.CAUX_SEINE,
        nf.LE_HAVRE,
        nf.CAEN,
        nf.ALENCON,
    }
    assert [e["label"] for e in data["legend"]] == ["0", "120,000", "250,000", "900,000"]
    by_siren = {f["properties"]["siren"]: f["properties"] for f in data["features"]}
    assert by_siren[nf.LE_HAVRE]["display"] == "900,000 €/year"
    assert by_siren[nf.LE_HAVRE]["class"] == 3


def test_quantile_classes_worked_out_by_hand():
    # Six values, five classes: upper bounds at ranks ceil(6k/5): 2, 3, 4, 5, 6 → 2, 5, 10, 20, 40.
    assert class_bounds([40, 0, 2, 5, 10, 20, None]) == [2, 5, 10, 20, 40]
    rows = [
        SimpleNamespace(
            leads_per_100=value,
            name=f"EPCI {value}",
            epci=SimpleNamespace(
                siren=f"20000000{i}", boundary_geojson='{"type": "Point", "coordinates": [0, 49]}'
            ),
        )
        for i, value in enumerate([0, 2, 5, 10, 20, 40])
    ]
    data = map_payload(rows, "leads_per_100")
    assert [e["label"] for e in data["legend"]] == [
        "0,0 à 2,0",
        "plus de 2,0, jusqu'à 5,0",
        "plus de 5,0, jusqu'à 10,0",
        "plus de 10,0, jusqu'à 20,0",
        "plus de 20,0, jusqu'à 40,0",
    ]
    assert [f["properties"]["class"] for f in data["features"]] == [0, 0, 1, 2, 3, 4]


def test_the_newest_release_is_the_default_and_older_ones_stay_selectable(programme, release):
    newer = load_release(
        "potentials.csv",
        nf.csv_bytes(
            nf.rows(computed_at="2026-11-27T09:00:00Z", **{nf.LE_HAVRE: {"gain_eur_per_year": 123456}})
        ),
        by=None,
    )
    html = programme.get(reverse("programme_potentials")).content.decode()
    assert f"123{NNBSP}456" in html
    assert f'<option value="{newer.pk}" selected>' in html
    html = programme.get(reverse("programme_potentials"), {"release": release.pk}).content.decode()
    assert f"900{NNBSP}000" in html and f"123{NNBSP}456" not in html
    assert programme.get(reverse("programme_potentials"), {"release": 999999}).status_code == 404


def test_the_csv_export_is_the_view_with_its_source(programme, release):
    response = programme.get(
        reverse("programme_potential_export_csv"), {"region": "28", "sort": "establishments"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="tremplin-potentiel-20261120.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["SIREN", "EPCI", "Département"] and rows[0][-4:] == [
        "Base",
        "Source",
        "Calculé le (UTC)",
        "Base de connaissances",
    ]
    assert [row[0] for row in rows[1:]] == [nf.ALENCON, nf.CAUX_SEINE, nf.CAEN, nf.LE_HAVRE]
    assert rows[2] == [
        nf.CAUX_SEINE, "Caux Seine Agglo", "76", "28", "400", "12000.5", "30", "20", "10", "7.5",
        "5000.0", "1200.0", "250000.0", "250.0", "estimé", nf.source_of(nf.CAUX_SEINE), "2026-11-20 10:30",
        "kb-2026.11",
    ]  # fmt: skip
    assert rows[1][9] == ""  # Alençon: no establishment, no leads per 100


def test_the_xlsx_export_adds_families_and_the_source(programme, release):
    response = programme.get(reverse("programme_potential_export_xlsx"), {"departement": "76"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Potentiel", "Par famille", "Source"]
    sirens = [row[0] for row in book["Potentiel"].iter_rows(min_row=2, values_only=True)]
    assert sirens == [nf.LE_HAVRE, nf.CAUX_SEINE]
    families = [row[:3] for row in book["Par famille"].iter_rows(min_row=2, values_only=True)]
    assert families == [
        (nf.CAUX_SEINE, "Caux Seine Agglo", "bois"),
        (nf.CAUX_SEINE, "Caux Seine Agglo", "chaleur"),
        (nf.LE_HAVRE, "Le Havre Seine Métropole", "vapeur"),
    ]
    source = dict(row for row in book["Source"].iter_rows(min_row=2, values_only=True))
    assert source["Source"].startswith("la phrase de chaque ligne") and source[
        "Base des chiffres"
    ].startswith("estimé, à partir du profil")


def test_loading_through_the_page(programme):
    upload = SimpleUploadedFile("potentials.parquet", nf.parquet_bytes(nf.rows()))
    response = programme.post(reverse("programme_potential_load"), {"file": upload})
    release = PotentialRelease.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("programme_potentials") + f"?release={release.pk}"
    assert release.loaded_by is not None and release.file_name == "potentials.parquet"


def test_a_refused_file_lists_its_errors_and_writes_nothing(programme):
    records = nf.rows()
    records[1]["tonnes_per_year"] = "beaucoup"
    upload = SimpleUploadedFile("potentials.csv", nf.csv_bytes(records))
    html = programme.post(reverse("programme_potential_load"), {"file": upload}).content.decode()
    assert 'data-rejected="1"' in html
    assert "Le fichier est refusé : 1 erreur, rien n&#x27;a été écrit." in html or (
        "Le fichier est refusé : 1 erreur, rien n'a été écrit." in html
    )
    assert "potentials.csv, ligne 3, tonnes_per_year : « beaucoup » n&#x27;est pas un nombre" in html
    assert not PotentialRelease.objects.exists()
    _english(programme)
    upload = SimpleUploadedFile("potentials.csv", nf.csv_bytes(records))
    html = programme.post(reverse("programme_potential_load"), {"file": upload}).content.decode()
    assert "potentials.csv, line 3, tonnes_per_year: “beaucoup” is not a number" in html


def test_without_a_release_the_page_says_how_to_make_one(programme):
    html = programme.get(reverse("programme_potentials")).content.decode()
    assert "data-no-release" in html and "tremplin load-potential" in html
    assert programme.get(reverse("programme_potential_map")).status_code == 404


def test_map_configuration_is_passed_as_json_without_inline_script(programme, release):
    html = programme.get(reverse("programme_potentials"), {"figure": "co2e_t_per_year"}).content.decode()
    config = json.loads(
        re.search(r'<script id="potential-map-config" type="application/json">(.*?)</script>', html).group(1)
    )
    assert config["data"].startswith(reverse("programme_potential_map") + "?")
    assert "figure=co2e_t_per_year" in config["data"]
    assert "<script>" not in html
