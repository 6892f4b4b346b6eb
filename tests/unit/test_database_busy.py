"""A request MongoDB could not finish in time answers 503 with a reason, not a bare 500."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pymongo.errors import DuplicateKeyError, ExecutionTimeout, NetworkTimeout

from gegenstrom_runtime.web import DATABASE_BUSY, database_busy


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    for error in DATABASE_BUSY:
        app.add_exception_handler(error, database_busy)
    raises = {
        "gave-up": NetworkTimeout("Given transaction number 3 does not match any"),
        "slow": ExecutionTimeout("operation exceeded time limit"),
        "bug": DuplicateKeyError("E11000 duplicate key"),
    }

    @app.post("/{case}")
    async def fail(case: str) -> None:
        raise raises[case]

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("case", "name"), [("gave-up", "NetworkTimeout"), ("slow", "ExecutionTimeout")]
)
def test_a_transaction_that_did_not_finish_is_a_503_with_retry_after(client, case, name):
    response = client.post(f"/{case}")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert "retry later" in response.json()["detail"]
    assert name in response.json()["detail"]


def test_other_database_errors_stay_server_errors(client):
    assert client.post("/bug").status_code == 500
