from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from gegenstrom_runtime.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", extra="ignore")
    service_name: ClassVar[str] = "notification"
    http_port: int = 8004
    intake_url: str = "http://127.0.0.1:8001"
