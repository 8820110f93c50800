#!/usr/bin/env bash
# Installs everything Branch Desk needs on a Debian machine with Python 3.11:
# Debian packages (PostgreSQL for headquarters and its tests, Xvfb, Chromium and its driver for the panel's browser tests, poppler-utils, Qt's X11 libraries, npm for the font), a virtual
# environment with the project and its test/dev tools, and the pinned Persian font.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(postgresql xvfb xauth poppler-utils zbar-tools npm libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
      libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libegl1 libgl1
      libfontconfig1 libdbus-1-3 libglib2.0-0 chromium chromium-driver)
missing=()
for p in "${DEBS[@]}"; do
  # npm may come with a Node.js that is not Debian's; any working npm will do.
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test,dev]"
  rm -f .venv/.installed-*; touch "$stamp"
fi
.venv/bin/python scripts/fetch_font.py
.venv/bin/python scripts/compile_forms.py
