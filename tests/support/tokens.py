"""Bearer tokens for tests, signed with the secret the test services are given."""

from gegenstrom_runtime.auth import Role, TokenIssuer

TEST_SECRET = "test-secret-0123456789-abcdefghijklmnop"
ISSUER = TokenIssuer(TEST_SECRET)


def bearer(subject: str, role: Role = Role.EMPLOYEE, sites: tuple[str, ...] = ()) -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER.mint(subject, role, sites)}"}
