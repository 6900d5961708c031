"""Periodic jobs: the registry, the scheduler's intervals and the worker command's thread."""

from __future__ import annotations

import datetime as dt

import pytest

from quartiere.core import periodic

CALLS: list[str] = []


def record(*, label: str = "ran") -> str:
    CALLS.append(label)
    return label


def fail(**kwargs: object) -> None:
    CALLS.append("failed")
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _job(name: str = "test.record", *, hours: float = 1, path: str = f"{__name__}.record"):
    return periodic.PeriodicJob(
        name=name, interval=dt.timedelta(hours=hours), path=path, kwargs={"label": name}
    )


def test_scheduler_runs_a_due_job_once_and_not_again_before_its_interval():
    clock = Clock()
    scheduler = periodic.Scheduler([_job()], clock=clock)

    assert scheduler.run_due() == ["test.record"]  # due at start
    assert scheduler.run_due() == []
    clock.now += 3599
    assert scheduler.run_due() == []
    assert scheduler.seconds_to_next() == 1

    clock.now += 1
    assert scheduler.run_due() == ["test.record"]
    assert CALLS == ["test.record", "test.record"]


def test_scheduler_keeps_each_job_on_its_own_interval():
    clock = Clock()
    hourly, daily = _job("test.hourly"), _job("test.daily", hours=24)
    scheduler = periodic.Scheduler([hourly, daily], clock=clock)
    scheduler.run_due()

    for _ in range(23):
        clock.now += 3600
        scheduler.run_due()

    assert CALLS.count("test.hourly") == 24
    assert CALLS.count("test.daily") == 1
    clock.now += 3600
    assert set(scheduler.run_due()) == {"test.hourly", "test.daily"}


def test_scheduler_retries_a_failed_job_later_without_stopping_the_others():
    clock = Clock()
    broken = _job("test.broken", hours=24, path=f"{__name__}.fail")
    scheduler = periodic.Scheduler([broken, _job()], clock=clock)

    assert scheduler.run_due() == ["test.record"]
    assert CALLS == ["failed", "test.record"]
    clock.now += periodic.RETRY_AFTER.total_seconds() - 1
    scheduler.run_due()
    assert CALLS.count("failed") == 1
    clock.now += 1
    scheduler.run_due()
    assert CALLS.count("failed") == 2


def test_register_replaces_a_job_of_the_same_name_and_refuses_a_zero_interval():
    before = dict(periodic._registry)
    try:
        periodic.register("test.job", interval=dt.timedelta(hours=1), path=f"{__name__}.record")
        periodic.register("test.job", interval=dt.timedelta(hours=2), path=f"{__name__}.record")
        jobs = [j for j in periodic.registered() if j.name == "test.job"]
        assert [j.interval for j in jobs] == [dt.timedelta(hours=2)]
        with pytest.raises(ValueError, match="positive"):
            periodic.register("test.zero", interval=dt.timedelta(0), path=f"{__name__}.record")
    finally:
        periodic._registry.clear()
        periodic._registry.update(before)


def test_apps_register_the_reminders_hourly_and_the_closing_of_reports_daily():
    jobs = {j.name: j for j in periodic.registered()}

    assert jobs["activities.session_reminders"].interval == dt.timedelta(hours=1)
    assert jobs["reports.close_resolved"].interval == dt.timedelta(days=1)
    assert dict(jobs["reports.close_resolved"].kwargs) == {"dry_run": False}
    for job in jobs.values():  # every path names a callable
        from django.utils.module_loading import import_string

        assert callable(import_string(job.path)), job.path


def test_worker_command_starts_the_periodic_thread_unless_told_not_to(monkeypatch, settings):
    from django.core.management import call_command
    from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started: list[bool] = []
    handled: list[dict] = []
    monkeypatch.setattr(periodic, "start_thread", lambda *a, **k: started.append(True))
    monkeypatch.setattr(DatabaseWorkerCommand, "handle", lambda self, *a, **o: handled.append(o))

    call_command("run_worker", "--no-startup-delay")
    call_command("run_worker", "--no-periodic")
    call_command("run_worker", "--batch")

    assert started == [True]
    assert len(handled) == 3
    assert all("periodic" not in o for o in handled)


def nothing(**kwargs: object) -> int:
    return 0


def test_scheduler_logs_a_job_that_found_nothing_to_do_only_at_debug_level(caplog):
    import logging

    jobs = [_job("test.record"), _job("test.nothing", path=f"{__name__}.nothing")]
    scheduler = periodic.Scheduler(jobs, clock=Clock())

    with caplog.at_level(logging.DEBUG, logger="quartiere.core.periodic"):
        assert scheduler.run_due() == ["test.record", "test.nothing"]

    levels = {r.getMessage(): r.levelno for r in caplog.records}
    assert levels["periodic job test.record done: test.record"] == logging.INFO
    assert levels["periodic job test.nothing done: 0"] == logging.DEBUG
