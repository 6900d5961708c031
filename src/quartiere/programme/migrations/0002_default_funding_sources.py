"""Default funding sources of the regeneration programmes (editable rows afterwards).

Literal data, no app imports.
"""

from django.db import migrations

SOURCES = [
    # code, name (it), name (en), kind, order
    ("POR FESR", "POR FESR Lombardia 2014-2020", "ERDF regional programme 2014-2020", "eu", 1),
    ("POR FSE", "POR FSE Lombardia 2014-2020", "ESF regional programme 2014-2020", "eu", 2),
    ("PON METRO", "PON Città Metropolitane 2014-2020", "National Metropolitan Cities programme 2014-2020", "eu", 3),
    ("Regione Lombardia", "Regione Lombardia (risorse proprie)", "Lombardy Region (own funds)", "regional", 4),
    ("Comune", "Comune (risorse proprie)", "Municipality (own funds)", "municipal", 5),
]


def add_sources(apps, schema_editor):
    FundingSource = apps.get_model("programme", "FundingSource")
    for code, name_it, name_en, kind, order in SOURCES:
        FundingSource.objects.get_or_create(
            code=code,
            defaults={"name_it": name_it, "name_en": name_en, "kind": kind, "order": order},
        )


def remove_sources(apps, schema_editor):
    FundingSource = apps.get_model("programme", "FundingSource")
    FundingSource.objects.filter(
        code__in=[s[0] for s in SOURCES], allocations__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]

    operations = [migrations.RunPython(add_sources, reverse_code=remove_sources)]
