"""Give the roles (Django groups) their capabilities on reports.

Literal data, no app imports.
"""

from django.db import migrations

APP_LABEL = "reports"
STAFF = [
    "view_report",
    "add_report",
    "process_report",
    "assign_report",
    "export_reports",
    "view_report_figures",
    "view_notification",
    "add_reportcomment",
    "view_category",
]
GRANTS = {
    "lab_coordinator": STAFF
    + [
        "add_category",
        "change_category",
        "view_reportpolicy",
        "change_reportpolicy",
        "change_notification",
    ],
    "lab_operator": STAFF,
    "housing_staff": ["view_report", "process_report", "add_reportcomment", "export_reports"],
    "region_official": ["view_report_figures", "view_category"],
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
        ("reports", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=revoke)]
