"""Install the Persian font (Vazirmatn, static Regular + Bold) from the npm registry package,
pinned and checksum-checked. The font is not committed and never taken from the system."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "vazirmatn@33.0.3"
TARBALL_SHA256 = "9506e9e6a27e62b353c04a136c27de0cc3aa9e434658b45a6363f7c98c357090"
FILES = {
    "package/fonts/ttf/Vazirmatn-Regular.ttf": "b69fd4c680b8f3f225feabcc655a2c585d97627b8f5f5c0f9985e894069f3a56",
    "package/fonts/ttf/Vazirmatn-Bold.ttf": "f635fdbea28f265de395ba83b4b1570dcf2f58d13c65469e61903b1c2d2ae723",
}
DEST = Path(__file__).resolve().parent.parent / "desktop" / "resources" / "fonts"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def installed() -> bool:
    return all((DEST / Path(n).name).exists() and sha256(DEST / Path(n).name) == h for n, h in FILES.items())


def main() -> int:
    if installed():
        return 0
    DEST.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        tarball = Path(tmp) / out
        if sha256(tarball) != TARBALL_SHA256:
            print(f"font package checksum mismatch: {tarball.name}", file=sys.stderr)
            return 1
        with tarfile.open(tarball) as tar:
            for name, digest in FILES.items():
                data = tar.extractfile(name).read()  # type: ignore[union-attr]
                if hashlib.sha256(data).hexdigest() != digest:
                    print(f"font checksum mismatch: {name}", file=sys.stderr)
                    return 1
                (DEST / Path(name).name).write_bytes(data)
    print(f"installed {PACKAGE} fonts into {DEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
