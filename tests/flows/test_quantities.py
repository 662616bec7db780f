"""Quantities as stated, brought to the resource's catalogue unit per year (figures computed by hand from
the densities and energy contents of tremplin/engine/data/resources.yaml)."""

import re

import pytest
from django.utils import translation

from tremplin.flows.quantities import QuantityError, yearly_quantity


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_two_cubic_metres_of_used_oil_a_week_make_93_6_tonnes_a_year():
    # oil_mineral_used: unit t, density 0.9 t/m³ -> 2 m³ x 0.9 t/m³ x 52 weeks = 93.6 t
    assert yearly_quantity("oil_mineral_used", 2, "m3", "week") == pytest.approx(93.6)


def test_litres_of_whey_a_working_day():
    # bio_whey: density 1.03 t/m³ -> 500 L = 0.5 m³ = 0.515 t; x 250 working days = 128.75 t
    assert yearly_quantity("bio_whey", 500, "L", "day") == pytest.approx(128.75)


def test_kilograms_a_month_are_tonnes_a_year():
    # 2 500 kg = 2.5 t; x 12 months = 30 t
    assert yearly_quantity("wood_clean", 2500, "kg", "month") == pytest.approx(30.0)


def test_energy_of_wood_is_converted_to_mass_with_its_energy_content():
    # wood_clean: 3.5 MWh/t -> 7 MWh / 3.5 = 2 t
    assert yearly_quantity("wood_clean", 7, "MWh", "year") == pytest.approx(2.0)


def test_tonnes_of_steam_are_converted_to_megawatt_hours():
    # steam: unit MWh, 0.75 MWh/t -> 3 t x 0.75 = 2.25 MWh
    assert yearly_quantity("steam", 3, "t", "year") == pytest.approx(2.25)


def test_kilowatt_hours_of_electricity_a_month():
    # 1 500 kWh = 1.5 MWh; x 12 = 18 MWh
    assert yearly_quantity("electricity", 1500, "kWh", "month") == pytest.approx(18.0)


def test_a_one_off_quantity_counts_once():
    assert yearly_quantity("min_inert", 5, "t", "one_off") == pytest.approx(5.0)


def test_an_incompatible_unit_names_the_field_the_quantity_and_the_resource():
    # Steam has an energy content per tonne but no density: cubic metres cannot be converted.
    with pytest.raises(QuantityError) as error:
        yearly_quantity("steam", 1200, "m³", "year")
    assert error.value.field == "unit"
    assert re.search(r"^1\s200 m³ de vapeur : unité incompatible, MWh attendu", error.value.message)


def test_an_unknown_unit_is_refused():
    with pytest.raises(QuantityError) as error:
        yearly_quantity("oil_mineral_used", 3, "barils", "year")
    assert error.value.field == "unit"
    assert "unité inconnue" in error.value.message


def test_an_unknown_resource_is_refused():
    with pytest.raises(QuantityError) as error:
        yearly_quantity("unobtainium", 3, "t", "year")
    assert error.value.field == "resource"
