"""``tremplin import-heat-networks FILE.geojson --territory <id or SIREN>`` (France Chaleur Urbaine)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tremplin.heatnetworks.services import DEFAULT_MARGIN_KM, HeatNetworkImportError, import_heat_networks
from tremplin.territories.commands import add_territory_argument, territory_of


class Command(BaseCommand):
    help = (
        "Import the heat networks that cross a territory (or pass within a margin of it) from France Chaleur "
        "Urbaine's GeoJSON layer; all networks or none."
    )

    def add_arguments(self, parser):
        add_territory_argument(parser)
        parser.add_argument(
            "--margin-km", type=float, default=DEFAULT_MARGIN_KM, help="distance around the territory (km)"
        )
        parser.add_argument(
            "--date", type=date.fromisoformat, help="date of the data (YYYY-MM-DD; default today)"
        )
        parser.add_argument("file", type=Path, metavar="FILE.geojson")

    def handle(self, *args, territory, file, margin_km, date=None, **options):
        workspace = territory_of(territory)
        if not file.is_file():
            raise CommandError(f"fichier introuvable : {file}")
        try:
            summary = import_heat_networks(
                workspace,
                file.read_bytes(),
                by=None,
                filename=file.name,
                source_date=date,
                margin_km=margin_km,
            )
        except HeatNetworkImportError as refused:
            raise CommandError("fichier refusé, rien n'est importé :\n" + "\n".join(refused.errors)) from None
        self.stdout.write(
            f"{workspace.name} : {summary.created} réseau(x) créé(s), {summary.updated} mis à jour, "
            f"{summary.outside} hors du territoire et de sa marge de {margin_km:g} km."
        )
