"""What the command-line imports share: the territory named by ``--territory`` (its id or its EPCI's
SIREN) and the option that names it."""

from django.core.management.base import CommandError

from tremplin.territories.models import Territory


def add_territory_argument(parser) -> None:
    parser.add_argument("--territory", required=True, metavar="ID|SIREN", help="territory id or EPCI SIREN")


def territory_of(value: str) -> Territory:
    """The territory whose id is ``value``, or whose EPCI has the SIREN ``value`` (9 digits)."""
    lookup = {"epci__siren": value} if len(value) == 9 and value.isdigit() else {"pk": value}
    try:
        return Territory.objects.select_related("epci").get(**lookup)
    except (Territory.DoesNotExist, ValueError):
        raise CommandError(f"aucun territoire {value!r} (identifiant ou SIREN de l'EPCI)") from None
