"""Intake's part of the privacy and works-council controls: erasure on request, the works
agreement, the access log, retention, and which fields hold personal data."""

from intake.privacy.fields import personal_field_names

__all__ = ["personal_field_names"]
