import threading
import time

import pytest

from lib.work_queue import QueueFull, WorkQueue


def test_one_worker_runs_jobs_one_at_a_time_in_arrival_order():
    queue = WorkQueue(workers=1)
    order, running, peak = [], [0], [0]
    lock = threading.Lock()
    gate = threading.Event()

    def job(name):
        with queue.ticket(poll_s=0.01):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            gate.wait(timeout=5)
            order.append(name)
            with lock:
                running[0] -= 1

    threads = []
    for name in range(5):
        thread = threading.Thread(target=job, args=(name,))
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 10
        while queue.waiting + queue.busy < name + 1:  # wait until it is in line: arrival order = start order
            assert time.monotonic() < deadline, f"job {name} never joined the queue"
            gate.wait(timeout=0.001)
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert order == [0, 1, 2, 3, 4]
    assert peak[0] == 1


def test_waiters_are_told_how_many_are_ahead():
    queue = WorkQueue(workers=1)
    seen, told = [], threading.Event()

    def on_wait(ahead):
        seen.append(ahead)
        told.set()

    def waiter():
        with queue.ticket(on_wait=on_wait, poll_s=0.01):
            pass

    with queue.ticket():
        thread = threading.Thread(target=waiter)
        thread.start()
        assert told.wait(timeout=5)
    thread.join(timeout=5)
    assert seen[0] == 1
    assert queue.waiting == 0 and queue.busy == 0


def test_a_full_line_refuses_new_tickets_with_a_clear_message():
    queue = WorkQueue(workers=1, max_waiting=1)
    with queue.ticket():
        queue._enter()  # one person now waits
        with pytest.raises(QueueFull, match="busy"):
            with queue.ticket():
                pass


def test_cancel_while_waiting_leaves_the_line():
    queue = WorkQueue(workers=1)
    cancel = threading.Event()
    cancel.set()
    with queue.ticket():
        with pytest.raises(InterruptedError):
            with queue.ticket(cancel=cancel, poll_s=0.01):
                pass
    assert queue.waiting == 0 and queue.busy == 0
