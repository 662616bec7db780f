"""An application declares several transition strategies: the single type and name become a list."""

from django.db import migrations, models

ORDER = ["citergie", "enr100", "codec", "cotec", "td2030", "other", "none"]


def to_list(apps, schema_editor):
    Application = apps.get_model("programme", "Application")
    for application in Application.objects.exclude(strategy_type=""):
        if application.strategy_type in ORDER:
            application.strategies = [
                {"type": application.strategy_type, "name": application.strategy_name.strip()}
            ]
            application.save(update_fields=["strategies"])


def to_single(apps, schema_editor):
    Application = apps.get_model("programme", "Application")
    for application in Application.objects.all():
        items = sorted(application.strategies or [], key=lambda item: ORDER.index(item["type"]))
        if items:
            application.strategy_type = items[0]["type"]
            application.strategy_name = items[0]["name"][:200]
            application.save(update_fields=["strategy_type", "strategy_name"])


class Migration(migrations.Migration):
    dependencies = [("programme", "0002_applications_and_scores")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="strategies",
            field=models.JSONField(blank=True, default=list, verbose_name="transition strategies"),
        ),
        migrations.RunPython(to_list, to_single),
        migrations.RemoveField(model_name="application", name="strategy_name"),
        migrations.RemoveField(model_name="application", name="strategy_type"),
    ]
