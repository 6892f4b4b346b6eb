"""What intake's privacy controls share: infrastructure, clock and the works agreement."""

from collections.abc import Iterable
from dataclasses import dataclass

from gegenstrom_contracts.privacy import AccessedData
from gegenstrom_runtime.auth import Principal
from gegenstrom_runtime.privacy import Clock, record_access, system_clock
from gegenstrom_runtime.service import Infrastructure
from intake.privacy.agreement import Agreement


@dataclass(frozen=True)
class Privacy:
    infra: Infrastructure
    clock: Clock = system_clock

    @property
    def agreement(self) -> Agreement:
        return Agreement.of(self.infra)

    async def accessed(
        self, reader: Principal, employee_ids: Iterable[str], data: AccessedData
    ) -> None:
        """Log that ``reader`` read these employees' data (one's own reads are not)."""
        await record_access(self.infra.uow, "intake", reader, employee_ids, data, self.clock)
