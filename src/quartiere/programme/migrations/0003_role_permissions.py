"""Give the roles (Django groups) their capabilities on the regeneration programme.

Literal data, no app imports.
"""

from django.db import migrations

APP_LABEL = "programme"
READ = [
    "view_programme",
    "view_actionline",
    "view_action",
    "view_milestone",
    "view_allocation",
    "view_allocationpayment",
    "view_fundingsource",
    "view_newsitem",
    "view_document",
    "view_actionphoto",
]
EDIT = READ + [
    "add_action",
    "change_action",
    "delete_action",
    "add_actionphoto",
    "change_actionphoto",
    "delete_actionphoto",
    "add_milestone",
    "change_milestone",
    "delete_milestone",
    "add_allocation",
    "change_allocation",
    "delete_allocation",
    "add_allocationpayment",
    "change_allocationpayment",
    "delete_allocationpayment",
    "add_newsitem",
    "change_newsitem",
    "delete_newsitem",
    "publish_newsitem",
    "add_document",
    "change_document",
    "delete_document",
    "import_programme_data",
]
GRANTS = {
    "lab_coordinator": EDIT
    + [
        "change_programme",
        "add_actionline",
        "change_actionline",
        "add_fundingsource",
        "change_fundingsource",
    ],
    "lab_operator": EDIT,
    "region_official": READ,
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
        ("programme", "0002_default_funding_sources"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=revoke)]
