"""The deployment files agree with the code and with each other: Containerfile, compose.yaml, deploy/k8s.

`make container-test` runs them under podman; these checks need no container engine, so `make test`
catches a broken reference (a secret, a probe path, a port, a label, a setting's name) at once. They
also cover what podman cannot run: Services, the Job, the PodDisruptionBudgets, the autoscaler, the
Ingress. Kubernetes' own JSON schemas are not available offline, so the rules are written out here.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.config import ENV_KEYS, SECRET_SETTINGS
from app.periodic_jobs import PERIODIC_JOBS
from deploy.healthcheck import health_port, role

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
# Settings the processes read besides app.config's: the environment name, the image's and gunicorn's.
OTHER_SETTINGS = {"CROSSCHECK_ENV", "WEB_CONCURRENCY", "PORT", "HOST", "PROMETHEUS_MULTIPROC_DIR"}
KNOWN_SETTINGS = set(ENV_KEYS) | {f"{name}_FILE" for name in SECRET_SETTINGS} | OTHER_SETTINGS
API_VERSIONS = {
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "PersistentVolumeClaim": "v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
    "PodDisruptionBudget": "policy/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "Ingress": "networking.k8s.io/v1",
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
}
APP_USER = 10001  # the Containerfile's USER
APP_PORT = 8000  # the Containerfile's PORT, where gunicorn.conf.py listens
METRICS_PORT = 9464  # METRICS_PORT in compose.yaml and the ConfigMap: web's /metrics, the schedulers' too
PROMETHEUS = ROOT / "deploy" / "prometheus"


def documents(path: Path) -> list[dict]:
    """Read every YAML document of a file."""
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def manifests() -> list[dict]:
    """Every Kubernetes object under deploy/k8s (try-out included), kustomizations left out."""
    found = [doc for path in sorted(K8S.rglob("*.yaml")) for doc in documents(path)]
    return [doc for doc in found if doc["kind"] != "Kustomization"]


def of_kind(kind: str) -> dict[str, dict]:
    """Return the manifests of one kind by name."""
    return {doc["metadata"]["name"]: doc for doc in manifests() if doc["kind"] == kind}


def pod_specs() -> dict[str, dict]:
    """Return the pod template of each Deployment and of the Job, by name."""
    specs = {name: doc["spec"]["template"]["spec"] for name, doc in of_kind("Deployment").items()}
    specs |= {f"job/{name}": doc["spec"]["template"]["spec"] for name, doc in of_kind("Job").items()}
    return specs


def app_specs() -> dict[str, dict]:
    """Return the pod templates that run the Crosscheck image."""
    return {n: s for n, s in pod_specs().items() if s["containers"][0]["image"] == "crosscheck"}


def entrypoint_commands() -> set[str]:
    """Return the commands deploy/entrypoint.sh knows (web, scheduler, migrate)."""
    text = (ROOT / "deploy" / "entrypoint.sh").read_text(encoding="utf-8")
    return {
        line.strip()[:-1] for line in text.splitlines() if line.strip() in ("web)", "scheduler)", "migrate)")
    }


# -- the image --------------------------------------------------------------------------------------


def test_the_image_builds_from_a_base_argument_with_a_public_default_and_runs_as_its_own_user():
    lines = (ROOT / "Containerfile").read_text(encoding="utf-8").splitlines()
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert instructions[0] == "ARG BASE=docker.io/library/debian:bookworm-slim"
    assert [line.split()[1] for line in instructions if line.startswith("FROM ")] == ["${BASE}", "${BASE}"]
    assert f"USER {APP_USER}:{APP_USER}" in instructions
    text = "\n".join(instructions)
    assert "-r /src/requirements.txt -c /src/constraints.txt" in text  # pinned, every transitive version
    assert "CROSSCHECK_ENV=production" in text and f"PORT={APP_PORT}" in text
    assert "COPY --from=build /src/govuk app/static/govuk" in text
    assert 'HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["python", ' in text
    assert instructions[-1] == 'CMD ["web"]'
    assert entrypoint_commands() == {"web", "scheduler", "migrate"}


def test_the_build_context_leaves_out_local_installs_data_and_secrets_the_same_way_for_both_tools():
    def entries(name):
        return [line for line in (ROOT / name).read_text().splitlines() if line and not line.startswith("#")]

    assert entries(".containerignore") == entries(".dockerignore")
    for path in (".git", ".venv", "node_modules", "instance", "bench/out", "deploy/secrets"):
        assert path in entries(".containerignore")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["tini", "--", "/app/deploy/entrypoint.sh", "web"], "web"),
        (["tini", "--", "/app/deploy/entrypoint.sh"], "web"),
        (["tini", "--", "/app/deploy/entrypoint.sh", "scheduler"], "scheduler"),
        (["python", "-m", "scheduler"], "web"),  # no entrypoint: a platform's own command, probed itself
    ],
)
def test_the_health_check_knows_which_command_the_container_runs(args, expected):
    assert role(args) == expected


def test_the_health_check_asks_web_on_its_port_and_a_scheduler_on_its_metrics_port():
    assert health_port("web", {"PORT": "8000", "METRICS_PORT": "9464"}) == "8000"
    assert health_port("scheduler", {"PORT": "8000", "METRICS_PORT": "9464"}) == "9464"
    assert health_port("scheduler", {"PORT": "8000"}) is None  # no metrics port: no HTTP to ask
    assert health_port("scheduler", {"METRICS_PORT": "0"}) is None
    assert health_port("migrate", {"METRICS_PORT": "9464"}) is None


def run_wait(url: str, seconds: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run deploy/wait_for_database.py against `url` with development settings."""
    env = {
        "CROSSCHECK_ENV": "development",
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "wait_for_database.py"), seconds],
        env=env | {"HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_migration_waits_for_a_database_that_answers(tmp_path):
    assert run_wait(f"sqlite:///{tmp_path / 'db.sqlite'}", "5", tmp_path).returncode == 0


def test_the_migration_gives_up_on_an_unreachable_database_without_printing_its_url(tmp_path):
    ran = run_wait("postgresql+psycopg://crosscheck:hunter2-password@127.0.0.1:9/crosscheck", "0", tmp_path)
    assert ran.returncode == 1
    assert ran.stderr.strip() == "database not reachable: OperationalError"


# -- compose.yaml -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_two_web_replicas_two_schedulers_and_the_services_they_need(compose):
    services = compose["services"]
    assert set(services) == {"proxy", "web", "scheduler", "migrate", "postgres", "redis"}
    for name in ("web", "scheduler"):
        assert services[name]["deploy"]["replicas"] == 2
        assert services[name]["deploy"]["mode"] == "replicated"  # podman-compose needs it for replicas
    assert {services[name]["command"][0] for name in ("web", "scheduler", "migrate")} == entrypoint_commands()
    assert services["web"]["image"] == services["scheduler"]["image"] == services["migrate"]["image"]
    assert "postgres-data" in compose["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_compose_migrates_before_web_and_schedulers_start(compose):
    services = compose["services"]
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["migrate"]["restart"] == "no"
    assert "healthcheck" in services["postgres"]


def test_compose_settings_are_known_and_secrets_come_from_declared_files(compose):
    services = compose["services"]
    for name in ("web", "scheduler", "migrate"):
        environment = services[name]["environment"]
        assert set(environment) <= KNOWN_SETTINGS, set(environment) - KNOWN_SETTINGS
        assert environment["CROSSCHECK_ENV"] == "production"
        for setting, value in environment.items():
            if setting.endswith("_FILE"):
                secret = value.removeprefix("/run/secrets/")
                assert secret in services[name]["secrets"] and secret in compose["secrets"]
        assert not {"SECRET_KEY", "DATABASE_URL"} & set(environment)  # only as files
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == "1"  # nginx in front
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    for service in services.values():
        assert set(service.get("secrets", [])) <= set(compose["secrets"])


def test_compose_serves_metrics_on_the_compose_network_only(compose):
    services = compose["services"]
    for name in ("web", "scheduler"):
        assert services[name]["environment"]["METRICS_PORT"] == str(METRICS_PORT)
        assert str(METRICS_PORT) in services[name]["expose"]
        assert "ports" not in services[name]  # nothing of theirs is published on the host
    assert services["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert not any(str(METRICS_PORT) in port for port in published)


def test_the_proxy_ends_tls_with_the_compose_secrets_and_overwrites_the_forwarded_address(compose):
    conf = (ROOT / "deploy" / "proxy" / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 443 ssl" in conf and "return 308 https://" in conf
    for secret in ("tls_cert", "tls_key"):
        assert f"/run/secrets/{secret};" in conf
        assert secret in compose["services"]["proxy"]["secrets"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # never appended: not forgeable
    assert "set $web @UPSTREAM@;" in conf
    assert "web:8000" in (ROOT / "deploy" / "proxy" / "start.sh").read_text(encoding="utf-8")
    assert any(port.endswith(":443") for port in compose["services"]["proxy"]["ports"])


# -- Kubernetes -------------------------------------------------------------------------------------


def test_every_manifest_names_a_known_kind_and_its_api_version():
    for path in sorted(K8S.rglob("*.yaml")):
        for doc in documents(path):
            assert API_VERSIONS.get(doc["kind"]) == doc["apiVersion"], (path.name, doc["kind"])
            assert doc["kind"] == "Kustomization" or doc["metadata"]["name"], path.name


@pytest.mark.parametrize("folder", [K8S, K8S / "try-out"])
def test_each_kustomization_lists_every_manifest_of_its_folder(folder):
    [kustomization] = documents(folder / "kustomization.yaml")
    listed = set(kustomization["resources"])
    files = {p.name for p in folder.glob("*.yaml")} - {"kustomization.yaml"}
    assert files <= listed
    for resource in listed:
        assert (folder / resource).exists(), resource


def test_the_base_holds_no_secret_and_the_try_out_one_has_every_file_the_settings_name():
    assert not any(doc["kind"] == "Secret" for path in K8S.glob("*.yaml") for doc in documents(path))
    [config] = of_kind("ConfigMap").values()
    [secret] = of_kind("Secret").values()
    assert set(config["data"]) <= KNOWN_SETTINGS, set(config["data"]) - KNOWN_SETTINGS
    files = {value.rsplit("/", 1)[1] for key, value in config["data"].items() if key.endswith("_FILE")}
    assert files == set(secret["stringData"])
    assert "@postgres:5432/" in secret["stringData"]["database_url"]  # the try-out Service
    assert config["data"]["CROSSCHECK_ENV"] == "production"


def test_app_pods_read_the_config_map_and_mount_the_secret_where_the_settings_point():
    [config] = of_kind("ConfigMap")
    [secret] = of_kind("Secret")
    folders = {
        value.rsplit("/", 1)[0]
        for key, value in of_kind("ConfigMap")[config]["data"].items()
        if "_FILE" in key
    }
    specs = app_specs()
    assert set(specs) == {"web", "scheduler", "job/migrate"}
    for name, spec in specs.items():
        [container] = spec["containers"]
        assert container["envFrom"] == [{"configMapRef": {"name": config}}], name
        volumes = {v["name"]: v for v in spec["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert {volumes[mounts[folder]]["secret"]["secretName"] for folder in folders} == {secret}, name
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == APP_USER
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert "/tmp" in mounts  # gunicorn's worker heartbeat files, Python's temporary files


def test_app_pods_run_the_image_commands_with_requests_and_limits():
    commands = {name: spec["containers"][0]["args"] for name, spec in app_specs().items()}
    assert commands == {"web": ["web"], "scheduler": ["scheduler"], "job/migrate": ["migrate"]}
    for name, spec in pod_specs().items():
        for container in spec["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert "memory" in resources["limits"], name


def test_web_probes_liveness_on_healthz_and_readiness_on_readyz_at_its_port():
    [container] = pod_specs()["web"]["containers"]
    assert container["ports"] == [
        {"name": "http", "containerPort": APP_PORT},
        {"name": "metrics", "containerPort": METRICS_PORT},
    ]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}


def test_schedulers_probe_liveness_over_http_on_their_metrics_port_and_readiness_on_the_database():
    [container] = pod_specs()["scheduler"]["containers"]
    assert container["ports"] == [{"name": "metrics", "containerPort": METRICS_PORT}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    # Past the liveness window (scheduler/metrics.py) before a restart, not at the first slow answer.
    probe = container["livenessProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] >= 60
    readiness = container["readinessProbe"]["exec"]["command"]
    assert readiness == ["python", "/app/deploy/wait_for_database.py", "0"]


def test_metrics_ports_are_scraped_in_the_cluster_and_reach_no_service_or_ingress():
    [config] = of_kind("ConfigMap").values()
    assert config["data"]["METRICS_PORT"] == str(METRICS_PORT)
    for name in ("web", "scheduler"):
        deployment = of_kind("Deployment")[name]
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(METRICS_PORT)
        assert annotations["prometheus.io/path"] == "/metrics"
    for service in of_kind("Service").values():
        for port in service["spec"]["ports"]:
            assert port["targetPort"] != "metrics" and port.get("port") != METRICS_PORT
    [web] = pod_specs()["web"]["containers"]
    assert {"name": "PROMETHEUS_MULTIPROC_DIR", "value": "/tmp/metrics"} in web[
        "env"
    ]  # under the /tmp volume


def selects(selector: dict, deployment: dict) -> bool:
    """Tell whether a label selector picks the pods of a Deployment."""
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    return selector.items() <= labels.items()


def test_deployments_select_their_own_pods():
    for name, deployment in of_kind("Deployment").items():
        assert selects(deployment["spec"]["selector"]["matchLabels"], deployment), name


def test_services_route_to_a_deployments_named_port():
    deployments = of_kind("Deployment")
    for name, service in of_kind("Service").items():
        [target] = [d for d in deployments.values() if selects(service["spec"]["selector"], d)]
        ports = {p["name"] for c in target["spec"]["template"]["spec"]["containers"] for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, name


def test_the_ingress_sends_tls_traffic_to_the_web_service():
    [ingress] = of_kind("Ingress").values()
    assert ingress["spec"]["tls"][0]["secretName"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = of_kind("Service")[backend["name"]]
    assert backend["port"]["name"] in {port["name"] for port in service["spec"]["ports"]}


def test_disruption_budgets_keep_a_pod_of_each_deployment_they_cover():
    deployments = of_kind("Deployment")
    budgets = of_kind("PodDisruptionBudget")
    assert set(budgets) == {"web", "scheduler"}
    for name, budget in budgets.items():
        [target] = [d for d in deployments.values() if selects(budget["spec"]["selector"]["matchLabels"], d)]
        assert 1 <= budget["spec"]["minAvailable"] < target["spec"]["replicas"], name


def test_the_autoscaler_scales_web_from_its_replica_count_on_cpu():
    [hpa] = of_kind("HorizontalPodAutoscaler").values()
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == ("apps/v1", "Deployment", "web")
    assert (
        hpa["spec"]["minReplicas"]
        == of_kind("Deployment")["web"]["spec"]["replicas"]
        <= hpa["spec"]["maxReplicas"]
    )
    [metric] = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert "requests" in pod_specs()["web"]["containers"][0]["resources"]  # utilisation is of the request


def test_the_migration_job_runs_once_and_is_retried_a_bounded_number_of_times():
    [job] = of_kind("Job").values()
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert 0 < job["spec"]["backoffLimit"] <= 5
    assert job["spec"]["activeDeadlineSeconds"] > 0


# -- Prometheus ---------------------------------------------------------------------------------------

METRIC = re.compile(r"\b(crosscheck_[a-z0-9_]+|up|probe_success)\b")
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}


def exported_metrics(engine) -> set[str]:
    """Return the name of every sample Crosscheck's processes export, the scrape-time backlog included."""
    from prometheus_client import REGISTRY

    import app.metrics  # noqa: F401  (registers the web app's metrics)
    from scheduler.metrics import Backlog

    families = [*REGISTRY.collect(), *Backlog(engine).collect()]
    return {
        family.name + suffix
        for family in families
        if family.name.startswith("crosscheck_")
        for suffix in SUFFIXES[family.type]
    }


def alert_rules() -> list[dict]:
    """Return every rule of deploy/prometheus/alert-rules.yaml."""
    [document] = documents(PROMETHEUS / "alert-rules.yaml")
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_every_alert_rule_reads_metrics_we_export_or_prometheus_makes(engine):
    exported = exported_metrics(engine)
    assert {"crosscheck_deliveries_due", "crosscheck_job_failures_total"} <= exported
    rules = alert_rules()
    assert len({rule["alert"] for rule in rules}) == len(rules)
    for rule in rules:
        read = set(METRIC.findall(rule["expr"]))
        assert read, rule["alert"]
        assert read - {"up", "probe_success"} <= exported, (rule["alert"], read - exported)
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0s")), rule["alert"]


def test_the_alert_rules_cover_backlog_dead_letters_jobs_and_readiness():
    exprs = {rule["alert"]: rule["expr"] for rule in alert_rules()}
    assert "crosscheck_deliveries_oldest_due_age_seconds" in exprs["CrosscheckDeliveryBacklogOld"]
    assert 'outcome="dead"' in exprs["CrosscheckDeadDeliveries"]
    assert "crosscheck_job_last_success_timestamp_seconds" in exprs["CrosscheckDailyJobNotRun"]
    assert "probe_success" in exprs["CrosscheckNotReady"] and "up{" in exprs["CrosscheckTargetDown"]
    periodic = {job.name for job in PERIODIC_JOBS}
    for expr in exprs.values():
        assert set(re.findall(r'job!?="(\w+)"', expr)) <= periodic  # a periodic job's name, if any


def test_the_example_scrape_configuration_names_the_jobs_the_rules_read():
    [config] = documents(PROMETHEUS / "prometheus.yaml")
    assert config["rule_files"] == ["alert-rules.yaml"]
    jobs = {scrape["job_name"] for scrape in config["scrape_configs"]}
    named = {name for rule in alert_rules() for name in re.findall(r"crosscheck-[a-z]+", rule["expr"])}
    assert named <= jobs == {"crosscheck-web", "crosscheck-scheduler", "crosscheck-readyz"}


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_alert_rules():
    # Rules only: Debian's Prometheus is built without Kubernetes discovery, which prometheus.yaml uses.
    checked = subprocess.run(
        ["promtool", "check", "rules", "alert-rules.yaml"],
        cwd=PROMETHEUS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
