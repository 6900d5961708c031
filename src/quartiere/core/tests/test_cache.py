"""The shared Redis cache backend (core/cache.py), against the Redis server of this machine."""

from __future__ import annotations

import uuid

import pytest

from quartiere.core.cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache() -> RedisCache:
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    try:
        backend.get("ping")
    except Exception as exc:  # pragma: no cover - the machine's Redis is down
        pytest.fail(f"Redis is not answering at {REDIS_URL}: {exc}")
    return backend


def test_redis_cache_reuses_one_client_when_called_again(redis_cache) -> None:
    first = redis_cache._cache.get_client(write=True)

    assert redis_cache._cache.get_client() is first
    assert redis_cache._cache.get_client("key", write=True) is first


def test_redis_cache_stores_and_reads_back_through_the_reused_client(redis_cache) -> None:
    redis_cache.set("page", (7, b"<html>"), 60)
    redis_cache.set_many({"a": 1, "b": [2]}, 60)

    assert redis_cache.get("page") == (7, b"<html>")
    assert redis_cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": [2]}
    assert redis_cache.delete("a") is True
    assert redis_cache.get("a") is None
