"""What every request needs to know about its user, kept in the cache between requests.

A logged-in request used to spend six queries before the view ran: the user, their
permissions (two), their memberships (the scope), the current lab and their two-factor
devices. Those change rarely, so they are cached under versioned keys:

- each user has a version, bumped when the user, their memberships, groups, permissions or
  devices change (signals below); a global version is bumped when something shared changes
  (a group's permissions, a lab, a district);
- a cached entry is read only under the current versions, so a change is seen by the next
  request of every process that shares the cache (the production setting, ``CACHE_URL``).

With a cache private to each process (the local-memory default) a change made by one worker
reaches the others only when their entry expires, so ``AUTH_CACHE_SECONDS`` is 0 there unless
set, and nothing is cached: the demo and a single-process deployment stay exact. The tests run
with the cache on (one process), so every test that changes a role exercises the invalidation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

# A new prefix whenever a cached part changes shape (the scope gained organisation_ids), so
# that no process reads an entry written by an older release.
_PREFIX = "qauth3"
_GLOBAL = f"{_PREFIX}:v:all"
# A version key outlives every entry built under it (entries expire after AUTH_CACHE_SECONDS).
_VERSION_TIMEOUT = 30 * 24 * 3600


def enabled() -> bool:
    return _seconds() > 0


def _seconds() -> int:
    return int(getattr(settings, "AUTH_CACHE_SECONDS", 0))


def _user_version_key(user_id: Any) -> str:
    return f"{_PREFIX}:v:u{user_id}"


def _entry_key(user_id: Any, part: str) -> str:
    return f"{_PREFIX}:u{user_id}:{part}"


# The parts read on a typical request, fetched together with the versions in one round trip.
PARTS = ("user", "perms", "scope", "has_device", "lab")
# Inside a request, what was fetched is kept for the rest of it (one cache round trip for the
# user's context per request); outside requests (commands, the worker) nothing is kept.
_local = threading.local()


def _begin_request(**kwargs: Any) -> None:
    _local.memo = {}


def _end_request(**kwargs: Any) -> None:
    _local.memo = None


def _snapshot(user_id: Any) -> tuple[Any, Any, dict[str, Any]]:
    memo = getattr(_local, "memo", None)
    if memo is not None and user_id in memo:
        return memo[user_id]  # type: ignore[no-any-return]
    keys = [_user_version_key(user_id), _GLOBAL, *(_entry_key(user_id, p) for p in PARTS)]
    found = cache.get_many(keys)
    snap = (
        found.get(keys[0], 0),
        found.get(keys[1], 0),
        {p: found.get(_entry_key(user_id, p)) for p in PARTS},
    )
    if memo is not None:
        memo[user_id] = snap
    return snap


def cached(user_id: Any, part: str, build: Callable[[], T], *, of: Any = None) -> T:
    """Return ``build()`` for this user, from the cache when its versions have not moved.

    An entry holds the versions it was built under, so one ``get_many`` of the versions and
    the entries answers every part of the request. ``of`` names what the value is of when a
    part can hold one of several (the lab being worked in): an entry of another is rebuilt.
    """
    if not enabled() or user_id is None:
        return build()
    user_v, global_v, entries = _snapshot(user_id)
    entry = entries.get(part)
    if entry is None and part not in PARTS:
        entry = cache.get(_entry_key(user_id, part))
    if entry is not None and entry[0] == user_v and entry[1] == global_v and entry[3] == of:
        return entry[2]  # type: ignore[no-any-return]
    value = build()
    entry = (user_v, global_v, value, of)
    cache.set(_entry_key(user_id, part), entry, _seconds())
    entries[part] = entry
    return value


def cached_shared(part: str, build: Callable[[], T]) -> T:
    """Like ``cached`` for values that depend on no user (a lab, a device): global version."""
    if not enabled():
        return build()
    key = f"{_PREFIX}:shared:{part}"
    found = cache.get_many([_GLOBAL, key])
    global_v = found.get(_GLOBAL, 0)
    entry = found.get(key)
    if entry is not None and entry[0] == global_v:
        return entry[1]  # type: ignore[no-any-return]
    value = build()
    cache.set(key, (global_v, value), _seconds())
    return value


def _bump(key: str) -> None:
    memo = getattr(_local, "memo", None)
    if memo:
        memo.clear()
    # add() then incr(): atomic on Redis, and the first bump of a key never races to 1 twice.
    cache.add(key, 0, _VERSION_TIMEOUT)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _VERSION_TIMEOUT)


def invalidate_user(user_id: Any) -> None:
    if user_id is not None:
        _bump(_user_version_key(user_id))


def invalidate_all() -> None:
    _bump(_GLOBAL)


# --- Signals ------------------------------------------------------------------------------


def _on_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    invalidate_user(instance.pk)


def _on_user_owned(sender: Any, instance: Any, **kwargs: Any) -> None:
    invalidate_user(getattr(instance, "user_id", None))


def _on_shared(sender: Any, **kwargs: Any) -> None:
    invalidate_all()


def _on_user_m2m(sender: Any, instance: Any, reverse: bool, **kwargs: Any) -> None:
    # user.groups.add(...) (forward) names one user; group.user_set.add(...) names many.
    if reverse:
        invalidate_all()
    else:
        invalidate_user(instance.pk)


def _on_device(sender: Any, instance: Any, **kwargs: Any) -> None:
    invalidate_user(instance.user_id)
    invalidate_all()  # the device itself is cached by its persistent id (a shared entry)


def connect() -> None:
    """Wire the invalidation signals (called once from AccountsConfig.ready)."""
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django_otp.models import Device

    from quartiere.accounts.models import Lab, Membership, User

    # The current lab is cached with its district (shown in the header): a district edit
    # must show at once. By name, as territory sits above accounts in the layers.
    district = apps.get_model("territory", "District")
    devices = [m for m in apps.get_models() if issubclass(m, Device)]
    uid = "quartiere.authcache"
    request_started.connect(_begin_request, dispatch_uid=f"{uid}.begin")
    request_finished.connect(_end_request, dispatch_uid=f"{uid}.end")
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_on_user, sender=User, dispatch_uid=f"{uid}.user.{name}")
        signal.connect(_on_user_owned, sender=Membership, dispatch_uid=f"{uid}.member.{name}")
        shared: list[type[Model]] = [Group, Lab, district]
        for model in shared:
            signal.connect(_on_shared, sender=model, dispatch_uid=f"{uid}.{model.__name__}.{name}")
        for device in devices:
            signal.connect(
                _on_device, sender=device, dispatch_uid=f"{uid}.{device.__name__}.{name}"
            )
    m2m_changed.connect(_on_user_m2m, sender=User.groups.through, dispatch_uid=f"{uid}.groups")
    m2m_changed.connect(
        _on_user_m2m, sender=User.user_permissions.through, dispatch_uid=f"{uid}.user_perms"
    )
    m2m_changed.connect(_on_shared, sender=Group.permissions.through, dispatch_uid=f"{uid}.gp")
