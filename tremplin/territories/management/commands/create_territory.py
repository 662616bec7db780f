from django.core.management.base import BaseCommand, CommandError

from tremplin.territories.services import UnknownEpci, create_territory, epci_of


class Command(BaseCommand):
    help = (
        "Open the workspace of an EPCI for a démarche outside any programme (an EPCI, or a consultancy "
        "working for one); nobody is on its team until an invitation. Does nothing when it exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--epci", required=True, metavar="SIREN", help="SIREN of the EPCI (9 digits)")
        parser.add_argument("--name", default="", help="name of the démarche, when not the EPCI's own")

    def handle(self, *args, epci, name, **options):
        try:
            found = epci_of(epci)
        except UnknownEpci as error:
            raise CommandError(str(error.message)) from None
        opened = create_territory(found, by=None, label=name)
        territory = opened.territory
        if opened.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Espace de travail créé : {territory} (SIREN {found.siren}), "
                    f"territoire n° {territory.pk}"
                    + (f", « {territory.label} »" if territory.label else "")
                    + ". Personne n'est encore dans son équipe : invitez-la depuis la plateforme."
                )
            )
        else:
            self.stdout.write(
                f"L'espace de travail de {territory} (SIREN {found.siren}) existe déjà : territoire "
                f"n° {territory.pk}, rien n'a été modifié."
            )
