"""Participations selected before their coaching rows were created at selection: give each its
deliverables and, when it has none, its two support days (pages used to create them when first shown)."""

from django.db import migrations

KINDS = (
    "w1_diagnosis",
    "w2_perimeter",
    "w2_objectives",
    "w2_governance",
    "w3_mobilisation",
    "w4_economic_model",
    "w4_communication",
)
ON_SITE_PLACE = "Locaux du bureau d'études animateur"
ON_SITE_TOPICS = "Finalisation de la stratégie EIT\nValidation de l'organisation interne, gouvernance"


def open_participations(apps, schema_editor):
    Participation = apps.get_model("programme", "Participation")
    Deliverable = apps.get_model("coaching", "Deliverable")
    SupportDay = apps.get_model("coaching", "SupportDay")
    for participation in Participation.objects.all():
        existing = set(Deliverable.objects.filter(participation=participation).values_list("kind", flat=True))
        Deliverable.objects.bulk_create(
            [Deliverable(participation=participation, kind=kind) for kind in KINDS if kind not in existing]
        )
        if not SupportDay.objects.filter(participation=participation).exists():
            SupportDay.objects.create(
                participation=participation, on_site=True, place=ON_SITE_PLACE, topics=ON_SITE_TOPICS
            )
            SupportDay.objects.create(participation=participation, on_site=False)


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial"), ("programme", "0002_applications_and_scores")]

    operations = [migrations.RunPython(open_participations, migrations.RunPython.noop)]
