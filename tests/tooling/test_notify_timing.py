"""The owners hear within 30 s of an upgrade's end while an invocation follows it (issue 8, part 3): the poll
cadence, shown on an injected clock (no timed assertion), through the real SDK against the stand-in."""

from __future__ import annotations

import pytest

from scripts import bench_notify
from scripts.standin import StandIn

# Upgrades of several lengths, none aligned with the polls; each with several jitter seeds.
LENGTHS_S = [1.0, 7.3, 61.0, 599.9, 3601.7, 6 * 3600.0]


@pytest.fixture(scope="module")
def standin():
    with StandIn(bench_notify.SCENARIO) as server:
        yield server


@pytest.mark.parametrize("length_s", LENGTHS_S)
def test_the_end_of_an_upgrade_is_seen_within_18_s_and_reported_without_further_waiting(standin, length_s):
    for seed in range(3):
        sample = bench_notify.run_simulated(standin, length_s, seed)

        assert sample.outcome == "checked"
        # polls at most 15 s ± 20 % apart: the poll that sees the end comes at most 18 s after it, which leaves
        # 12 s of the 30 for the reads, the health gate, the post-check and the publish
        assert 0 <= sample.waited_s <= 18.0
        # after that poll nothing waits: one read of each kind, the check and the message (the started message
        # was published before the end)
        assert sample.calls["publish"] == 2
        assert sample.calls["postcheck"] == 1


def test_a_six_hour_upgrade_is_followed_to_its_end_within_one_invocation(standin):
    sample = bench_notify.run_simulated(standin, 6 * 3600.0, seed=0)

    assert sample.outcome == "checked"
    polls = sample.calls["show_upgrade_task"]
    assert 6 * 3600 / 18 <= polls <= 6 * 3600 / 12 + 10  # one read per 12-18 s, no more


def test_the_benchmark_reports_each_length(standin, capsys):
    assert bench_notify.main(["--real", "--simulated", "30", "--seeds", "1"]) == 0

    table = capsys.readouterr().out
    assert "| simulated | 30 s | 1 |" in table
