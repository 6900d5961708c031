"""Production mode refuses to start without its secrets, and passes Django's deploy checks."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest

PRODUCTION_ENV = {
    "QUARTIERE_ENV": "production",
    "SECRET_KEY": "x" * 60 + "-long-random-production-secret-for-the-test",
    "ALLOWED_HOSTS": "quartiere.example.it",
    "DATABASE_URL": "sqlite:////tmp/quartiere-deploy-check.sqlite3",
    "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"k" * 32).decode(),
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for live_server
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "quartiere.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_when_required_variable_missing(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = _run(env, "check")

    assert result.returncode != 0
    assert f"The environment variable {missing} is required in production" in result.stderr


def test_production_passes_deploy_checks_when_configured():
    result = _run(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
