#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, lints, type-checks, checks
# layers, runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Lint and types gate first (issue 8, deliverable 10): any finding fails the run before pytest.
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports
# worksteal: a worker that runs out of tests takes half of the other's queue, so the two finish
# together even though a few tests (the bad-input campaign's shards, the screenshots) run for
# seconds and most for milliseconds.
.venv/bin/python -m pytest -n 2 --dist worksteal "$@"
