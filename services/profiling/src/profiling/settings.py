from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from gegenstrom_runtime.settings import ServiceSettings


class ProfilingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROFILING_", extra="ignore")
    service_name: ClassVar[str] = "profiling"
    http_port: int = 8002
    k_threshold: int = Field(
        5, ge=2, description="Smallest group aggregates describe until a works agreement says."
    )
    retention_interval_s: float = Field(
        3600.0, gt=0, description="How often data of long-closed rollouts is deleted."
    )
