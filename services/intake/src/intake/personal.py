"""The mark on model fields that hold personal data (names, contacts, free text).

Such fields stay in intake: ``intake.privacy.personal_field_names`` collects them, and no
event may carry one.
"""

from typing import Any

PERSONAL: dict[str, Any] = {"x-personal": True}
