"""Background loops: a long round pauses longer, so scans keep to their share of time."""

import pytest

from gegenstrom_runtime.service import GAUGES_SHARE, pause_after


def test_a_quick_round_waits_the_interval():
    assert pause_after(round_s=0.2, interval_s=30, share=GAUGES_SHARE) == 30


def test_a_long_round_keeps_to_its_share_of_the_time():
    pause = pause_after(round_s=20, interval_s=30, share=0.05)
    assert pause == pytest.approx(380)
    assert 20 / (20 + pause) == pytest.approx(0.05)


def test_share_one_is_the_plain_interval():
    assert pause_after(round_s=100, interval_s=30, share=1.0) == 30
