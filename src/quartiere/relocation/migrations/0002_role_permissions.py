"""Give the roles (Django groups) their capabilities on relocation plans.

Lab coordinators run the plan and edit its rules; operators follow the households (needs,
meeting notes, answers to offers); housing staff of the lab keep the pool, solve, make offers
and record moves. Literal data, no app imports.
"""

from django.db import migrations

APP_LABEL = "relocation"
READ = [
    "view_relocationplan",
    "view_relocationphase",
    "view_relocationneed",
    "view_poolunit",
    "view_arearule",
    "view_eligibilityrule",
    "view_planversion",
    "view_offer",
    "view_move",
    "export_relocation",
]
NEEDS = ["add_relocationneed", "change_relocationneed", "answer_offer"]
HOUSING = [
    "add_relocationphase",
    "change_relocationphase",
    "add_poolunit",
    "change_poolunit",
    "solve_relocationplan",
    "make_offer",
    "record_move",
]
GRANTS = {
    "lab_coordinator": READ
    + NEEDS
    + HOUSING
    + [
        "add_relocationplan",
        "change_relocationplan",
        "change_arearule",
        "change_eligibilityrule",
        "view_meeting_note",
    ],
    "lab_operator": READ + NEEDS + ["view_meeting_note"],
    "housing_staff": READ + NEEDS + HOUSING,
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
        ("relocation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, reverse_code=revoke)]
