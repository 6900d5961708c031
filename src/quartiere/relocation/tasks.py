"""Background work for relocation: solving large plans outside the request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from quartiere.relocation import services
from quartiere.relocation.models import RelocationPhase, RelocationPlan


@task()
def relocation_plan_solve_task(plan_id: int, phase_id: int | None, actor_id: int | None) -> int:
    """Solve a plan (or one of its phases) and return the new version's number."""
    plan = RelocationPlan.objects.get(pk=plan_id)
    phase = RelocationPhase.objects.get(pk=phase_id) if phase_id else None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return services.relocation_plan_solve(plan=plan, phase=phase, actor=actor).number
