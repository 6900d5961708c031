"""Give lab coordinators the capability to export lists of residents."""

from django.db import migrations

GRANTS = {"lab_coordinator": ["export_residents"]}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("people")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="people", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0004_export_residents_permission")]

    operations = [migrations.RunPython(grant, reverse_code=migrations.RunPython.noop)]
