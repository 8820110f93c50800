"""`branch-desk`: the desktop application, or a scripting sub-command."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("--db") and argv[0] not in ("--demo",):
        from desktop.cli.main import run

        return run(argv)
    from desktop.app import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main())
