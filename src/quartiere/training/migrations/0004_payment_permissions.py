"""Give the roles their capabilities on payment batches.

Lab coordinators build, approve (never a batch they built themselves: the services refuse it),
export and record outcomes; region officials review and approve. Literal data, no app imports.
"""

from django.db import migrations

APP_LABEL = "training"
GRANTS = {
    "lab_coordinator": [
        "view_paymentbatch",
        "add_paymentbatch",
        "approve_paymentbatch",
        "export_paymentbatch",
        "view_paymentline",
        "view_paymentaccount",
        "add_paymentaccount",
        "change_paymentaccount",
    ],
    "region_official": [
        "view_paymentbatch",
        "approve_paymentbatch",
        "view_paymentline",
        "view_paymentaccount",
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
        ("training", "0003_payment_batches"),
        ("training", "0002_role_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=revoke)]
