"""`python -m local` (make run): the API and the web client on http://127.0.0.1:3000 against embedded AWS emulation.

PORT and HOST override where it listens (PORT=0 picks a free port); AWS_ENDPOINT_URL points it at
another AWS endpoint instead of the embedded one. Ctrl-C (SIGINT) or SIGTERM stops it cleanly at
any moment, starting up included: no traceback, exit status 0.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import Any

from werkzeug.serving import make_server

from local.emulation import Emulation
from local.whole_lines import WholeLines


class Stop(Exception):
    """Raised in the main thread by SIGINT or SIGTERM."""


def _stop(signum: int, frame: Any) -> None:
    raise Stop(signal.Signals(signum).name)


def main() -> int:
    # First of all: a Ctrl-C while the emulation starts (it takes seconds) must not print a traceback.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    # The runner prints its own access lines; werkzeug's (ours and the emulation's) are noise.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # Request threads share the output: each line whole (before the portal's logger takes the stream).
    sys.stdout = WholeLines(sys.stdout)
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "3000"))
    emulation = Emulation(endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
    server = None
    try:
        print("Starting the AWS emulation and loading the sample catalogue…", flush=True)
        emulation.start()
        # Bind first: the handlers need the URL (newsletter unsubscribe links) before they import.
        server = make_server(host, port, lambda environ, start_response: [], threaded=True)
        url = f"http://{host}:{server.server_port}"
        os.environ.setdefault("PORTAL_PUBLIC_API_URL", url)
        # Passkeys need a domain, not an IP address: the web client is opened at localhost.
        site = f"http://localhost:{server.server_port}"
        os.environ["PORTAL_PASSKEY_ORIGINS"] = site
        from local.server import LocalApi  # handlers import after the emulation has set the environment

        server.app = LocalApi(emulation)
        # Shown so that ops commands (--endpoint-url) and download links can be checked by hand.
        where = f"embedded moto at {emulation.endpoint_url}" if emulation.embedded else emulation.endpoint_url
        print(f"Portal API listening on {url}  (AWS: {where})", flush=True)
        print(
            f"  Web client {site}/ | OpenAPI {url}/openapi.json | Swagger UI {url}/docs | mailbox {url}/_local/mailbox?to=<email>",
            flush=True,
        )
        print("  Emails are printed here. Ctrl-C stops.", flush=True)
        server.serve_forever()
    except (Stop, KeyboardInterrupt):
        pass
    finally:
        # A second Ctrl-C while shutting down is ignored: the shutdown is short and must finish.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if server is not None:
            server.server_close()
        emulation.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
