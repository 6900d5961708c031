"""Give the roles (Django groups) their capabilities on training.

Literal data, no app imports. The register validation capability goes to lab coordinators
here; an accredited operator's responsible gets it per user (admin or seeds).
"""

from django.db import migrations

APP_LABEL = "training"
VIEW = [
    "view_measure",
    "view_allowancerule",
    "view_accreditedoperator",
    "view_trainingpath",
    "view_trainingsession",
    "view_enrolment",
    "view_eligibilitycheck",
    "view_attendanceregister",
    "view_attendancerecord",
]
ENROL = ["add_eligibilitycheck", "add_enrolment", "change_enrolment"]
GRANTS = {
    "lab_coordinator": VIEW
    + ENROL
    + [
        "add_measure",
        "change_measure",
        "add_allowancerule",
        "change_allowancerule",
        "add_accreditedoperator",
        "change_accreditedoperator",
        "add_trainingpath",
        "change_trainingpath",
        "add_trainingsession",
        "change_trainingsession",
        "delete_trainingsession",
        "validate_register",
        "correct_attendance",
        "export_enrolments",
        "view_training_budget",
    ],
    "lab_operator": VIEW + ENROL,
    "training_operator": [
        "view_trainingpath",
        "view_trainingsession",
        "view_attendanceregister",
        "view_attendancerecord",
        "enter_register",
    ],
    "resident": ["view_own_training"],
    "region_official": [
        "view_measure",
        "view_allowancerule",
        "view_trainingpath",
        "view_training_budget",
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
        ("training", "0001_paths"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=revoke)]
