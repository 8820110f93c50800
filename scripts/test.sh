#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, checks layers, runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/lint-imports
.venv/bin/python -m pytest -n 2 "$@"
