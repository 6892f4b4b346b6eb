"""docker-compose.yml cannot run here; this keeps it honest against the code."""

import re
from pathlib import Path

import pytest
import yaml

from intake.main import create_app as intake_app
from intake.settings import IntakeSettings
from notification.main import create_app as notification_app
from notification.settings import NotificationSettings
from profiling.main import create_app as profiling_app
from profiling.settings import ProfilingSettings
from training_match.main import create_app as training_match_app
from training_match.settings import TrainingMatchSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = {
    "intake": (IntakeSettings, intake_app),
    "profiling": (ProfilingSettings, profiling_app),
    "training-match": (TrainingMatchSettings, training_match_app),
    "notification": (NotificationSettings, notification_app),
}


def env_prefix(settings_cls) -> str:
    return settings_cls.model_config["env_prefix"]


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_builds_its_own_package(name):
    settings_cls, _ = SERVICES[name]
    package = COMPOSE["services"][name]["build"]["args"]["SERVICE"]
    assert package == settings_cls.service_name
    assert (REPO / "services" / package / "src" / package / "__main__.py").is_file()


@pytest.mark.parametrize("name", SERVICES)
def test_environment_names_only_settings_that_exist(name):
    settings_cls, _ = SERVICES[name]
    environment = COMPOSE["services"][name]["environment"]
    fields = {env_prefix(settings_cls) + f.upper() for f in settings_cls.model_fields}
    assert set(environment) <= fields, set(environment) - fields
    settings = settings_cls.model_validate(
        {k.removeprefix(env_prefix(settings_cls)).lower(): v for k, v in environment.items()}
    )
    host, port = settings.kafka_bootstrap.split(":")
    assert (
        host in COMPOSE["services"]
        and f"PLAINTEXT://:{port}" in (COMPOSE["services"][host]["environment"]["KAFKA_LISTENERS"])
    )
    assert re.match(r"mongodb://mongo:27017/", settings.mongo_uri)
    assert "mongo" in COMPOSE["services"]


@pytest.mark.parametrize("name", SERVICES)
def test_published_port_and_healthcheck_match_the_app(name):
    settings_cls, create_app = SERVICES[name]
    service = COMPOSE["services"][name]
    port = int(service["environment"][f"{env_prefix(settings_cls)}HTTP_PORT"])
    assert service["ports"] == [f"{port}:{port}"]
    assert port == settings_cls().http_port, "compose and `make run` use the same ports"
    probe = " ".join(service["healthcheck"]["test"])
    url_path = re.search(rf"127\.0\.0\.1:{port}(/\w+)", probe)
    assert url_path, probe
    assert url_path.group(1) in create_app().openapi()["paths"]


def test_infrastructure_images_are_the_official_ones():
    assert COMPOSE["services"]["kafka"]["image"].startswith("apache/kafka:4.")
    assert COMPOSE["services"]["mongo"]["image"] == "mongo:8"
    assert "--replSet" in COMPOSE["services"]["mongo"]["command"]


def test_notification_finds_intake_by_its_compose_name():
    environment = COMPOSE["services"]["notification"]["environment"]
    assert environment["NOTIFICATION_INTAKE_URL"] == "http://intake:8001"
    assert all(
        f"{env_prefix(cls)}AUTH_SECRET" in COMPOSE["services"][name]["environment"]
        for name, (cls, _) in SERVICES.items()
    )


# ---------------------------------------------------------------- monitoring

PROMETHEUS = yaml.safe_load((REPO / "deploy/prometheus/compose/prometheus.yml").read_text())
GRAFANA = REPO / "deploy/grafana"


def mounts(name: str) -> dict[str, str]:
    """Bind mounts of a compose service: container path -> host path (repo-relative)."""
    volumes = [v.split(":") for v in COMPOSE["services"][name]["volumes"]]
    return {v[1]: v[0].removeprefix("./") for v in volumes if v[0].startswith("./")}


def test_every_image_is_pinned():
    for name, service in COMPOSE["services"].items():
        if "image" in service:
            image, _, tag = service["image"].rpartition(":")
            assert image and tag and tag != "latest", f"{name}: {service['image']}"
            assert re.fullmatch(r"v?\d+(\.\d+)*", tag), f"{name}: a version tag"


def test_the_stack_is_the_four_services_and_their_infrastructure():
    assert set(COMPOSE["services"]) == {*SERVICES, "kafka", "mongo", "prometheus", "grafana"}
    assert COMPOSE["services"]["prometheus"]["image"].startswith("prom/prometheus:")
    assert COMPOSE["services"]["grafana"]["image"].startswith("grafana/grafana:")


def test_prometheus_scrapes_every_service_metrics_route():
    targets = {
        target: job.get("metrics_path", "/metrics")
        for job in PROMETHEUS["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    expected = {f"{name}:{cls().http_port}" for name, (cls, _) in SERVICES.items()}
    assert set(targets) == expected
    for name, (_, create_app) in SERVICES.items():
        assert targets[f"{name}:{SERVICES[name][0]().http_port}"] in create_app().openapi()["paths"]


def test_prometheus_gets_its_config_and_the_alert_rules_mounted():
    mounted = mounts("prometheus")
    command = COMPOSE["services"]["prometheus"]["command"]
    config = next(c.split("=", 1)[1] for c in command if c.startswith("--config.file="))
    assert mounted[config] == "deploy/prometheus/compose/prometheus.yml"
    assert PROMETHEUS["rule_files"], "alerts are evaluated"
    for rules in PROMETHEUS["rule_files"]:
        assert mounted[rules] == "deploy/prometheus/alerts.yml"
    assert all((REPO / host).is_file() for host in mounted.values()), "else Docker makes a dir"


def test_prometheus_labels_the_targets_as_the_local_config_does():
    """Alerts and dashboards select job and service labels; compose and `make run` agree."""
    local = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())

    def by_port(config: dict) -> dict[str, tuple[str, dict]]:
        return {
            target.rsplit(":", 1)[1]: (job["job_name"], static.get("labels", {}))
            for job in config["scrape_configs"]
            for static in job["static_configs"]
            for target in static["targets"]
        }

    assert by_port(PROMETHEUS) == by_port(local)


def test_grafana_provisions_prometheus_and_the_dashboards_folder():
    mounted = mounts("grafana")
    assert mounted["/etc/grafana/provisioning"] == "deploy/grafana/provisioning"
    [source] = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())[
        "datasources"
    ]
    host_port = re.fullmatch(r"http://([\w-]+):(\d+)", source["url"])
    assert host_port, source["url"]
    assert host_port.group(1) in COMPOSE["services"]
    assert (
        f"{host_port.group(2)}:{host_port.group(2)}" in COMPOSE["services"]["prometheus"]["ports"]
    )
    [provider] = yaml.safe_load((GRAFANA / "provisioning/dashboards/dashboards.yml").read_text())[
        "providers"
    ]
    assert mounted[provider["options"]["path"]] == "deploy/grafana/dashboards"
    assert (GRAFANA / "dashboards").is_dir()


def test_grafana_has_no_default_password():
    environment = COMPOSE["services"]["grafana"]["environment"]
    assert environment["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
    assert environment["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")
