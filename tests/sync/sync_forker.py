"""A warm parent for the kill tests: `branch-desk sync` in a forked child, killed at a boundary.

Starting Python and importing the application costs a second of CPU (and several seconds of wall
time on a loaded machine); the kill tests need hundreds of kills. This process imports the
command line once and, per request, forks a child that runs exactly `branch-desk sync --db P
--json` (desktop.cli.main.run, the console script's code) with BRANCH_DESK_SYNC_KILL set. The
child is a real, separate process that SIGKILLs itself at the checkpoint (desktop/sync/faults.py):
no handler, no `finally`, no rollback runs — the same crash as a killed `branch-desk`.

Protocol (one JSON line each way): {"db", "boundary", "log", "env"?} -> {"returncode"} where returncode
is what subprocess would report (negative: killed by that signal). The child's stdout and stderr
go to `log`. The parent holds no store, connection or thread, so forking it is safe.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import httpx
from sqlalchemy.orm import configure_mappers

from desktop.cli.main import run
from desktop.sync.client import _tls_context
from desktop.sync.faults import KILL_ENV


def _child(request: dict[str, Any]) -> None:
    fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.environ.update(request.get("env") or {})  # e.g. faults.KILL_AT_ENV, faults.BATCH_ENV
    os.environ[KILL_ENV] = request["boundary"]
    code = 1
    try:
        code = run(["sync", "--db", request["db"], "--json"])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never return into the parent's loop


def main() -> int:
    # What every child would do first: configure the ORM's mappers and import the HTTP
    # transport (half a second of CPU together). Neither opens a database or a socket, so the
    # parent stays free of connections.
    configure_mappers()
    httpx.Client().close()
    _tls_context()  # the client's CA bundle, cached: loaded once here, not once per child
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(json.dumps({"returncode": code}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
