"""The reference edition (Normandy 2019) as the first edition template: offsets computed from its launch
date, its dates and places kept in the template's own notes."""

from django.db import migrations


def seed(apps, schema_editor):
    from tremplin.coaching.reference import seed_reference_template

    seed_reference_template(
        apps.get_model("coaching", "EditionTemplate"),
        apps.get_model("coaching", "TemplateEvent"),
        apps.get_model("coaching", "TemplateDeliverable"),
    )


class Migration(migrations.Migration):
    dependencies = [("coaching", "0003_template_edition_templates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
