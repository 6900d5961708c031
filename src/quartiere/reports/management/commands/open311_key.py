"""quartiere open311-key create NAME [--lab SLUG] | list | revoke PREFIX: Open311 API keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from quartiere.accounts.selectors import public_lab_get
from quartiere.core.exceptions import ApplicationError
from quartiere.reports import selectors, services


class Command(BaseCommand):
    help = (
        "Manage the API keys Open311 clients use to post reports. The key is shown once, "
        "when created; only its hash is stored."
    )

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create a key and print it once")
        create.add_argument("name", help="who the key is for, e.g. the app's name")
        create.add_argument("--lab", help="allow posting only to this lab's categories (slug)")
        actions.add_parser("list", help="list the keys (prefix, name, lab, state)")
        revoke = actions.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix", help="the part of the key before the dot")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        if action == "create":
            self._create(opts["name"], opts.get("lab"))
        elif action == "list":
            self._list()
        else:
            self._revoke(opts["prefix"])

    def _create(self, name: str, lab_slug: str | None) -> None:
        lab = None
        if lab_slug:
            lab = public_lab_get(slug=lab_slug)
            if lab is None:
                raise CommandError(f"No open lab with short name {lab_slug!r}.")
        try:
            key, raw = services.open311_key_create(name=name, lab=lab)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        where = f"lab {lab.slug}" if lab else "every lab"
        self.stdout.write(f"Open311 key for {key.name} ({where}), prefix {key.prefix}:")
        self.stdout.write(raw)
        self.stdout.write("Store it now: it cannot be shown again.")

    def _list(self) -> None:
        keys = list(selectors.open311_key_list())
        if not keys:
            self.stdout.write("No Open311 keys.")
            return
        self.stdout.write(f"{'PREFIX':<10} {'STATE':<8} {'LAB':<20} {'LAST USED':<17} NAME")
        for key in keys:
            state = "active" if key.is_active else "revoked"
            lab = key.lab.slug if key.lab else "(all)"
            used = key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "-"
            self.stdout.write(f"{key.prefix:<10} {state:<8} {lab:<20} {used:<17} {key.name}")

    def _revoke(self, prefix: str) -> None:
        key = selectors.open311_key_get(prefix=prefix)
        if key is None:
            raise CommandError(f"No Open311 key with prefix {prefix!r}.")
        if not key.is_active:
            self.stdout.write(f"Key {key.prefix} ({key.name}) was already revoked.")
            return
        services.open311_key_revoke(key=key, actor=None)
        self.stdout.write(f"Revoked key {key.prefix} ({key.name}).")
