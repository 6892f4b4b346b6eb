"""Settings every service shares; each service subclasses with its own env prefix."""

from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from gegenstrom_runtime.auth import DEV_SECRET


class ServiceSettings(BaseSettings):
    """Read from the environment, e.g. ``PROFILING_KAFKA_BOOTSTRAP`` for profiling."""

    model_config = SettingsConfigDict(extra="ignore")
    service_name: ClassVar[str]

    kafka_bootstrap: str = "127.0.0.1:9092"
    mongo_uri: str = "mongodb://127.0.0.1:27017"
    mongo_database: str = Field("", description="Defaults to gegenstrom_<service>.")
    topic_prefix: str = Field("", description="Put in front of every topic and group name.")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    graceful_timeout_s: float = Field(15.0, gt=0, description="In-flight work may finish.")
    max_delivery_attempts: int = Field(
        5, ge=1, description="Then a failing record is dead-lettered."
    )
    consumer_batch_size: int = Field(
        200, ge=1, description="Records handled in one MongoDB transaction and one commit."
    )
    outbox_poll_interval_s: float = Field(1.0, gt=0)
    hold_before_publish: bool = Field(False, description="Fault injection for crash tests only.")
    auth_secret: SecretStr = Field(
        SecretStr(DEV_SECRET), description="Signs bearer tokens; the same in every service."
    )
    gauges_interval_s: float = Field(
        30.0,
        gt=0,
        description="Pause between two recomputations of the domain gauges from MongoDB; "
        "after a long round the pause grows, to keep to GAUGES_SHARE of the time.",
    )
    max_body_bytes: int = Field(20 * 1024 * 1024, gt=0, description="Larger requests get 413.")

    @property
    def database_name(self) -> str:
        return self.mongo_database or f"gegenstrom_{self.service_name}"

    def consumer_group(self, topic: str) -> str:
        """One group per service and topic: a new subscription never rebalances the others."""
        return f"{self.topic_prefix}{self.service_name}.{topic}"
