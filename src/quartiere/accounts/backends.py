"""The model back-end, with the user and their permissions read through the auth cache."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from quartiere.accounts import authcache


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend; ``get_user`` and the permission set come from ``authcache``.

    A deactivated user, a changed password (the session hash) or a withdrawn role takes
    effect on the next request: each bumps the user's cache version.
    """

    def get_user(self, user_id: Any) -> Any:
        user = authcache.cached(
            user_id, "user", lambda: super(CachedModelBackend, self).get_user(user_id)
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = authcache.cached(
                user_obj.pk,
                "perms",
                lambda: frozenset(super(CachedModelBackend, self).get_all_permissions(user_obj)),
            )
        return user_obj._perm_cache  # type: ignore[no-any-return]
