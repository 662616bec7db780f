import pytest

from tremplin.cli import main
from tremplin.geo.models import Commune, Epci


def test_help_lists_the_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("detect", "catalogue", "load-geo", "seed-demo"):
        assert command in out


@pytest.mark.django_db
def test_load_geo_prints_what_it_loaded(capsys):
    assert main(["load-geo", "--region", "28"]) == 0
    out = capsys.readouterr().out
    epcis = Epci.objects.count()
    communes = Commune.objects.count()
    assert f"{epcis} EPCI et {communes} communes" in out


@pytest.mark.django_db
def test_load_geo_refuses_an_unknown_region(capsys):
    assert main(["load-geo", "--region", "99"]) != 0
    assert "99" in capsys.readouterr().err
