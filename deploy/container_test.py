"""`make container-test`: the image, compose.yaml and deploy/k8s, run under podman and checked end to end.

1. Images: the local Debian base if missing (deploy/base-image.sh), then the app, the proxy, and the
   PostgreSQL and Redis images (no registry is needed).
2. compose.yaml (with deploy/compose.test.yaml) under podman-compose: up in stages, migrate, seed demo
   data, then through the proxy over TLS an API screening, a public check, and a webhook that a
   scheduler delivers to a receiver on this host, signed. Both web replicas must have served requests.
3. deploy/k8s under `podman kube play`: the kinds podman runs (Deployment, Pod, PersistentVolumeClaim,
   ConfigMap), the migration Job's pod template as a Pod, and the same three checks against a web pod.

Everything is removed afterwards, on failure too. Prints each phase's time and the total.
Settings (environment): BASE (the Debian image to build from, default the local one), PIP_CA (a CA
bundle for pip behind a TLS-intercepting proxy; default the system bundle when present), HTTPS_PORT
(18443) and HTTP_PORT (18080) on 127.0.0.1, KEEP=1 to leave the compose stack running, PHASES to run
some phases only (default "images compose kube").
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import yaml
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ROOT = Path(__file__).resolve().parent.parent
PODMAN = ["podman", "--runtime", "runc"]
BASE = os.environ.get("BASE", "localhost/debian-bookworm:base")
PIP_CA = os.environ.get("PIP_CA", "/etc/ssl/certs/ca-certificates.crt")
HTTPS_PORT = os.environ.get("HTTPS_PORT", "18443")
HTTP_PORT = os.environ.get("HTTP_PORT", "18080")
IMAGES = {
    "app": "localhost/crosscheck:test",
    "proxy": "localhost/crosscheck-proxy:test",
    "postgres": "localhost/crosscheck-postgres:test",
    "redis": "localhost/crosscheck-redis:test",
}
PROJECT = "crosscheck-test"
KUBE_NETWORK = "crosscheck-kube"
COUNCIL, POLICE = "E08000031", "E23000014"  # demo seed's Wolverhampton and West Midlands Police
IDENTITY = ("given_names", "family_name", "date_of_birth", "sex", "address", "postcode", "ni_number")
IDENTITY += ("driving_licence_number",)
WEBHOOK_WAIT_SECONDS = 90


def log(message: str) -> None:
    """Print a progress line at once."""
    print(f"[container-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(*args: str, capture: bool = False, check: bool = True, env: dict | None = None) -> str:
    """Run a command from the repository root; return its stdout when captured."""
    result = subprocess.run(
        args, cwd=ROOT, check=False, text=True, env=env, stdout=subprocess.PIPE if capture else None
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"exit {result.returncode}: {' '.join(args)}")
    return result.stdout or ""


def podman(*args: str, capture: bool = False, check: bool = True) -> str:
    """Run podman with the runtime and settings that work on this host (deploy/containers.conf)."""
    return run(*PODMAN, *args, capture=capture, check=check)


def wait_for(what: str, test, seconds: float = 120, every: float = 2) -> None:
    """Call `test` until it returns true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if test():
                return
        except (httpx.HTTPError, RuntimeError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(every)


# -- images ---------------------------------------------------------------------------------------


def build_images() -> None:
    """Build the base image if it is the local one and missing, then the four images from it."""
    if BASE.startswith("localhost/"):
        run("deploy/base-image.sh", env=os.environ | {"BASE_IMAGE": BASE, "PODMAN": " ".join(PODMAN)})
    build = ["build", "--format", "docker", "--build-arg", f"BASE={BASE}"]
    ca = ["--secret", f"id=pip_ca,src={PIP_CA}"] if Path(PIP_CA).is_file() else []
    podman(*build, *ca, "-t", IMAGES["app"], "-f", "Containerfile", ".")
    for name in ("proxy", "postgres", "redis"):
        podman(*build, "-t", IMAGES[name], f"deploy/{name}")


# -- the webhook receiver on this host --------------------------------------------------------------


class Receiver:
    """A Standard Webhooks receiver on one address of this host; keeps the payloads that verify."""

    def __init__(self, host: str):
        """Listen on `host` (the containers' gateway on this host) and a free port."""
        self.secret = ""
        self.verified: list[dict] = []
        self.rejected = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    receiver.verified.append(Webhook(receiver.secret).verify(body, headers))
                    self.send_response(204)
                except WebhookVerificationError:
                    receiver.rejected += 1
                    self.send_response(401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        """Return the URL the scheduler posts to."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks"

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()


def gateway(network: str) -> str:
    """Return this host's address on a podman network."""
    found = podman(
        "network", "inspect", network, "--format", "{{range .Subnets}}{{.Gateway}} {{end}}", capture=True
    )
    return found.split()[0]


# -- the three checks -------------------------------------------------------------------------------


def check_service(base_url: str, verify, web: str, scheduler: str, network: str) -> dict:
    """Seed, then check an API screening, a public check and a delivered webhook; return what was seen.

    `web` is a container running production settings (it issues the API keys, as an operator would);
    `scheduler` one running the schedulers' settings (development here, for the demo seed and the
    loopback receiver).
    """
    seen = {}
    podman("exec", scheduler, "flask", "demo", "seed")
    council_key = issue_key(web, COUNCIL, "council:read council:write")
    police_key = issue_key(web, POLICE, "police:intelligence")
    with httpx.Client(base_url=base_url, verify=verify, timeout=30) as http:
        council = {"Authorization": f"Bearer {council_key}"}
        entry = answer(http.get("/api/v1/register-entries", params={"limit": 1}, headers=council))["items"][0]
        person = {k: entry[k] for k in IDENTITY}
        screening = answer(
            http.post("/api/v1/screenings", json=person | {"purpose": "container test"}, headers=council)
        )
        bands = [(c["candidate_kind"], c["band"]) for c in screening["candidates"]]
        assert ("register_entry", "match") in bands, bands
        seen["screening"] = f"{len(bands)} candidate(s), {bands[0]}"

        licence = answer(http.get("/api/v1/licences", params={"limit": 1}, headers=council))["items"][0]
        query = {"authority": COUNCIL, "badge": licence["badge_number"]}
        public = answer(http.get("/api/v1/public/licence-check", params=query))
        assert public["licences"][0]["badge_number"] == licence["badge_number"], public
        seen["public check"] = f"badge {licence['badge_number']}: {public['licences'][0]['status']}"

        receiver = Receiver(gateway(network))
        try:
            receiver.secret = podman(
                "exec", scheduler, "flask", "subscriptions", "add-webhook", COUNCIL, receiver.url,
                "--types", "intelligence.routed", capture=True,
            ).split()[-1]  # fmt: skip
            item = {k: licence[k] for k in IDENTITY} | {
                "category": "arrest",
                "occurred_on": "2026-11-20",
                "summary": "Container test: restricted detail.",
                "shareable_summary": "Container test: arrested.",
            }
            police = {"Authorization": f"Bearer {police_key}"}
            pushed = answer(
                http.put(f"/api/v1/intelligence/CT-{uuid.uuid4().hex[:8]}", json=item, headers=police)
            )
            assert COUNCIL in [r["code"] for r in pushed["routed_to"]], pushed
            started = time.monotonic()
            wait_for(
                "the webhook",
                lambda: any(p.get("type") == "intelligence.routed" for p in receiver.verified),
                WEBHOOK_WAIT_SECONDS,
                0.5,
            )
            seen["webhook"] = f"intelligence.routed delivered, signed, in {time.monotonic() - started:.1f} s"
            assert receiver.rejected == 0
        finally:
            receiver.close()
    return seen


def issue_key(container: str, code: str, scopes: str) -> str:
    """Issue an API key with `flask clients create` in `container`; return it."""
    out = podman(
        "exec", container, "flask", "clients", "create", "--name", f"container test {code}",
        "--org", code, "--scopes", scopes, capture=True,
    )  # fmt: skip
    return next(line for line in out.split() if line.startswith("cc_"))


def answer(response: httpx.Response) -> dict:
    """Return a successful answer's JSON; fail with its status and body otherwise."""
    if response.status_code >= 300:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: {response.status_code} "
            f"{response.text[:500]}"
        )
    return response.json()


# -- compose ------------------------------------------------------------------------------------------


@contextmanager
def compose_stack(secrets: Path):
    """Bring compose.yaml up under podman-compose in stages; take it down on leaving, volumes too.

    Stages, not one `up`: podman 4.3 (Debian 12) cannot start a container whose --requires chain is
    longer than one (migrate requires postgres, web requires migrate), and podman-compose waits for
    health only on podman 4.6 or later and never checks the migration's exit status.
    """
    env = os.environ | {
        "CROSSCHECK_SECRETS": str(secrets),
        "CROSSCHECK_IMAGE": IMAGES["app"],
        "PROXY_IMAGE": IMAGES["proxy"],
        "POSTGRES_IMAGE": IMAGES["postgres"],
        "REDIS_IMAGE": IMAGES["redis"],
        "PROXY_ADDRESS": "127.0.0.1",
        "HTTPS_PORT": HTTPS_PORT,
        "HTTP_PORT": HTTP_PORT,
        "PUBLIC_BASE_URL": f"https://localhost:{HTTPS_PORT}",
    }
    compose = [compose_command(), f"--podman-args=--runtime={PODMAN[2]}", "-p", PROJECT]
    compose += ["-f", "compose.yaml", "-f", "deploy/compose.test.yaml"]
    run(*compose, "down", "-v", "-t", "5", env=env, check=False)  # what an interrupted run left
    try:
        run(*compose, "up", "-d", "--no-deps", "postgres", "redis", env=env)
        pg_ready = ["exec", f"{PROJECT}_postgres_1", "pg_isready", "-U", "crosscheck", "-d", "crosscheck"]
        wait_for(
            "PostgreSQL",
            lambda: podman(*pg_ready, check=False, capture=True).endswith("accepting connections\n"),
        )
        run(*compose, "up", "-d", "--no-deps", "migrate", env=env)
        status = podman("wait", f"{PROJECT}_migrate_1", capture=True).strip()
        if status != "0":
            podman("logs", f"{PROJECT}_migrate_1", check=False)
            raise RuntimeError(f"migrate exited {status}")
        run(*compose, "up", "-d", "--no-deps", "web", "scheduler", "proxy", env=env)
        yield
    finally:
        if os.environ.get("KEEP") != "1":
            run(*compose, "down", "-v", "-t", "10", env=env, check=False)


def compose_command() -> str:
    """Return podman-compose: the one beside this Python (make's tools venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "podman-compose"
    return str(beside) if beside.exists() else "podman-compose"


def compose_phase(work: Path) -> dict:
    """Run compose.yaml and check it through the proxy; return what was seen."""
    secrets = work / "compose-secrets"
    run("deploy/make-secrets.sh", str(secrets))
    base_url = f"https://127.0.0.1:{HTTPS_PORT}"
    with compose_stack(secrets):
        cert = str(secrets / "tls.crt")
        wait_for(
            "/readyz through the proxy",
            lambda: httpx.get(base_url + "/readyz", verify=cert).status_code == 200,
        )
        seen = check_service(
            base_url, cert, f"{PROJECT}_web_1", f"{PROJECT}_scheduler_1", f"{PROJECT}_default"
        )
        with httpx.Client(base_url=base_url, verify=cert) as http:
            assert http.get("/static/govuk/govuk-frontend.min.css").status_code == 200
            for _ in range(10):
                assert http.get("/healthz").status_code == 200
        redirect = httpx.get(f"http://127.0.0.1:{HTTP_PORT}/check")
        assert redirect.status_code == 308 and redirect.headers["location"].startswith("https://"), redirect
        served = {name: access_lines(f"{PROJECT}_{name}") for name in ("web_1", "web_2")}
        assert all(served.values()), served
        seen["replicas"] = f"requests served per web replica {served}; plain HTTP redirects to HTTPS"
    return seen


def access_lines(container: str) -> int:
    """Count the requests a web container has logged."""
    out = subprocess.run([*PODMAN, "logs", container], capture_output=True, text=True, check=True)
    return sum('"crosscheck.access"' in line for line in (out.stdout + out.stderr).splitlines())


# -- Kubernetes under podman kube play ------------------------------------------------------------------


def load(path: str) -> list[dict]:
    """Read the documents of one manifest file."""
    return [doc for doc in yaml.safe_load_all((ROOT / "deploy/k8s" / path).read_text()) if doc]


def for_podman(docs: list[dict], secrets: Path) -> list[dict]:
    """Adapt manifests to what podman kube play runs.

    Only what podman lacks changes: Services are dropped (pods are reached by name, "<deployment>-pod-0"),
    the Job becomes a Pod, local images replace the public ones, container ports are dropped (see
    below), and the Secret volume becomes a hostPath of the same files (podman 4.3 writes a Secret
    volume's files still base64-encoded).
    """
    images = {"crosscheck": IMAGES["app"]}
    images |= {
        "docker.io/library/postgres:15-bookworm": IMAGES["postgres"],
        "docker.io/library/redis:7-bookworm": IMAGES["redis"],
    }
    kept = []
    for doc in docs:
        if doc["kind"] == "Service":
            continue
        if doc["kind"] == "Job":  # podman runs no Job: run its pod template as a Pod
            doc = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": doc["metadata"],
                "spec": doc["spec"]["template"]["spec"],
            }
        spec = doc["spec"]["template"]["spec"] if doc["kind"] == "Deployment" else doc.get("spec", {})
        for container in spec.get("containers", []):
            container["image"] = images[container["image"]]
            # podman 4.3 publishes every containerPort on the host (5432 and 6379 are taken there, and
            # two web pods cannot both have 8000): drop them, and probe the port by number.
            ports = {port.get("name"): port["containerPort"] for port in container.pop("ports", [])}
            for probe in ("livenessProbe", "readinessProbe"):
                if "httpGet" in container.get(probe, {}):
                    container[probe]["httpGet"]["port"] = ports[container[probe]["httpGet"]["port"]]
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                del volume["secret"]
                volume["hostPath"] = {"path": str(secrets), "type": "Directory"}
        kept.append(doc)
    return kept


def kube_secrets(work: Path) -> Path:
    """Write try-out/secret.yaml's values as files, naming the pods where the Services would be."""
    [secret] = load("try-out/secret.yaml")
    folder = work / "kube-secrets"
    folder.mkdir(mode=0o755)
    for key, value in secret["stringData"].items():
        value = value.replace("@postgres:", "@postgres-pod-0:").replace("//redis:", "//redis-pod-0:")
        (folder / key).write_text(value + "\n")
        (folder / key).chmod(0o644)
    return folder


@contextmanager
def kube_stack(work: Path):
    """Play the try-out data services, the migration and the app; remove them all on leaving."""
    secrets = kube_secrets(work)
    config = load("configmap.yaml")
    data = for_podman(load("try-out/postgres.yaml") + load("try-out/redis.yaml"), secrets)
    migrate = for_podman(config + load("migrate-job.yaml"), secrets)
    # The schedulers may deliver to the receiver on this host (see deploy/compose.test.yaml). podman 4.3
    # does not let env override envFrom, so they read a copy of the ConfigMap that says so.
    development = config[0] | {
        "metadata": {"name": "scheduler-test-config"},
        "data": config[0]["data"] | {"CROSSCHECK_ENV": "development"},
    }
    scheduler = load("scheduler.yaml")
    [container] = scheduler[0]["spec"]["template"]["spec"]["containers"]
    container["envFrom"] = [{"configMapRef": {"name": "scheduler-test-config"}}]
    app = for_podman([*config, development, *load("web.yaml"), *scheduler], secrets)
    files = []
    for name, docs in (("data", data), ("migrate", migrate), ("app", app)):
        files.append(work / f"kube-{name}.yaml")
        files[-1].write_text(yaml.safe_dump_all(docs, sort_keys=False))
    podman("network", "create", KUBE_NETWORK, check=False)
    try:
        play(files[0])
        pg_ready = ["exec", "postgres-pod-0-postgres", "pg_isready", "-U", "crosscheck", "-d", "crosscheck"]
        wait_for(
            "PostgreSQL",
            lambda: podman(*pg_ready, check=False, capture=True).endswith("accepting connections\n"),
        )
        play(files[1])
        status = podman("wait", "migrate-migrate", capture=True).strip()
        if status != "0":
            podman("logs", "migrate-migrate", check=False)
            raise RuntimeError(f"the migration Job's pod exited {status}")
        play(files[2])
        yield
    finally:
        for file in reversed(files):
            podman("kube", "down", str(file), check=False)
        podman("volume", "rm", "-f", "postgres-data", check=False)
        podman("network", "rm", "-f", KUBE_NETWORK, check=False)


def play(file: Path) -> None:
    """podman kube play one file on the test network."""
    podman("kube", "play", "--network", KUBE_NETWORK, str(file))


def pod_address(pod: str) -> str:
    """Return a pod's address on the test network."""
    infra = podman("pod", "inspect", pod, "--format", "{{.InfraContainerID}}", capture=True).strip()
    found = json.loads(
        podman("inspect", infra, "--format", "{{json .NetworkSettings.Networks}}", capture=True)
    )
    return found[KUBE_NETWORK]["IPAddress"]


def kube_phase(work: Path) -> dict:
    """Play deploy/k8s and check a web pod directly (podman has no Service or Ingress)."""
    with kube_stack(work):
        base_url = f"http://{pod_address('web-pod-0')}:8000"
        wait_for("/readyz of web-pod-0", lambda: httpx.get(base_url + "/readyz").status_code == 200)
        second = f"http://{pod_address('web-pod-1')}:8000"
        wait_for("/readyz of web-pod-1", lambda: httpx.get(second + "/readyz").status_code == 200)
        pods = podman("pod", "ps", "--format", "{{.Name}}", capture=True).split()
        seen = check_service(base_url, True, "web-pod-0-web", "scheduler-pod-0-scheduler", KUBE_NETWORK)
        seen["pods"] = " ".join(sorted(pods))
    return seen


# -- main ---------------------------------------------------------------------------------------------


def main() -> int:
    """Run every phase, timing each; return 0 when all checks passed."""
    os.environ.setdefault("CONTAINERS_CONF", str(ROOT / "deploy/containers.conf"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the teardown runs
    timings, results = {}, {}
    work = Path(tempfile.mkdtemp(prefix="crosscheck-container-test-"))
    started = time.monotonic()
    try:
        phases = {
            "images": lambda: build_images(),
            "compose": lambda: compose_phase(work),
            "kube": lambda: kube_phase(work),
        }
        for name in os.environ.get("PHASES", " ".join(phases)).split():
            phase = phases[name]
            log(f"== {name}")
            begun = time.monotonic()
            results[name] = phase()
            timings[name] = time.monotonic() - begun
            log(f"== {name}: passed in {timings[name]:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name, seen in results.items():
        for check, detail in (seen or {}).items():
            log(f"{name}: {check}: {detail}")
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
    log(f"all checks passed in {time.monotonic() - started:.0f} s ({phases})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
