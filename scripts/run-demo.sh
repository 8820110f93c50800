#!/usr/bin/env bash
# Installs everything, builds a demo branch store once, and opens the application on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DB=${BRANCH_DESK_DEMO_DB:-var/demo.sqlite}
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ]; then
  .venv/bin/branch-desk demo --db "$DB" --persons "${DEMO_PERSONS:-5000}" --seed 1
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display: opening the application on a virtual screen (Xvfb)" >&2
  exec xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/branch-desk --db "$DB" "$@"
fi
exec .venv/bin/branch-desk --db "$DB" "$@"
