"""``tremplin load-potential DIR-or-FILE``: load the result of ``tremplin potential`` (all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tremplin.accounts.models import User
from tremplin.potentials.reading import PotentialFileRejected
from tremplin.potentials.services import load_release
from tremplin.programme.exceptions import ProgrammeError

MAIN_NAMES = ("potentials.parquet", "potentials.csv")
FAMILY_NAMES = ("potentials_by_family.parquet", "potentials_by_family.csv")


def _first(directory: Path, names) -> Path | None:
    return next((directory / name for name in names if (directory / name).is_file()), None)


class Command(BaseCommand):
    help = (
        "Load the potentials of EPCIs computed by `tremplin potential`: its --out directory "
        "(potentials.parquet or potentials.csv, and potentials_by_family when present) or one file; "
        "every row checked, nothing written unless all are valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, metavar="DIR-or-FILE")
        parser.add_argument(
            "--families",
            type=Path,
            metavar="FILE",
            help="figures by family (potentials_by_family.csv or .parquet), with a FILE argument",
        )
        parser.add_argument(
            "--skip-unknown-epcis",
            action="store_true",
            help="leave aside the rows of EPCIs the platform's geography does not hold (a national file "
            "on a platform loaded with one region) instead of refusing the file",
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="the programme team member the journal names (default: the platform's operator)",
        )

    def handle(self, *args, path, families=None, by=None, skip_unknown_epcis=False, **options):
        if path.is_dir():
            main = _first(path, MAIN_NAMES)
            if main is None:
                raise CommandError(f"neither potentials.parquet nor potentials.csv in {path}")
            families = families or _first(path, FAMILY_NAMES)
        elif path.is_file():
            main = path
        else:
            raise CommandError(f"no such file or directory: {path}")
        if families is not None and not families.is_file():
            raise CommandError(f"no such file: {families}")
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active account with the address {by}")
        try:
            release = load_release(
                main.name,
                main.read_bytes(),
                by=actor,
                family_name=families.name if families else "",
                family_content=families.read_bytes() if families else None,
                skip_unknown=skip_unknown_epcis,
            )
        except PotentialFileRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            if rejected.omitted:
                self.stderr.write(f"… {rejected.omitted} more error(s) not listed")
            raise CommandError(
                f"{main.name} refused: {rejected.total} error(s), nothing was written"
            ) from None
        except ProgrammeError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            f"release {release.pk}: {release.epci_count} EPCIs, "
            f"{release.rows.filter(families__isnull=False).distinct().count()} with figures by family, "
            f"computed at {release.computed_at.isoformat()} (knowledge base {release.kb_version})"
            + (
                f"; {release.skipped_epcis} EPCIs outside the geography left aside"
                if release.skipped_epcis
                else ""
            )
        )
