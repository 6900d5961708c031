"""A small thread-safe, bounded, least-recently-used map kept in the process.

For values that are the same for every request and cheap to lose (rendered layout fragments,
public pages with the version they were rendered under): the oldest entry goes first once
``max_entries`` is reached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Generic, TypeVar

from django.test.signals import setting_changed

K = TypeVar("K")
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


# --- Rendered output ----------------------------------------------------------------------

# The settings that rendered HTML depends on: a change (tests' ``override_settings``) clears
# every map made with ``rendered_lru``.
RENDERING_SETTINGS = frozenset(
    {
        "ROOT_URLCONF",
        "LANGUAGES",
        "LANGUAGE_CODE",
        "TEMPLATES",
        "INSTALLED_APPS",
        "STATIC_URL",
        "STORAGES",
    }
)
_rendered: list[BoundedLRU[Any, Any]] = []


def rendered_lru(max_entries: int) -> BoundedLRU[Any, Any]:
    """A ``BoundedLRU`` for HTML rendered from templates (fragments, page shells, filter bars):
    cleared with the others by ``rendered_clear`` and when a rendering setting changes."""
    lru: BoundedLRU[Any, Any] = BoundedLRU(max_entries)
    _rendered.append(lru)
    return lru


def rendered_clear() -> None:
    """Forget every rendered fragment this process holds."""
    for lru in _rendered:
        lru.clear()


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in RENDERING_SETTINGS:
        rendered_clear()


setting_changed.connect(_on_setting_changed, dispatch_uid="quartiere.lru.setting_changed")
