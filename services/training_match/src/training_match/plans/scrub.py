"""Removing an erased employee's id from documents that stay (others' plans). Pure."""

import re
from typing import Any

ERASED = "erased"


def scrub(value: Any, employee_id: str) -> Any:
    """``value`` without the id: a field that is the id becomes None, a list drops strings
    that mention it (offer ids considered), other text names ``erased`` instead."""
    return _scrub(value, employee_id, _pattern(employee_id))


def in_bytes(employee_id: str) -> re.Pattern[bytes]:
    """Finds the id in encoded text, e.g. an event's JSON body."""
    return re.compile(_pattern(employee_id).pattern.encode())


def _pattern(employee_id: str) -> re.Pattern[str]:
    # Pseudonymous ids are [A-Za-z0-9_-]: a longer id that contains this one is another's.
    return re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(employee_id)}(?![A-Za-z0-9_-])")


def _scrub(value: Any, employee_id: str, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return None if value == employee_id else pattern.sub(ERASED, value)
    if isinstance(value, dict):
        return {k: _scrub(v, employee_id, pattern) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [
            _scrub(v, employee_id, pattern)
            for v in value
            if not (isinstance(v, str) and pattern.search(v))
        ]
    return value
