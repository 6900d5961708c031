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
