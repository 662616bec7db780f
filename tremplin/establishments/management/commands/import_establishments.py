from tremplin.establishments.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import establishments from the platform's template (CSV or XLSX); all rows or none."
    kind = "template"
