"""The Kubernetes manifests cannot be applied here; this keeps them honest against the code.

Overlays are rendered with `kubectl kustomize` (no cluster needed); without kubectl the
tests that need a rendering are skipped and the base files are read as they are.
"""

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI

import intake.main
import notification.main
import profiling.main
import training_match.main
from gegenstrom_contracts.topics import ALL_TOPICS, Topic
from gegenstrom_runtime.service import ServiceSpec, create_service_app
from gegenstrom_runtime.settings import ServiceSettings
from intake.settings import IntakeSettings
from notification.settings import NotificationSettings
from profiling.settings import ProfilingSettings
from training_match.settings import TrainingMatchSettings

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
OVERLAYS = ["dev", "prod"]
ROOTS: dict[str, tuple[type[ServiceSettings], Any]] = {
    "intake": (IntakeSettings, intake.main),
    "profiling": (ProfilingSettings, profiling.main),
    "training-match": (TrainingMatchSettings, training_match.main),
    "notification": (NotificationSettings, notification.main),
}
KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


# ---------------------------------------------------------------- what the code says


@cache
def wired(name: str) -> tuple[ServiceSpec, FastAPI]:
    """The service's spec and app as its composition root builds them (connects nothing)."""
    root = ROOTS[name][1]
    specs: list[ServiceSpec] = []

    def capture(spec: ServiceSpec) -> FastAPI:
        specs.append(spec)
        return create_service_app(spec)

    original = root.create_service_app
    root.create_service_app = capture
    try:
        app = root.create_app()
    finally:
        root.create_service_app = original
    [spec] = specs
    return spec, app


def routes(name: str) -> set[str]:
    """The app's GET paths. (FastAPI 0.165 nests included routers in ``app.routes``; the
    OpenAPI document lists them flat, and the health routes are in it.)"""
    paths = wired(name)[1].openapi()["paths"]
    return {path for path, operations in paths.items() if "get" in operations}


def consumed(name: str) -> list[Topic]:
    spec, app = wired(name)
    return [c.topic for c in spec.consumes(app.state.infra)]


def topics_the_services_use() -> dict[str, int]:
    """Every topic some service ensures at start, with the contract's partition count."""
    wanted: dict[str, int] = {}
    for name in ROOTS:
        spec, _ = wired(name)
        for topic in [*spec.publishes, *consumed(name), *(t.dlq for t in consumed(name))]:
            wanted[topic.name] = topic.partitions
    return wanted


def prefix(name: str) -> str:
    return str(ROOTS[name][0].model_config["env_prefix"])


def dockerfile_user() -> int:
    match = re.search(r"^USER (\d+)$", (REPO / "Dockerfile").read_text(), re.MULTILINE)
    assert match, "the Dockerfile runs as a numeric non-root user"
    return int(match.group(1))


# ---------------------------------------------------------------- what the manifests say


@cache
def rendered(overlay: str) -> tuple[dict, ...]:
    if overlay == "base" and KUBECTL is None:
        files = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())["resources"]
        return tuple(
            doc
            for file in files
            for doc in yaml.safe_load_all((K8S / "base" / file).read_text())
            if doc
        )
    if KUBECTL is None:
        pytest.skip("kubectl is not installed")
    path = K8S / ("base" if overlay == "base" else f"overlays/{overlay}")
    out = subprocess.run(
        [KUBECTL, "kustomize", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def of_kind(overlay: str, kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in rendered(overlay) if d["kind"] == kind}


def container(overlay: str, name: str) -> dict:
    [only] = of_kind(overlay, "Deployment")[name]["spec"]["template"]["spec"]["containers"]
    return only


def pod_specs(overlay: str) -> list[dict]:
    workloads = [*of_kind(overlay, "Deployment").values(), *of_kind(overlay, "Job").values()]
    return [w["spec"]["template"]["spec"] for w in workloads]


def config_map(overlay: str, generated: str) -> dict[str, str]:
    """A ConfigMap by its name before kustomize's hash suffix."""
    [data] = [
        d.get("data", {})
        for name, d in of_kind(overlay, "ConfigMap").items()
        if re.fullmatch(rf"{generated}(-[a-z0-9]{{10}})?", name)
    ]
    return data


def environment(overlay: str, name: str) -> dict[str, str]:
    """The container's environment as the pod sees it; secrets become a stand-in."""
    c = container(overlay, name)
    env: dict[str, str] = {}
    for source in c.get("envFrom", []):
        keys = config_map(overlay, source["configMapRef"]["name"])
        env |= {source.get("prefix", "") + k: v for k, v in keys.items()}
    for var in c.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "secretKeyRef" in var["valueFrom"]:
            env[var["name"]] = "s" * 40
        else:
            ref = var["valueFrom"]["configMapKeyRef"]
            env[var["name"]] = config_map(overlay, ref["name"])[ref["key"]]
    return env


def read_topics(path: Path) -> dict[str, int]:
    rows = [line.split() for line in path.read_text().splitlines() if not line.startswith("#")]
    return {topic: int(partitions) for topic, partitions in rows if topic}


def quantity(value: str | int) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "": 1}
    match = re.fullmatch(r"([\d.]+)(m|Ki|Mi|Gi|)", str(value))
    assert match, f"a quantity: {value}"
    return float(match.group(1)) * units[match.group(2)]


# ---------------------------------------------------------------- the checks

ALL = ["base", *OVERLAYS]
BOOTSTRAP = {"config", "topics"}


@pytest.mark.parametrize("overlay", ALL)
def test_one_deployment_and_service_per_service(overlay):
    assert set(of_kind(overlay, "Deployment")) == set(ROOTS)
    assert set(of_kind(overlay, "Service")) == set(ROOTS)


@pytest.mark.parametrize("overlay", ALL)
@pytest.mark.parametrize("name", ROOTS)
def test_ports_match_the_settings(overlay, name):
    port = ROOTS[name][0]().http_port
    c = container(overlay, name)
    [container_port] = c["ports"]
    assert container_port["containerPort"] == port
    assert int(environment(overlay, name)[f"{prefix(name)}HTTP_PORT"]) == port
    service = of_kind(overlay, "Service")[name]["spec"]
    [service_port] = service["ports"]
    assert service_port["port"] == port
    assert service_port["targetPort"] in (port, container_port["name"])
    pod_labels = of_kind(overlay, "Deployment")[name]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= pod_labels.items()


@pytest.mark.parametrize("overlay", ALL)
@pytest.mark.parametrize("name", ROOTS)
def test_environment_names_only_settings_that_exist(overlay, name):
    settings_cls = ROOTS[name][0]
    env = environment(overlay, name)
    fields = {prefix(name) + f.upper() for f in settings_cls.model_fields}
    assert set(env) <= fields, set(env) - fields
    for source in container(overlay, name).get("envFrom", []):
        assert source["prefix"] == prefix(name), "shared settings get the service's prefix"
    settings = settings_cls.model_validate(
        {k.removeprefix(prefix(name)).lower(): v for k, v in env.items()}
    )
    assert settings.http_host == "0.0.0.0", "reachable from the Service"
    assert "replicaSet=" in settings.mongo_uri, "transactions need a replica set"


@pytest.mark.parametrize("overlay", ALL)
@pytest.mark.parametrize("name", ROOTS)
def test_auth_secret_comes_from_a_secret(overlay, name):
    [var] = [
        v for v in container(overlay, name)["env"] if v["name"] == f"{prefix(name)}AUTH_SECRET"
    ]
    ref = var["valueFrom"]["secretKeyRef"]
    [example] = [d for d in rendered("base") if d["kind"] == "Secret"]
    assert (ref["name"], ref["key"]) == (example["metadata"]["name"], "AUTH_SECRET")
    assert "REPLACE" in example["stringData"]["AUTH_SECRET"], "an example, never a real secret"


@needs_kubectl
def test_prod_brings_no_secret_of_its_own():
    assert not of_kind("prod", "Secret"), "prod's Secret comes from the secret store"


@pytest.mark.parametrize("overlay", ALL)
def test_notification_finds_intake_by_its_service(overlay):
    url = environment(overlay, "notification")["NOTIFICATION_INTAKE_URL"]
    assert url == f"http://intake:{IntakeSettings().http_port}"


@pytest.mark.parametrize("overlay", ALL)
@pytest.mark.parametrize("name", ROOTS)
def test_probes_are_routes_of_the_app(overlay, name):
    c = container(overlay, name)
    probes = {kind: c[f"{kind}Probe"]["httpGet"] for kind in ("startup", "liveness", "readiness")}
    assert probes["liveness"]["path"] == "/healthz"
    assert probes["readiness"]["path"] == "/readyz"
    for probe in probes.values():
        assert probe["path"] in routes(name)
        assert probe["port"] in ("http", ROOTS[name][0]().http_port)


@pytest.mark.parametrize("overlay", ALL)
@pytest.mark.parametrize("name", ROOTS)
def test_prometheus_scrapes_the_metrics_route(overlay, name):
    annotations = of_kind(overlay, "Deployment")[name]["spec"]["template"]["metadata"][
        "annotations"
    ]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == ROOTS[name][0]().http_port
    assert annotations["prometheus.io/path"] in routes(name)


@pytest.mark.parametrize("overlay", ALL)
def test_every_container_is_locked_down(overlay):
    for pod in pod_specs(overlay):
        assert pod["securityContext"]["runAsNonRoot"] is True
        tmp_volumes = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for c in pod["containers"]:
            security = c["securityContext"]
            assert security["runAsNonRoot"] is True
            assert security["runAsUser"] > 0
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            assert any(
                m["mountPath"] == "/tmp" and m["name"] in tmp_volumes for m in c["volumeMounts"]
            ), f"{c['name']}: a writable /tmp"


@pytest.mark.parametrize("overlay", ALL)
@pytest.mark.parametrize("name", ROOTS)
def test_services_run_as_the_dockerfile_user(overlay, name):
    assert container(overlay, name)["securityContext"]["runAsUser"] == dockerfile_user()


@pytest.mark.parametrize("overlay", ALL)
def test_every_container_has_requests_and_limits(overlay):
    for pod in pod_specs(overlay):
        for c in pod["containers"]:
            resources = c["resources"]
            for resource in ("cpu", "memory"):
                request = quantity(resources["requests"][resource])
                assert 0 < request <= quantity(resources["limits"][resource]), c["name"]


@pytest.mark.parametrize("overlay", ALL)
def test_images_are_the_services_own_and_share_a_tag(overlay):
    tags = set()
    for name, (settings_cls, _) in ROOTS.items():
        image = container(overlay, name)["image"]
        repository, _, tag = image.rpartition(":") if ":" in image else (image, "", "")
        package = repository.rsplit("/", 1)[-1].removeprefix("gegenstrom-")
        assert package == settings_cls.service_name, image
        assert (REPO / "services" / package / "src" / package / "__main__.py").is_file()
        tags.add(tag)
    assert len(tags) == 1, f"one release of all four: {tags}"
    if overlay != "base":
        assert tags != {""} and tags != {"latest"}, "overlays pin a tag"


@pytest.mark.parametrize("path", ["base/topics.txt", "overlays/prod/topics.txt"])
def test_topics_job_creates_every_topic_with_enough_partitions(path):
    listed = read_topics(K8S / path)
    wanted = topics_the_services_use()
    assert set(listed) == set(wanted)
    too_few = {t: (n, wanted[t]) for t, n in listed.items() if n < wanted[t]}
    assert not too_few, "fewer partitions than topics.py: the services would not fix it"
    assert set(wanted) <= {t.name for t in ALL_TOPICS} | {t.dlq.name for t in ALL_TOPICS}


def test_prod_has_no_fewer_partitions_than_base():
    base = read_topics(K8S / "base/topics.txt")
    prod = read_topics(K8S / "overlays/prod/topics.txt")
    assert all(prod[t] >= n for t, n in base.items())


@pytest.mark.parametrize("overlay", ALL)
def test_topics_job_reads_the_shared_config(overlay):
    [job] = of_kind(overlay, "Job").values()
    [c] = job["spec"]["template"]["spec"]["containers"]
    assert c["image"].startswith("apache/kafka:4.")
    shared = config_map(overlay, "gegenstrom-config")
    for var in c["env"]:
        if "valueFrom" in var:
            assert var["valueFrom"]["configMapKeyRef"]["key"] in shared
    assert set(shared) <= {f.upper() for f in ServiceSettings.model_fields}


@needs_kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_replicas_fit_the_partitions(overlay):
    """A consumer group uses at most as many consumers as the topic has partitions."""
    partitions = read_topics(
        K8S / ("overlays/prod/topics.txt" if overlay == "prod" else "base/topics.txt")
    )
    for name in [name for name in ROOTS if consumed(name)]:
        replicas = of_kind(overlay, "Deployment")[name]["spec"]["replicas"]
        most = max(partitions[t.name] for t in consumed(name))
        assert replicas <= most, f"{name}: {replicas} replicas, at most {most} partitions"


@needs_kubectl
def test_prod_runs_more_than_one_replica_and_a_disruption_budget():
    deployments = of_kind("prod", "Deployment")
    assert all(d["spec"]["replicas"] >= 2 for d in deployments.values())
    budgets = of_kind("prod", "PodDisruptionBudget")
    assert {
        b["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] for b in budgets.values()
    } == set(deployments)


@needs_kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_topics_job_can_be_applied_alone_first(overlay):
    """docs/scaling.md applies `-l 'app.kubernetes.io/component in (config,topics)'` first."""
    first = {
        (d["kind"], d["metadata"]["name"])
        for d in rendered(overlay)
        if d["metadata"].get("labels", {}).get("app.kubernetes.io/component") in BOOTSTRAP
    }
    [job] = of_kind(overlay, "Job").values()
    assert ("Job", job["metadata"]["name"]) in first
    pod = job["spec"]["template"]["spec"]
    needed = {("ConfigMap", v["configMap"]["name"]) for v in pod["volumes"] if "configMap" in v}
    needed |= {
        ("ConfigMap", var["valueFrom"]["configMapKeyRef"]["name"])
        for var in pod["containers"][0]["env"]
        if "valueFrom" in var
    }
    assert needed <= first
    assert not {kind for kind, _ in first} & {"Deployment", "Service"}
