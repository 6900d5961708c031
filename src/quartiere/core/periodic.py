"""Periodic jobs that ``quartiere worker`` runs beside the task queue.

Each app registers its jobs in ``AppConfig.ready()``::

    periodic.register("activities.reminders", interval=dt.timedelta(hours=1),
                      path="quartiere.activities.tasks.session_reminders_job")

A job is a callable named by its dotted path (imported when it runs, so registering costs
nothing in the web processes), called with the registered keyword arguments. The worker runs
every job once at start, then again each time its interval has passed. Jobs must be
idempotent: the schedule is kept per worker process, so a restart or a second worker runs them
again (the reminders and the closing of resolved reports are written that way).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# After a failure a job is tried again after its interval or this delay, whichever is shorter.
RETRY_AFTER = dt.timedelta(minutes=5)
# The worker's thread wakes at least this often (so a stop request is seen quickly).
MAX_SLEEP_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A job: its name, how often it runs, and the callable (dotted path) with its arguments."""

    name: str
    interval: dt.timedelta
    path: str
    kwargs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def run(self) -> Any:
        return import_string(self.path)(**self.kwargs)


_registry: dict[str, PeriodicJob] = {}


def register(
    name: str,
    *,
    interval: dt.timedelta,
    path: str,
    kwargs: Mapping[str, Any] | None = None,
) -> PeriodicJob:
    """Register a periodic job under ``name`` (registering the same name again replaces it:
    ``ready()`` may run more than once)."""
    if interval <= dt.timedelta(0):
        raise ValueError(f"periodic job {name!r}: the interval must be positive")
    job = PeriodicJob(
        name=name, interval=interval, path=path, kwargs=MappingProxyType(dict(kwargs or {}))
    )
    _registry[name] = job
    return job


def registered() -> list[PeriodicJob]:
    """The registered jobs, by name."""
    return [_registry[name] for name in sorted(_registry)]


class Scheduler:
    """Run the due jobs of a list: each one at once, then once per interval (in this process).

    ``clock`` returns seconds (monotonic); tests pass their own.
    """

    def __init__(
        self,
        jobs: Iterable[PeriodicJob] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jobs = list(registered() if jobs is None else jobs)
        self._clock = clock
        self._next_at: dict[str, float] = {}

    def run_due(self) -> list[str]:
        """Run every job whose time has come; return the names of those that succeeded.

        A failing job is logged and tried again after ``RETRY_AFTER`` (or its interval when
        shorter); it never stops the others."""
        done = []
        for job in self.jobs:
            now = self._clock()
            if self._next_at.get(job.name, now) > now:
                continue
            interval = job.interval.total_seconds()
            try:
                result = job.run()
            except Exception:
                logger.exception("periodic job %s failed", job.name)
                retry = min(interval, RETRY_AFTER.total_seconds())
                self._next_at[job.name] = now + retry
            else:
                # A frequent job that found nothing to do (0, None, empty) is not news.
                logger.log(
                    logging.INFO if result else logging.DEBUG,
                    "periodic job %s done: %s",
                    job.name,
                    result,
                )
                self._next_at[job.name] = now + interval
                done.append(job.name)
        return done

    def seconds_to_next(self) -> float:
        """Seconds until the next job is due (0 when one is due now)."""
        now = self._clock()
        upcoming = [self._next_at.get(job.name, now) for job in self.jobs]
        return max(0.0, min(upcoming, default=now + MAX_SLEEP_SECONDS) - now)

    def run_forever(self, stop: threading.Event) -> None:
        """Run the due jobs until ``stop`` is set (the worker's background thread)."""
        while not stop.is_set():
            # Like a request: a connection dropped or too old is replaced before and after.
            close_old_connections()
            try:
                self.run_due()
            finally:
                close_old_connections()
            stop.wait(min(self.seconds_to_next(), MAX_SLEEP_SECONDS))


def start_thread(
    jobs: Iterable[PeriodicJob] | None = None,
) -> tuple[threading.Thread, threading.Event]:
    """Start a daemon thread that runs the jobs (the registered ones by default)."""
    stop = threading.Event()
    scheduler = Scheduler(jobs)
    thread = threading.Thread(
        target=scheduler.run_forever, args=(stop,), name="periodic-jobs", daemon=True
    )
    thread.start()
    logger.info("periodic jobs: %s", ", ".join(j.name for j in scheduler.jobs) or "none")
    return thread, stop
