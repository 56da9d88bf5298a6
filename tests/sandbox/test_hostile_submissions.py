"""Hostile submissions: each runs in a batch between two honest ones.

Every test shows that the batch completes, that the hostile submission earns no more than its
honest work (here: nothing, since each returns the right answer only if its attack worked),
that the honest students' results are identical, and that the watched folder is unchanged.
"""
import os
import socket

import pytest

from hostile_harness import HONEST_A, HONEST_B, INPUTS, run_batch, snapshot
from hostile_sources import HOSTILE, REPO, render


@pytest.fixture
def world(tmp_path):
    """A grading folder: other students' submissions and the grader's output, watched for writes."""
    (tmp_path / "submissions").mkdir()
    (tmp_path / "submissions" / "bob.py").write_text(HONEST_A)
    (tmp_path / "submissions" / "carol.py").write_text(HONEST_B)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "results.json").write_text('{"score": 0}')
    return tmp_path


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def run_hostile(name, pool, world, listener):
    source = render(name, world=world, port=listener.getsockname()[1])
    before = snapshot(str(world))
    result = run_batch({"honest_a": HONEST_A, "hostile": source, "honest_b": HONEST_B}, pool)
    assert snapshot(str(world)) == before
    assert not os.path.exists(os.path.join(REPO, "results.json"))
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected
    assert result.scores["hostile"] == 0, result.values["hostile"]
    assert result.scores["honest_a"] == result.scores["honest_b"] == len(INPUTS)
    assert result.values["honest_a"] == result.values["honest_b"]
    return result


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_submission_earns_nothing_and_harms_no_one(name, pool, world, listener):
    run_hostile(name, pool, world, listener)


@pytest.mark.parametrize("name", sorted(HOSTILE))  # every attack in both backends
def test_hostile_submission_is_contained_without_bubblewrap(name, fallback_pool, world, listener):
    result = run_hostile(name, fallback_pool, world, listener)
    assert "bubblewrap" not in result.isolation["hostile"]


def test_printed_commands_and_fake_results_come_back_as_text_only(pool, world, listener):
    result = run_hostile("prints_github_actions_commands", pool, world, listener)
    assert "::error file=grader.py,line=1::all tests passed" in result.stdout["hostile"]
    result = run_hostile("prints_fake_result_json", pool, world, listener)
    assert '"score": 100' in result.stdout["hostile"]


def test_output_flood_is_cut_at_the_output_limit(pool, world, listener):
    result = run_hostile("output_flood", pool, world, listener)
    assert "more bytes of output dropped" in result.stdout["hostile"]
    assert len(result.stdout["hostile"]) < 20 * 25_000


def test_hang_costs_a_timeout_and_the_next_call_gets_a_fresh_worker(pool, world, listener):
    result = run_hostile("infinite_loop", pool, world, listener)
    assert result.values["hostile"] == ["timeout"] * len(INPUTS)
    result = run_hostile("os_exit_in_call", pool, world, listener)
    assert result.values["hostile"] == ["crash"] * len(INPUTS)


def test_subclass_returns_come_back_as_their_exact_base_type(pool, world, listener):
    for name, value in [("int_subclass_eq_always_true", -1), ("float_subclass_eq_always_true", -1.0)]:
        result = run_hostile(name, pool, world, listener)
        assert all(type(v) is type(value) and v == value for v in result.values["hostile"])
    result = run_hostile("eq_always_true", pool, world, listener)
    assert result.values["hostile"] == ["bad_return"] * len(INPUTS)
