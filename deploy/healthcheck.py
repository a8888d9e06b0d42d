"""The image's HEALTHCHECK: a web container answers /healthz on $PORT, a scheduler on $METRICS_PORT.

A scheduler without METRICS_PORT serves no HTTP, and other commands count as healthy. The role is the
image command that tini started (PID 1's arguments). Kubernetes ignores HEALTHCHECK and probes /healthz
and /readyz itself (deploy/k8s/).
"""

import os
import sys
import urllib.request

ENTRYPOINT = "/app/deploy/entrypoint.sh"


def role(args: list[str]) -> str:
    """Return the image command that PID 1's `args` run: web (also when none is given), scheduler, ..."""
    after = args[args.index(ENTRYPOINT) + 1 :] if ENTRYPOINT in args else []
    return after[0] if after else "web"


def health_port(command: str, environ) -> str | None:
    """Return the port where the command's process answers /healthz, or None where it answers nowhere."""
    if command == "web":
        return environ.get("PORT", "8000")
    if command == "scheduler" and environ.get("METRICS_PORT", "0") not in ("", "0"):
        return environ["METRICS_PORT"]
    return None


def main() -> int:
    """Return 0 when healthy, 1 when the web server or the scheduler does not answer /healthz with 200."""
    with open("/proc/1/cmdline", "rb") as cmdline:
        args = [arg.decode() for arg in cmdline.read().split(b"\0") if arg]
    port = health_port(role(args), os.environ)
    if port is None:
        return 0
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=4) as answer:
            return 0 if answer.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
