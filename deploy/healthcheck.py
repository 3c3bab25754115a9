"""Container health check: GET /health of the service this container runs.

Exit 0 when the service answers 200 with {"status": "ok"}; 1 otherwise. The service is
named by RENOVATION_SERVICE and its port read from <SERVICE>_PORT (default: its usual port).
Standard library only, so it starts fast and needs nothing from the application.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request

DEFAULT_PORTS = {"intake": 8101, "construction": 8102, "complaints": 8103, "acceptance": 8104}


def health_url(environ: dict[str, str]) -> str:
    """The /health URL of the service named in the environment."""
    service = environ.get("RENOVATION_SERVICE", "")
    if service not in DEFAULT_PORTS:
        raise ValueError(f"RENOVATION_SERVICE must be one of {', '.join(DEFAULT_PORTS)}")
    port = environ.get(f"{service.upper()}_PORT") or DEFAULT_PORTS[service]
    host = environ.get("RENOVATION_HEALTHCHECK_HOST", "127.0.0.1")
    return f"http://{host}:{port}/health"


def main() -> int:
    try:
        url = health_url(dict(os.environ))
        with urllib.request.urlopen(url, timeout=4) as response:
            body = json.loads(response.read() or b"{}")
            if response.status == 200 and body.get("status") == "ok":
                return 0
            print(f"unhealthy: {url} answered {response.status} {body}", file=sys.stderr)
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        print(f"unhealthy: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
