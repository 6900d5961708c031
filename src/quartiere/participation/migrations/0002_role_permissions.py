"""Give the roles (Django groups) their capabilities on participatory processes.

Literal data, no app imports.
"""

from django.db import migrations

APP_LABEL = "participation"
OPERATOR = [
    "view_process",
    "view_proposal",
    "enter_proposal",
    "moderate_participation",
    "export_proposals",
    "view_participation_figures",
    "view_processworkshop",
    "add_processworkshop",
    "change_processworkshop",
]
GRANTS = {
    "lab_coordinator": OPERATOR
    + ["add_process", "change_process", "manage_process", "decide_proposal"],
    "lab_operator": OPERATOR,
    "region_official": ["view_process", "view_participation_figures"],
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


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=APP_LABEL, codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=revoke)]
