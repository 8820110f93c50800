"""Build hook (issue 13): the wheel carries the Persian font, fetched from the npm registry and
checksum-checked by scripts/fetch_font.py at build time (it does nothing when the checked files
are already in desktop/resources/fonts). A build that cannot get the font fails; it never makes
a wheel that would fail at the first letter."""

import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithFont(build_py):
    def run(self) -> None:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "fetch_font.py")], check=True)
        super().run()


setup(cmdclass={"build_py": BuildPyWithFont})
