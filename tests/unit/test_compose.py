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
