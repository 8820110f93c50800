"""The frozen application's entry point: the same `branch-desk` as the wheel's console script."""

import sys

# Alembic loads the revision files from /opt/branch-desk as source: no __pycache__ there, or
# removing the package would leave folders behind.
sys.dont_write_bytecode = True

from desktop.__main__ import main  # noqa: E402 - after the flag, so no import writes bytecode

if __name__ == "__main__":
    sys.exit(main())
