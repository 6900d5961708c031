"""Give the roles (Django groups) their capabilities on this context's models.

Literal data, no app imports: the roles exist as groups from the first migration that needs them.
"""

from django.db import migrations

APP_LABEL = "territory"
GRANTS = {
    "region_official": ["view_district", "view_building", "view_entrance", "view_unit"],
    "lab_coordinator": [
        "view_district",
        "view_building",
        "view_entrance",
        "view_unit",
        "add_building",
        "change_building",
        "add_entrance",
        "change_entrance",
        "add_unit",
        "change_unit",
        "import_units",
    ],
    "lab_operator": ["view_district", "view_building", "view_entrance", "view_unit"],
    "housing_staff": [
        "view_district",
        "view_building",
        "view_entrance",
        "view_unit",
        "change_building",
        "change_unit",
    ],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(APP_LABEL)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label=APP_LABEL, codename__in=codenames)
        group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("territory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=migrations.RunPython.noop)]
