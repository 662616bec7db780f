"""``tremplin seed-demo``: the demonstration territories, establishments and users."""

import re
import time

from django.core.management.base import BaseCommand, CommandError

from tremplin.accounts.models import Role, TerritoryFunction
from tremplin.demo.services import (
    DEFAULT_SEED,
    REFERENCE_SIRENS,
    MissingGeography,
    seed_demo,
    seed_reference_edition,
)

# Command output is French, like the rest of the platform's command line.
ROLE_LABELS = {
    Role.PROGRAMME_TEAM: "Équipe programme",
    Role.COMMITTEE_MEMBER: "Membre du comité",
    Role.TERRITORY_TEAM: "Équipe territoire",
    Role.COMPANY_CONTACT: "Contact entreprise",
}
FUNCTION_LABELS = {
    TerritoryFunction.ELECTED_OFFICIAL: "élu référent",
    TerritoryFunction.OFFICER: "technicien EIT",
}


def _role_text(login) -> str:
    role = ROLE_LABELS.get(login.role, login.role)
    if login.function in FUNCTION_LABELS:
        role = f"{role} ({FUNCTION_LABELS[login.function]})"
    return f"{role} — {login.scope or login.organisation}"


class Command(BaseCommand):
    help = (
        "Génère des données de démonstration reproductibles : territoires, établissements fictifs "
        "(marqués « démonstration ») et un compte par rôle. Nécessite la géographie (tremplin load-geo)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--territory",
            action="append",
            dest="sirens",
            metavar="SIREN",
            help="SIREN de l'EPCI à peupler (répétable). Par défaut : Caux Seine Agglo (200010700) "
            "et Le Havre Seine Métropole (200084952).",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"graine du générateur (défaut : {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--no-users", action="store_true", help="ne pas créer les comptes de démonstration"
        )
        parser.add_argument(
            "--no-programme",
            action="store_true",
            help="ne pas charger l'édition de référence (appel Normandie 2019 et calendrier)",
        )

    def handle(self, *args, sirens, seed, no_users, no_programme, **options):
        sirens = sirens or list(REFERENCE_SIRENS)
        for siren in sirens:
            if not re.fullmatch(r"\d{9}", siren):
                raise CommandError(f"« {siren} » n'est pas un SIREN (9 chiffres).")
        started = time.perf_counter()
        try:
            report = seed_demo(sirens, seed=seed, with_users=not no_users, log=self.stdout.write)
        except MissingGeography as error:
            raise CommandError(
                f"EPCI introuvable ({', '.join(error.sirens)}) : chargez d'abord la géographie, "
                "par exemple « tremplin load-geo --region 28 » pour la Normandie."
            ) from None

        if not no_programme:
            edition = seed_reference_edition(seed=seed)
            self.stdout.write(
                f"Édition de référence : {edition.call.title} — {len(edition.applications)} candidatures "
                f"de démonstration, {len(edition.events)} événements au calendrier."
            )

        self.stdout.write("")
        self.stdout.write(f"Établissements de démonstration (graine {report.seed}) :")
        for seeded in report.territories:
            epci = seeded.territory.epci
            self.stdout.write(f"  {epci.name} ({epci.siren}) : {seeded.establishment_count} établissements")
        if report.logins:
            self.stdout.write("")
            self.stdout.write("Comptes de démonstration (mot de passe réservé à la démonstration) :")
            rows = [("E-mail", "Mot de passe", "Rôle")]
            rows += [(login.email, login.password, _role_text(login)) for login in report.logins]
            widths = [max(len(row[i]) for row in rows) for i in range(2)]
            for email, password, role in rows:
                self.stdout.write(f"  {email:<{widths[0]}}  {password:<{widths[1]}}  {role}")
        elapsed = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(f"Terminé en {elapsed} s."))
