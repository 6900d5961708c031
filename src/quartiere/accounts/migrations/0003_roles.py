"""Give the roles (Django groups) their capabilities on this context's models.

Literal data, no app imports: the roles exist as groups from the first migration that needs them.
"""

from django.db import migrations

APP_LABEL = "accounts"
GRANTS = {
    "region_official": ["view_lab", "view_organisation"],
    "lab_coordinator": ["view_lab", "view_organisation"],
    "lab_operator": ["view_lab", "view_organisation"],
    "training_operator": ["view_lab", "view_organisation"],
    "housing_staff": ["view_lab", "view_organisation"],
    "evaluator": ["view_lab", "view_organisation"],
    "resident": [],
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
        ("accounts", "0002_lab_district"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=migrations.RunPython.noop)]
