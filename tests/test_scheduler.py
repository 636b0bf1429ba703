"""The shared CPU's turns: fair between sessions, one step at a time, cancellable, re-entrant."""

import threading

import pytest

from lib.scheduler import WHOLE_REQUESTS, Scheduler, pass_turn, step
from lib.work_queue import QueueFull


def _session(scheduler, owner, steps, order, started=None, hold=None):
    with scheduler.request(owner) as request:
        for i in range(steps):
            with request.step():
                order.append((owner, i))
                if started is not None and i == 0:
                    started.set()
                if hold is not None:
                    hold.wait(timeout=5)


def _long_then_short(scheduler):
    """Session A starts 30 steps; once it holds the CPU, session B asks for 3."""
    order, started, hold = [], threading.Event(), threading.Event()
    a = threading.Thread(target=_session, args=(scheduler, "A", 30, order, started, hold))
    a.start()
    assert started.wait(timeout=10)
    b = threading.Thread(target=_session, args=(scheduler, "B", 3, order))
    b.start()
    while scheduler.waiting < 1 and b.is_alive():  # B is in line before A takes its next turn
        hold.wait(timeout=0.001)
    hold.set()
    a.join(timeout=20)
    b.join(timeout=20)
    return order


def test_turns_go_round_the_sessions():
    order = _long_then_short(Scheduler())
    b_positions = [i for i, (owner, _) in enumerate(order) if owner == "B"]
    assert len(order) == 33
    # Alternating: B's three steps come between A's first few, not after A's thirty.
    assert b_positions == [1, 3, 5]


def test_one_at_a_time_makes_the_short_request_wait_for_the_long_one():
    order = _long_then_short(Scheduler(policy=WHOLE_REQUESTS))
    assert [owner for owner, _ in order] == ["A"] * 30 + ["B"] * 3


def test_only_one_step_runs_at_a_time():
    scheduler, running, peak, lock = Scheduler(), [0], [0], threading.Lock()

    def work(owner):
        with scheduler.request(owner) as request:
            for _ in range(20):
                with request.step():
                    with lock:
                        running[0] += 1
                        peak[0] = max(peak[0], running[0])
                    threading.Event().wait(0.001)
                    with lock:
                        running[0] -= 1

    threads = [threading.Thread(target=work, args=(f"s{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert peak[0] == 1


def test_a_long_step_hands_the_cpu_on_between_tokens_while_others_wait():
    scheduler, order, started, release = Scheduler(), [], threading.Event(), threading.Event()

    def long_answer():  # what a PyTorch answer does: one step, pass_turn() after every token
        with scheduler.request("A"), step():
            for token in range(12):
                order.append(("A", token))
                if token == 0:
                    started.set()
                    release.wait(timeout=5)
                threading.Event().wait(0.005)
                pass_turn()

    a = threading.Thread(target=long_answer)
    a.start()
    assert started.wait(timeout=5)
    b = threading.Thread(target=_session, args=(scheduler, "B", 2, order))
    b.start()
    while scheduler.waiting < 1 and b.is_alive():
        started.wait(timeout=0.001)
    release.set()
    a.join(timeout=10)
    b.join(timeout=10)
    assert len(order) == 14
    b_positions = [i for i, (owner, _) in enumerate(order) if owner == "B"]
    assert b_positions[0] == 1 and b_positions[1] < order.index(("A", 11))  # not after A's whole answer


def test_a_step_serving_many_sessions_counts_for_less():
    """Weighted by CPU time: a batch answering 4 people makes 4 tokens for each step of a one-person job."""
    now, order = [0.0], []
    scheduler = Scheduler(clock=lambda: now[0])
    started = threading.Event()

    def batch():
        with scheduler.request("", weight=lambda: 4), step():
            started.set()
            for token in range(40):
                now[0] += 1.0  # every model call takes one unit of time
                order.append("batch")
                while token == 0 and scheduler.waiting < 1:  # the job has asked
                    threading.Event().wait(0.001)
                threading.Event().wait(0.001)
                pass_turn()

    def job():
        with scheduler.request("job") as request:
            for _ in range(8):
                with request.step():
                    now[0] += 1.0
                    order.append("job")

    threads = [threading.Thread(target=batch)]
    threads[0].start()
    assert started.wait(timeout=5)
    threads.append(threading.Thread(target=job))
    threads[1].start()
    for t in threads:
        t.join(timeout=20)
    assert order.count("job") == 8 and order.count("batch") == 40
    turns = "".join(o[0] for o in order)
    runs = turns[: turns.rindex("b")].split("j")[1:-1]  # the batch's tokens between two of the job's steps
    # At least its four (more when the job's thread was slow to ask again); with equal weights, one.
    assert len(runs) >= 3 and all(len(run) >= 4 for run in runs), turns


def test_pass_turn_keeps_the_cpu_when_nobody_waits_and_stops_an_answer_nobody_wants():
    scheduler, wanted, cancel = Scheduler(), [True], threading.Event()
    with scheduler.request("A", cancel, still_wanted=lambda: wanted[0]), step():
        pass_turn()  # nobody waits: carries on at once, still holding the CPU
        assert scheduler._holder is not None and scheduler.waiting == 0
        wanted[0] = False  # the tab closed
        with pytest.raises(InterruptedError):
            pass_turn()
    assert cancel.is_set() and scheduler._holder is None
    pass_turn()  # outside a request (a CLI): nothing to do


def test_a_step_inside_a_step_is_part_of_it_and_step_outside_a_request_runs_at_once():
    scheduler = Scheduler()
    with scheduler.request("A") as request:
        with request.step():
            with step():  # what the fast engine does inside a coarse turn: no deadlock
                inner = True
    assert inner
    with step():  # a CLI or a test, no request: runs at once
        outside = True
    assert outside


def test_a_request_waiting_for_its_turn_can_be_cancelled_and_is_told_its_place():
    scheduler, cancel, told, holding, release = Scheduler(poll_s=0.02), threading.Event(), [], threading.Event(), threading.Event()

    def holder():
        with scheduler.request("A") as request, request.step():
            holding.set()
            release.wait(timeout=10)

    threading.Thread(target=holder).start()
    assert holding.wait(timeout=5)
    outcome = []

    def waiter():
        try:
            with scheduler.request("B", cancel, on_wait=told.append) as request, request.step():
                outcome.append("ran")
        except InterruptedError:
            outcome.append("cancelled")

    w = threading.Thread(target=waiter)
    w.start()
    while not told:
        holding.wait(timeout=0.005)
    cancel.set()
    w.join(timeout=5)
    release.set()
    assert outcome == ["cancelled"] and told[0] == 1
    assert scheduler.people <= 1 and scheduler.waiting == 0


def test_people_counts_sessions_not_requests_and_the_limit_gives_a_clear_message():
    scheduler = Scheduler(max_requests=2)
    with scheduler.request("A"), scheduler.request("A"):
        assert scheduler.people == 1
        with pytest.raises(QueueFull, match="busy"):
            with scheduler.request("B"):
                pass
    assert scheduler.people == 0


def test_a_request_nobody_waits_for_stops_at_its_next_step():
    scheduler, wanted, cancel, steps = Scheduler(), [True], threading.Event(), []
    with pytest.raises(InterruptedError):
        with scheduler.request("A", cancel, still_wanted=lambda: wanted[0]) as request:
            for i in range(5):
                with request.step():
                    steps.append(i)
                wanted[0] = i < 1  # the tab closes after the second step
    assert steps == [0, 1] and cancel.is_set() and scheduler.people == 0


def test_a_stream_reaches_the_page_in_chunks_and_nothing_is_lost():
    from lib.runtime.answers import _collect

    pieces, firsts = [], []
    chunks = list(_collect(iter(["Hel", "lo", ", ", "wor", "ld"]), pieces, lambda: firsts.append(1), every_s=lambda: 60))
    assert chunks == ["Hello, world"] and pieces == ["Hel", "lo", ", ", "wor", "ld"] and firsts == [1]
    chunks = list(_collect(iter(["a", "b", "c"]), [], lambda: None, every_s=lambda: 0))
    assert chunks == ["a", "b", "c"]  # no waiting: every piece goes as it comes


def _page_whose_heavy_work_fails():
    import streamlit as st

    from lib import runtime
    from lib.backends import BackendUnavailable
    from lib.work_queue import QueueFull

    def busy():
        raise QueueFull(64, "in progress")

    def unavailable():
        raise BackendUnavailable("The server stopped answering: <b>refused</b>")

    which = st.session_state.get("which", "queued")
    (runtime.run_queued if which == "queued" else runtime.run_in_turns)(busy if which == "queued" else unavailable)
    st.write("not reached")


@pytest.mark.parametrize("which, message", [("queued", "server is busy"), ("turns", "stopped answering")])
def test_user_errors_in_heavy_work_become_one_message_and_stop_the_page(which, message):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page_whose_heavy_work_fails, default_timeout=60)
    at.session_state["which"] = which
    at.run()
    assert not at.exception
    assert [e.value for e in at.error if message in e.value]
    assert "<b>" not in "".join(e.value for e in at.error)  # a server's words are shown as text
    assert not [m for m in at.markdown if "not reached" in m.value]
