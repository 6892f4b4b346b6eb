"""HTTP access to the services, with the caller's bearer token."""

import os
from functools import cache
from typing import Any

import httpx
import typer

TOKEN_ENV = "GEGENSTROM_TOKEN"
INTAKE_URL_ENV = "GEGENSTROM_INTAKE_URL"
DEFAULT_INTAKE_URL = "http://127.0.0.1:8001"


TRAINING_MATCH_URL_ENV = "GEGENSTROM_TRAINING_MATCH_URL"
DEFAULT_TRAINING_MATCH_URL = "http://127.0.0.1:8003"


def intake_url() -> str:
    return os.environ.get(INTAKE_URL_ENV, DEFAULT_INTAKE_URL).rstrip("/")


def training_match_url() -> str:
    return os.environ.get(TRAINING_MATCH_URL_ENV, DEFAULT_TRAINING_MATCH_URL).rstrip("/")


def bearer_token() -> str:
    token = os.environ.get(TOKEN_ENV)
    if not token:
        typer.secho(
            f"set {TOKEN_ENV}, e.g. export {TOKEN_ENV}=$(gegenstrom token hr-1 --role hr)",
            err=True,
            fg="red",
        )
        raise typer.Exit(2)
    return token


@cache
def _client() -> httpx.Client:
    """One client for the whole command: connections are reused, set up once."""
    return httpx.Client(timeout=300)


def request(method: str, url: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    """One call with the caller's token (or the one given); a clear exit when unreachable."""
    headers = {"Authorization": f"Bearer {token or bearer_token()}"}
    try:
        return _client().request(method, url, headers=headers, **kwargs)
    except httpx.TransportError as error:
        typer.secho(f"cannot reach {url}: {error}", err=True, fg="red")
        raise typer.Exit(1) from error


def post(url: str, **kwargs: Any) -> httpx.Response:
    return request("POST", url, **kwargs)


def fail_unless_ok(response: httpx.Response, accept: tuple[int, ...] = (200,)) -> dict:
    if response.status_code in accept:
        return response.json()
    typer.secho(f"{response.status_code}: {response.text}", err=True, fg="red")
    raise typer.Exit(1)
