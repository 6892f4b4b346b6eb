from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from gegenstrom_runtime.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", extra="ignore")
    service_name: ClassVar[str] = "notification"
    http_port: int = 8004
    intake_url: str = "http://127.0.0.1:8001"
    webhook_retry_delays_s: list[float] = Field(
        [5, 30, 300, 1800], description="Waits between webhook tries; after the last, failed."
    )
    webhook_timeout_s: float = Field(10.0, gt=0, description="One webhook POST may take this.")
    webhook_poll_interval_s: float = Field(1.0, gt=0, description="How often senders look.")
    webhook_workers: int = Field(4, ge=1, description="Webhook POSTs in flight per replica.")
    smtp_host: str | None = Field(None, description="SMTP server; unset: no e-mail is sent.")
    smtp_port: int = 25
    smtp_sender: str = "gegenstrom <noreply@gegenstrom.example>"
    smtp_start_tls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    email_retry_delays_s: list[float] = Field(
        [10, 60, 600], description="Waits between e-mail tries; after the last, failed."
    )
    email_poll_interval_s: float = Field(1.0, gt=0)
    hr_email: str | None = Field(None, description="The HR team's mailbox for approvals.")
    digest_period_s: float = Field(7 * 24 * 3600, gt=0, description="Managers' digest period.")
    digest_poll_interval_s: float = Field(60, gt=0)
    k_threshold: int = Field(
        5,
        ge=2,
        description="Smallest group a digest figure describes, until the works agreement sets one.",
    )
    retention_interval_s: float = Field(3600, gt=0, description="How often retention runs.")
