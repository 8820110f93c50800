"""Sync tests reuse the CLI fixtures (a fresh store driven by `branch-desk` in-process)."""

from __future__ import annotations

from ..cli.conftest import admin_password_file, cli, cli_template  # noqa: F401 - pytest fixtures
