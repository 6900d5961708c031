"""The bounded LRU map (core/lru.py)."""

from __future__ import annotations

from quartiere.core.lru import BoundedLRU


def test_lru_drops_the_least_recently_used_entry_when_full() -> None:
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "b" is now the least recently used

    lru.put("c", 3)

    assert lru.get("b") is None
    assert (lru.get("a"), lru.get("c"), len(lru)) == (1, 3, 2)


def test_lru_replaces_a_value_and_clears() -> None:
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    lru.put("a", 5)

    assert lru.get("a") == 5
    lru.clear()
    assert len(lru) == 0


def test_rendered_maps_are_cleared_together_and_when_a_rendering_setting_changes(settings):
    from quartiere.core.lru import rendered_clear, rendered_lru

    first, second = rendered_lru(4), rendered_lru(4)
    first.put("a", "<p>a</p>")
    second.put("b", "<p>b</p>")
    rendered_clear()
    assert len(first) == len(second) == 0

    first.put("a", "<p>a</p>")
    settings.DEBUG = not settings.DEBUG  # not a rendering setting: kept
    assert first.get("a") == "<p>a</p>"
    settings.LANGUAGES = [("it", "Italiano")]
    assert first.get("a") is None
