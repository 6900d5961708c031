"""Who may do what in the training context, beyond the capabilities their roles grant."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from quartiere.accounts.enums import Role
from quartiere.accounts.selectors import user_organisation_ids, user_scope
from quartiere.training.enums import RegisterStatus
from quartiere.training.models import AttendanceRegister, Measure, TrainingPath


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def is_lab_training_staff(user: Any) -> bool:
    """Lab staff see every path of their labs; operators only their organisation's paths."""
    return _superuser(user) or bool(user.has_perm("training.view_measure"))


def operator_paths_filter(user: Any, prefix: str = "") -> Q:
    """Paths the user works on as an accredited operator (staff, responsible, organisation,
    trainer)."""
    orgs = user_organisation_ids(user)
    return (
        Q(**{f"{prefix}operator__staff": user.pk})
        | Q(**{f"{prefix}operator__responsibles": user.pk})
        | Q(**{f"{prefix}operator__organisation_id__in": orgs})
        | Q(**{f"{prefix}trainer_id": user.pk})
    )


def works_on_path(user: Any, path: TrainingPath) -> bool:
    """Tell whether the user is one of the path's operator people (or its trainer)."""
    if path.trainer_id == user.pk:
        return True
    operator = path.operator
    if operator.organisation_id in user_organisation_ids(user):
        return True
    return (
        operator.staff.filter(pk=user.pk).exists()
        or operator.responsibles.filter(pk=user.pk).exists()
    )


def is_operator_responsible(user: Any, path: TrainingPath) -> bool:
    return path.operator.responsibles.filter(pk=user.pk).exists()


def can_manage_measure(user: Any, measure: Measure) -> bool:
    """Change a measure, its rules and paths: coordinators of the measure's lab."""
    return bool(user.has_perm("training.change_measure")) and user_scope(user).sees_lab(
        measure.lab_id
    )


def can_enrol(user: Any, path: TrainingPath) -> bool:
    """Check eligibility and enrol residents on a path of one's lab."""
    return bool(user.has_perm("training.add_enrolment")) and user_scope(user).sees_lab(path.lab_id)


def can_enter_register(user: Any, register_path: TrainingPath) -> bool:
    """Enter attendance: the accredited operator's people of that path (or a superuser)."""
    if _superuser(user):
        return True
    return (
        bool(user.has_perm("training.enter_register"))
        and user_scope(user).sees_lab(register_path.lab_id)
        and works_on_path(user, register_path)
    )


def can_validate_register(user: Any, register: AttendanceRegister) -> bool:
    """Validate: the operator's responsible or the lab's coordinator, never who entered it."""
    if register.status != RegisterStatus.SUBMITTED:
        return False
    if user.pk in {register.entered_by_id, register.submitted_by_id}:
        return False
    if not user.has_perm("training.validate_register"):
        return False
    if _superuser(user):
        return True
    path = register.session.path
    scope = user_scope(user)
    if not scope.sees_lab(path.lab_id):
        return False
    return Role.LAB_COORDINATOR in scope.roles or is_operator_responsible(user, path)


def can_correct_attendance(user: Any, register: AttendanceRegister) -> bool:
    """Correct a validated register: coordinators, or the operator's responsible."""
    if register.status != RegisterStatus.VALIDATED:
        return False
    if _superuser(user):
        return True
    path = register.session.path
    if not user_scope(user).sees_lab(path.lab_id):
        return False
    if user.has_perm("training.correct_attendance"):
        return True
    return bool(user.has_perm("training.validate_register")) and is_operator_responsible(user, path)


def can_view_register(user: Any, register_path: TrainingPath) -> bool:
    """Read a register: lab training staff of the lab, or the path's operator people."""
    if not user_scope(user).sees_lab(register_path.lab_id) and not _superuser(user):
        return False
    return is_lab_training_staff(user) or works_on_path(user, register_path)
