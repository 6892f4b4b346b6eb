from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from gegenstrom_runtime.settings import ServiceSettings


class ProfilingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROFILING_", extra="ignore")
    service_name: ClassVar[str] = "profiling"
    http_port: int = 8002
