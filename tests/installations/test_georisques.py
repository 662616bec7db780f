"""The Géorisques JSON read in each layout it comes in; bad input named by installation, rubrique, field."""

from tests.installations.samples import dumps, installation, response, rubrique
from tremplin.installations.georisques import parse_installations


def test_one_response_gives_its_installations_and_rubriques():
    parsed = parse_installations(
        dumps(response(installation(rubriques=[rubrique(), rubrique("2716", "1", "Enregistrement")])))
    )
    assert parsed.errors == []
    (item,) = parsed.installations
    assert (item.aiot_code, item.name, item.commune_insee, item.latitude) == (
        "0005801234",
        "VALO CAUX",
        "76351",
        49.52,
    )
    assert item.address == "12 rue du Port"
    assert [(r.code, r.alinea, r.regime, r.quantity, r.unit) for r in item.rubriques] == [
        ("2791", "1", "A", "120.000", "t/j"),
        ("2716", "1", "E", "120.000", "t/j"),
    ]


def test_a_list_of_responses_and_responses_by_commune_are_read_and_repeats_kept_once():
    a, b = installation("0005800001"), installation("0005800002", insee="76254")
    pages = [response(a, page=1, total_pages=2), response(a, b, page=2, total_pages=2)]
    parsed = parse_installations(dumps(pages))
    assert [i.aiot_code for i in parsed.installations] == ["0005800001", "0005800002"]
    assert (parsed.responses, parsed.duplicates) == (2, 1)
    by_commune = parse_installations(dumps({"76351": response(a), "76254": response(b)}))
    assert len(by_commune.installations) == 2 and by_commune.responses == 2


def test_a_rubrique_number_with_its_alinea_is_split():
    parsed = parse_installations(dumps(response(installation(rubriques=[rubrique("2760-2-a", alinea=None)]))))
    assert (parsed.installations[0].rubriques[0].code, parsed.installations[0].rubriques[0].alinea) == (
        "2760",
        "2-a",
    )


def test_bad_input_names_the_installation_the_rubrique_and_the_field():
    bad = [
        installation("0005800001", siret="123"),
        installation("0005800002", rubriques=[rubrique(), {"numeroRubrique": "deux"}]),
        installation("", name=""),
        installation("0005800004", latitude=123.0),
    ]
    errors = [str(e) for e in parse_installations(dumps(response(*bad))).errors]
    assert any(e.startswith("installation 1 (AIOT 0005800001), siret") for e in errors)
    assert (
        "installation 2 (AIOT 0005800002), rubrique 2, numeroRubrique : "
        "'deux' n'est pas un numéro de rubrique (4 chiffres)" in errors
    )
    assert "installation 3, codeAIOT : manquant" in errors
    assert "installation 3, raisonSociale : manquant" in errors
    assert any(e.startswith("installation 4 (AIOT 0005800004), latitude") for e in errors)


def test_a_file_that_is_no_georisques_response_is_refused():
    assert parse_installations(b"{not json").errors[0].field == "JSON"
    refused = parse_installations(dumps({"type": "FeatureCollection", "features": []}))
    assert refused.errors[0].field == "structure"
    assert parse_installations(dumps({"data": {"codeAIOT": "1"}})).errors[0].field == "structure"
