"""Production settings, security headers and the no-inline-script rule."""

import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import ROOT

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-enough-0123456789-abcdefghij",
    "INTEGRITY_HASH_KEY": "production-like-integrity-hash-key",
    "ALLOWED_HOSTS": "procurement.example.org",
    "SITE_URL": "https://procurement.example.org",
}


def manage(*args, env):
    dropped = {*PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "PLATFORM_CUSTODIAN_KEY"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "procurement.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "INTEGRITY_HASH_KEY"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_the_demo_sealing_key():
    result = manage("check", env={**PRODUCTION_ENV, "SEALING_DEMO_KEY": "1"})
    assert result.returncode != 0
    assert "SEALING_DEMO_KEY" in result.stderr


def test_no_key_that_opens_bids_has_a_default_outside_the_demo_flag():
    """The retired BID_SEALING_KEY is gone, and the platform custodian's key has no default."""
    settings_source = (ROOT / "procurement" / "settings.py").read_text()
    assert "BID_SEALING_KEY" not in settings_source
    result = manage("shell", "-c", "from django.conf import settings; print(repr(settings.PLATFORM_CUSTODIAN_KEY))",
                    env={**PRODUCTION_ENV})  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "''", result.stderr


def test_production_refuses_the_demo_mfa_relaxation():
    result = manage("check", env={**PRODUCTION_ENV, "MFA_DEMO_RELAX": "1"})
    assert result.returncode != 0
    assert "MFA_DEMO_RELAX" in result.stderr


def test_demo_data_never_loads_in_production():
    result = manage("load_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "never loads in production" in result.stderr


@pytest.mark.django_db
def test_pages_carry_csp_and_framing_headers(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    # WebAssembly (libsodium) may compile; no eval of JavaScript, no inline scripts.
    assert "script-src 'self' 'wasm-unsafe-eval';" in csp + ";"
    assert "'unsafe-eval'" not in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)


@pytest.mark.parametrize(
    ("url_name", "signed_in"),
    [
        ("home", False),
        ("account_login", False),
        ("account_signup", False),
        ("account_reset_password", False),
        ("home", True),
        ("notifications", True),
        ("audit_log", True),
        ("mfa_index", True),
        ("api-docs", False),
        ("transparency", False),
    ],
)
def test_pages_render_without_inline_scripts_or_styles(client, auditor, url_name, signed_in):
    if signed_in:
        client.force_login(auditor)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
    assert not INLINE_HANDLER.search(html)
