#!/usr/bin/env bash
# One command builds the Debian package of the whole application (issue 13):
#   installer/build.sh [--version V] [--extra-migration FILE]... [--out DIR]
# PyInstaller freezes the application into one folder (Python, PySide6, the font, the icons and
# the store migrations inside), installed at /opt/branch-desk with `branch-desk` on the PATH
# (/usr/bin symlink), a desktop entry «میز شعبه» with its icon, and Debian dependencies for what
# stays outside (Qt's X11 libraries, poppler-utils for the letter preview). Users' stores live in
# their home folders (platformdirs), which dpkg never touches: removing the package leaves them.
# The version defaults to the project's; --version overrides it (the upgrade test builds a higher
# one). --extra-migration adds a revision file to the packaged migrations (the upgrade test's
# probe). The frozen folder is reused while the sources and the environment are unchanged.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

VERSION=""
OUT="$ROOT/dist"
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION="$2"; shift 2 ;;
    --extra-migration) EXTRA+=("$(realpath "$2")"); shift 2 ;;
    --out) OUT="$(realpath -m "$2")"; shift 2 ;;
    *) echo "unknown option: $1 (usage: installer/build.sh [--version V] [--extra-migration FILE]... [--out DIR])" >&2
       exit 2 ;;
  esac
done

bash scripts/setup.sh >/dev/null
PY=.venv/bin/python
[ -n "$VERSION" ] || VERSION=$("$PY" -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
PYINSTALLER_VERSION=6.22.3
"$PY" -m PyInstaller --version 2>/dev/null | grep -qx "$PYINSTALLER_VERSION" \
  || "$PY" -m pip install -q "pyinstaller==$PYINSTALLER_VERSION"

WORK="$ROOT/build/installer"
FROZEN="$WORK/dist/branch-desk"
# The frozen folder depends on the shipped sources, the spec and the installed packages.
stamp=$( { git ls-files -s desktop forms resources installer pyproject.toml setup.py 2>/dev/null || find desktop forms resources installer -type f -print0 | xargs -0 sha256sum; \
           sha256sum desktop/resources/fonts/*.ttf; "$PY" -m pip freeze --exclude-editable; } | sha256sum | cut -c1-16)
if [ ! -f "$FROZEN/.stamp-$stamp" ] || [ -n "$(git status --porcelain -- desktop forms resources installer setup.py 2>/dev/null)" ]; then
  rm -rf "$WORK/dist"
  "$PY" -m PyInstaller --noconfirm --log-level ERROR --workpath "$WORK/work" --distpath "$WORK/dist" \
    installer/branch-desk.spec
  touch "$FROZEN/.stamp-$stamp"
fi

ARCH=$(dpkg --print-architecture)
STAGE="$WORK/stage-$VERSION"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$FROZEN" "$STAGE/opt/branch-desk"
rm -f "$STAGE"/opt/branch-desk/.stamp-*
for extra in "${EXTRA[@]}"; do
  cp "$extra" "$STAGE/opt/branch-desk/_internal/desktop/db/migrations/versions/"
done
ln -s /opt/branch-desk/branch-desk "$STAGE/usr/bin/branch-desk"
cp resources/icons/icon.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/branch-desk.svg"
cp installer/branch-desk.desktop "$STAGE/usr/share/applications/branch-desk.desktop"
SIZE_KB=$(du -sk "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE_KB/" installer/control.in \
  > "$STAGE/DEBIAN/control"

mkdir -p "$OUT"
DEB="$OUT/branch-desk_${VERSION}_${ARCH}.deb"
# zstd: xz takes minutes on two cores for a quarter of a gigabyte; zstd takes seconds.
dpkg-deb --root-owner-group -Zzstd -z3 --build "$STAGE" "$DEB" >/dev/null
rm -rf "$STAGE"
echo "$DEB"
echo "size: $(du -h "$DEB" | cut -f1) ($(stat -c %s "$DEB") bytes)"
