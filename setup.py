"""Build hooks (issue 13), run by every build of the wheel (and so by installer/build.sh):
- the Qt Designer forms (forms/*.ui) are compiled by pyside6-uic into desktop/views/forms before
  setuptools looks for packages (the generated modules are not committed);
- the Persian font is fetched from the npm registry and checksum-checked by scripts/fetch_font.py
  (nothing to do when the checked files are already in desktop/resources/fonts).
A build that cannot do either fails; it never makes a wheel that would fail at its first form
or letter."""

import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
subprocess.run([sys.executable, str(ROOT / "scripts" / "compile_forms.py")], check=True)


class BuildPyWithFont(build_py):
    def run(self) -> None:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "fetch_font.py")], check=True)
        super().run()


setup(cmdclass={"build_py": BuildPyWithFont})
