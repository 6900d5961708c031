"""The ``quartiere`` console script: a friendly front for the management commands."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "serve the site with gunicorn (HOST, PORT, WEB_CONCURRENCY from the environment)",
    "worker": "run the background task worker and the periodic jobs (reminders, closings)",
    "migrate": "create or update the database schema",
    "seed-demo": "build the synthetic demo: seed-demo [--seed N] [--scale district|region]",
    "import": "import a file: import units|residents FILE --lab SLUG [--dry-run]",
    "createsuperuser": "create an administrator account",
    "collectstatic": "gather static files for WhiteNoise",
    "demo-logins": "print the demo log-ins",
    "open311-key": "Open311 API keys: open311-key create NAME [--lab SLUG] | list | revoke PREFIX",
    "payments": "allowance payment batches: payments list | payments export BATCH_ID --output FILE",
    "check": "check the configuration (add --deploy in production)",
    "shell": "open a Django shell",
    "manage": "run any Django management command: manage COMMAND [ARGS]",
}
ALIASES = {
    "seed-demo": "seed_demo",
    "import": "import_data",
    "demo-logins": "demo_logins",
    "open311-key": "open311_key",
}


def usage() -> str:
    lines = ["usage: quartiere COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<16} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Run 'quartiere COMMAND --help' for a command's options."]
    return "\n".join(lines)


def serve(args: list[str]) -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "quartiere.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--access-logfile",
        "-",
        # The path without its query string: searches by name or codice fiscale stay out of logs.
        "--access-logformat",
        '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        "--timeout",
        "120",
        *args,
    ]
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartiere.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return
    command, rest = argv[0], argv[1:]
    if command == "serve":
        serve(rest)
        return
    if command == "worker":
        command = "run_worker"
    elif command == "manage":
        if not rest:
            print(usage())
            sys.exit(2)
        command, rest = rest[0], rest[1:]
    command = ALIASES.get(command, command)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["quartiere", command, *rest])


if __name__ == "__main__":
    main()
