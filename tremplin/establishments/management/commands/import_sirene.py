from tremplin.establishments.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the active establishments of a territory's communes from a SIRENE establishment file "
        "(INSEE CSV layout); all rows or none."
    )
    kind = "sirene"
