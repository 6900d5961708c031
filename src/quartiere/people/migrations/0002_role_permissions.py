"""Give the roles (Django groups) their capabilities on this context's models.

Literal data, no app imports: the roles exist as groups from the first migration that needs them.
"""

from django.db import migrations

APP_LABEL = "people"
GRANTS = {
    "lab_coordinator": [
        "view_resident",
        "add_resident",
        "change_resident",
        "view_household",
        "add_household",
        "change_household",
        "view_tenancy",
        "add_tenancy",
        "change_tenancy",
        "view_consent",
        "add_consent",
        "change_consent",
        "view_sensitive_profile",
        "change_sensitive_profile",
        "import_residents",
    ],
    "lab_operator": [
        "view_resident",
        "add_resident",
        "change_resident",
        "view_household",
        "add_household",
        "change_household",
        "view_tenancy",
        "add_tenancy",
        "change_tenancy",
        "view_consent",
        "add_consent",
        "change_consent",
    ],
    "housing_staff": ["view_resident", "view_household", "view_tenancy"],
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
        ("people", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=migrations.RunPython.noop)]
