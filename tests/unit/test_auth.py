from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gegenstrom_runtime.auth import AuthError, Principal, Role, TokenIssuer
from support.tokens import TEST_SECRET

ISSUER = TokenIssuer(TEST_SECRET)


def test_a_minted_token_verifies_to_its_principal():
    token = ISSUER.mint("emp-1", Role.MANAGER, sites=["olpe", "siegen"])
    assert ISSUER.verify(token) == Principal(
        subject="emp-1", role=Role.MANAGER, sites=frozenset({"olpe", "siegen"})
    )


def test_an_expired_token_is_refused():
    token = ISSUER.mint("emp-1", Role.HR, now=datetime.now(UTC) - timedelta(hours=9))
    with pytest.raises(AuthError, match="token expired"):
        ISSUER.verify(token)


def test_a_token_signed_with_another_secret_is_refused():
    token = TokenIssuer("another-secret-0123456789-abcdefghijk").mint("emp-1", Role.ADMIN)
    with pytest.raises(AuthError, match="signature is invalid"):
        ISSUER.verify(token)


def test_an_unknown_role_is_refused():
    claims = {"iss": "gegenstrom", "sub": "x", "role": "boss", "iat": 0, "exp": 2**33}
    token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    with pytest.raises(AuthError, match="claims are invalid"):
        ISSUER.verify(token)


def test_a_token_without_expiry_is_refused():
    token = jwt.encode({"iss": "gegenstrom", "sub": "x", "role": "hr", "iat": 0}, TEST_SECRET)
    with pytest.raises(AuthError, match="exp"):
        ISSUER.verify(token)


def test_site_scope_empty_means_all_sites():
    assert Principal(subject="a", role=Role.HR).covers_site("brno")
    scoped = Principal(subject="a", role=Role.MANAGER, sites=frozenset({"olpe"}))
    assert scoped.covers_site("olpe") and not scoped.covers_site("brno")


def test_short_secrets_are_refused():
    with pytest.raises(ValueError, match="32 characters"):
        TokenIssuer("short")
