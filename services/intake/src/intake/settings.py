from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from gegenstrom_runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service_name: ClassVar[str] = "intake"
    http_port: int = 8001
