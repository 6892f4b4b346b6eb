"""Minting bearer tokens for local use."""

import os
from datetime import timedelta
from typing import Annotated

import typer

from gegenstrom_runtime.auth import DEV_SECRET, Role, TokenIssuer

SECRET_ENV = "GEGENSTROM_AUTH_SECRET"


def issuer() -> TokenIssuer:
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        typer.secho(f"{SECRET_ENV} is not set: using the development secret", err=True, fg="yellow")
    return TokenIssuer(secret or DEV_SECRET)


def token(
    subject: Annotated[str, typer.Argument(help="Pseudonymous id of the person or system.")],
    role: Annotated[Role, typer.Option(help="What the holder may do.")] = Role.EMPLOYEE,
    site: Annotated[list[str] | None, typer.Option(help="Limit to a site; repeatable.")] = None,
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 30, help="Validity.")] = 8,
) -> None:
    """Mint a signed bearer token (HS256) with the secret in GEGENSTROM_AUTH_SECRET."""
    typer.echo(issuer().mint(subject, role, site or [], ttl=timedelta(hours=hours)))
