from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from gegenstrom_runtime.settings import ServiceSettings


class TrainingMatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_MATCH_", extra="ignore")
    service_name: ClassVar[str] = "training_match"
    http_port: int = 8003
    mentoring_hours: float = Field(8, gt=0, description="Hours a mentoring item takes.")
    replan_debounce_s: float = Field(
        5, ge=0, description="Quiet time after offer changes before a rollout-wide re-plan; 0: off."
    )
    k_threshold: int = Field(5, ge=2, description="Smallest group that statistics describe.")
    retention_interval_s: float = Field(
        3600.0, gt=0, description="How often data of long-closed rollouts is deleted."
    )
