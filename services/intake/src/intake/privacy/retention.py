"""Retention in intake: inputs and proposals of rollouts closed longer than the works
agreement allows, and access-log entries past their period, are deleted."""

from datetime import timedelta

from gegenstrom_contracts.rollouts import RolloutScope
from gegenstrom_runtime.privacy import Clock
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from intake.privacy.access_log import AccessLog
from intake.privacy.agreement import Agreement


async def enforce_retention(infra: Infrastructure, clock: Clock) -> dict[str, int]:
    """One round: delete what expired by ``clock()``; returns how many documents went."""
    retention = (await Agreement.of(infra).terms()).retention
    now = clock()
    keep = timedelta(days=retention.closed_rollout_data_days)
    removed = {"employee_inputs": 0, "proposals": 0}
    async for doc in infra.db["rollouts"].find({}, {"content": 1}):
        closed_on = RolloutScope.model_validate(doc["content"]).closed_on()
        if closed_on is not None and now.date() - closed_on > keep:
            for name, count in (await _drop_rollout_data(infra, doc["_id"])).items():
                removed[name] += count
    removed["access_log"] = await AccessLog(infra).expire(
        now - timedelta(days=retention.access_log_days)
    )
    return removed


async def _drop_rollout_data(infra: Infrastructure, rollout_id: str) -> dict[str, int]:
    """The employees' inputs (with every version) and proposals for one rollout."""

    async def work(tx: Transaction) -> dict[str, int]:
        db, by_content = infra.db, {"content.rollout_id": rollout_id}
        inputs = await db["employee_inputs"].delete_many(by_content, session=tx.session)
        await db["employee_inputs_versions"].delete_many(by_content, session=tx.session)
        proposals = await db["proposals"].delete_many(
            {"rollout_id": rollout_id}, session=tx.session
        )
        return {"employee_inputs": inputs.deleted_count, "proposals": proposals.deleted_count}

    return await infra.uow.commit(work)
