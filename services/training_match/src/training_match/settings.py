from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from gegenstrom_runtime.settings import ServiceSettings


class TrainingMatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_MATCH_", extra="ignore")
    service_name: ClassVar[str] = "training_match"
    http_port: int = 8003
