"""Erasures run again on schedule, so that data that overtook them goes too."""

from gegenstrom_runtime.late_erasure import LateErasures


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_each_erasure_runs_again_after_each_delay_and_failures_do_not_stop_others():
    ticks, ran = Ticks(), []
    late = LateErasures(again_after_s=(1.0, 5.0), clock=ticks)

    async def erase_again(employee_id: str) -> None:
        ran.append(employee_id)
        if employee_id == "emp-bad1":
            raise RuntimeError("MongoDB away")

    late.schedule("emp-bad1")
    late.schedule("emp-0001")
    assert await late.run_due(erase_again) == 0 and ran == []
    ticks.now += 1
    assert await late.run_due(erase_again) == 1
    assert sorted(ran) == ["emp-0001", "emp-bad1"]
    ticks.now += 10
    await late.run_due(erase_again)
    assert sorted(ran) == ["emp-0001", "emp-0001", "emp-bad1", "emp-bad1"]
    assert await late.run_due(erase_again) == 0
