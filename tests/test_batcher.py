"""The shared batch on the real bundled model: rows decode together, answer as they would alone, leave when cancelled,
and a session with many rows does not crowd out one with a single question."""

import threading

import numpy as np
import pytest

from lib import batcher as b
from lib import backends
from lib import fast_engine as fe
from lib import generation as g

QUESTIONS = ["What is 17 times 3?", "Name three colours.", "What is the capital of France?",
             "Write a haiku about rain."]
SETTINGS = g.GenerationSettings(max_new_tokens=24)


def ids(fast, question: str) -> list[int]:
    return fe.encode(fast, g.render_prompt(fast.tokenizer, [{"role": "user", "content": question}]))


@pytest.fixture
def private(fast_model):
    """A batcher of its own (same model files), so counters and limits start fresh."""
    batcher, _window = fe.open_batcher(fe.model_dir())
    return batcher


def read_all(rows) -> list[list[int]]:
    return [list(row.tokens_as_they_come()) for row in rows]


def test_rows_asked_together_share_model_calls_and_answer_as_alone(fast_model, private):
    alone = []
    for q in QUESTIONS:
        alone += read_all([private.submit(ids(fast_model, q), SETTINGS)])
    calls_alone = private.steps
    together = read_all([private.submit(ids(fast_model, q), SETTINGS, owner=f"s{i}") for i, q in enumerate(QUESTIONS)])
    assert together == alone
    assert private.widest == len(QUESTIONS)
    # Alone, each answer took its own calls; together they took about as many as the longest answer.
    assert private.steps - calls_alone <= max(map(len, alone)) + 1 < calls_alone


def test_answers_from_threads_that_arrive_at_different_moments_match_solo(fast_model, private):
    solo = {q: "".join(backends.FastBackend(fast_model).stream([{"role": "user", "content": q}], SETTINGS)) for q in QUESTIONS}
    got = {}

    def ask(q):
        got[q] = "".join(backends.FastBackend(fast_model).stream([{"role": "user", "content": q}], SETTINGS))

    threads = [threading.Thread(target=ask, args=(q,)) for q in QUESTIONS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert got == solo


def test_a_cancelled_row_leaves_and_the_others_finish_unchanged(fast_model, private):
    keep = private.submit(ids(fast_model, QUESTIONS[0]), SETTINGS)
    cancel = threading.Event()
    dropped = private.submit(ids(fast_model, "Tell me a very long story about a dragon."),
                             g.GenerationSettings(max_new_tokens=400), cancel=cancel)
    first = []
    for token in dropped.tokens_as_they_come():
        first.append(token)
        if len(first) == 3:
            cancel.set()
    assert len(first) == 3 and dropped.made < 60
    assert read_all([keep]) == read_all([private.submit(ids(fast_model, QUESTIONS[0]), SETTINGS)])


def test_a_session_with_many_rows_does_not_crowd_out_a_single_question(fast_model, private):
    private.max_rows = 2
    evaluation = [private.submit(ids(fast_model, q), g.GenerationSettings(max_new_tokens=12), owner="evaluator")
                  for q in QUESTIONS * 2]
    question = private.submit(ids(fast_model, "What is 2 plus 2?"), g.GenerationSettings(max_new_tokens=12),
                              owner="asker")
    read_all([question])
    finished = sum(row.done for row in evaluation)
    # The asker's row took the first free place: most of the evaluation was still waiting when it finished.
    assert finished <= 4, finished  # first come, first served would have finished at least 6 of the 8 first
    read_all(evaluation)
    assert all(row.done for row in evaluation)


def test_an_error_in_the_batch_reaches_every_reader(fast_model, private):
    class Broken:
        def run(self, *_args):
            raise RuntimeError("the model call failed")

    private.decoder.session = Broken()
    rows = [private.submit([1, 2, 3], SETTINGS, owner=f"s{i}") for i in range(3)]
    for row in rows:
        with pytest.raises(RuntimeError, match="the model call failed"):
            read_all([row])


def test_pick_is_greedy_at_zero_temperature_and_keeps_only_the_nucleus_when_sampling():
    logits = np.log(np.array([0.6, 0.3, 0.1]))
    assert b.pick(logits, g.GenerationSettings(), None) == 0
    hot = g.GenerationSettings(temperature=1.0, top_p=0.5)
    rng = np.random.default_rng(0)
    assert {b.pick(logits, hot, rng) for _ in range(50)} == {0}  # 0.6 alone reaches top_p 0.5
    wide = g.GenerationSettings(temperature=1.0, top_p=0.85)
    assert {b.pick(logits, wide, rng) for _ in range(200)} == {0, 1}  # 0.6 + 0.3 reach 0.85; 0.1 never drawn


def test_reading_a_prompt_is_the_askers_turn_and_decoding_the_batchs(fast_model, private):
    """On a scheduler: each prompt read counts for the session that asked; decoding counts for the batch."""
    from lib.scheduler import Scheduler

    scheduler, asked = Scheduler(), []
    private.busy = lambda: scheduler.request(owner="", weight=lambda: private.sessions)
    owners, read_by = {}, []
    real_read = private._read_prompt

    def read(row):  # which request holds the CPU while this prompt is read
        read_by.append((row.owner, scheduler._holder.owner))
        return real_read(row)

    private._read_prompt = read
    for owner, question in [("evaluation", QUESTIONS[0]), ("chat", QUESTIONS[1])]:
        with scheduler.request(owner):
            asked.append(private.submit(ids(fast_model, question), SETTINGS, owner=owner))
            owners[owner] = list(asked[-1].tokens_as_they_come())
    assert read_by == [("evaluation", "evaluation"), ("chat", "chat")]
    assert all(owners.values()) and private.steps > 0
