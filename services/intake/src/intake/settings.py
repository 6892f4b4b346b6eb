from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from gegenstrom_runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service_name: ClassVar[str] = "intake"
    http_port: int = 8001
    k_threshold: int = Field(
        5, ge=2, description="k of the works agreement until an admin sets one (version 0)."
    )
    retention_interval_s: float = Field(
        3600.0, gt=0, description="How often expired data is deleted."
    )
