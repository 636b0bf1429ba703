"""The generation layer on the real bundled model."""

import threading

import pytest

from lib import backends
from lib import generation as g

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
SHORT = g.GenerationSettings(max_new_tokens=24)


def stream_of(loaded, messages, settings, cancel=None):
    return backends.LocalBackend(loaded).stream(messages, settings, cancel)


def test_greedy_answer_is_non_empty_and_deterministic(chat_model):
    first = "".join(stream_of(chat_model, QUESTION, SHORT))
    second = "".join(stream_of(chat_model, QUESTION, SHORT))
    assert "Paris" in first
    assert first == second


def test_stream_matches_raw_transformers_generate(chat_model):
    import torch

    enc = chat_model.tokenizer(g.render_prompt(chat_model.tokenizer, QUESTION), return_tensors="pt",
                               add_special_tokens=False)
    with torch.inference_mode():
        out = chat_model.model.generate(**enc, max_new_tokens=24, do_sample=False)
    raw = chat_model.tokenizer.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "".join(stream_of(chat_model, QUESTION, SHORT)) == raw


def test_batched_equals_one_by_one(chat_model):
    questions = ["What is 2+2?", "Name a fruit.", "Write a haiku about the sea, with lots of feeling.",
                 "Hi", "Translate 'good morning' to French.", "What is the tallest mountain on Earth?"]
    conversations = [[{"role": "user", "content": q}] for q in questions]
    settings = g.GenerationSettings(max_new_tokens=32)
    prompts = [backends.LocalBackend(chat_model).render_prompt(c) for c in conversations]
    batched = g.complete_batch(chat_model, prompts, settings, batch_size=6)
    one_by_one = ["".join(stream_of(chat_model, c, settings)) for c in conversations]
    assert batched == one_by_one


def test_sampling_is_reproducible_with_a_seed(chat_model):
    hot = g.GenerationSettings(max_new_tokens=16, temperature=1.0, top_p=0.9, seed=7)
    assert "".join(stream_of(chat_model, QUESTION, hot)) == "".join(stream_of(chat_model, QUESTION, hot))


def test_cancel_stops_generation_early(chat_model):
    cancel = threading.Event()
    story = [{"role": "user", "content": "Tell me a very long story about a dragon."}]
    stream = stream_of(chat_model, story, g.GenerationSettings(max_new_tokens=400), cancel)
    for i, _ in enumerate(stream):
        if i == 3:
            cancel.set()
    assert stream.stats.cancelled
    assert stream.stats.new_tokens < 20


def test_leaving_a_stream_early_stops_the_thread(chat_model):
    story = [{"role": "user", "content": "Tell me a very long story about a dragon."}]
    stream = stream_of(chat_model, story, g.GenerationSettings(max_new_tokens=400))
    iterator = iter(stream)
    next(iterator)
    iterator.close()  # what happens when a rerun or a closed tab drops the reader
    assert not stream._thread.is_alive()  # close() waited for the model to stop, not for 400 tokens
    assert stream.stats.cancelled
    assert stream.stats.new_tokens < 20


def test_token_counts_match_the_tokenizer(chat_model):
    stream = stream_of(chat_model, QUESTION, SHORT)
    text = "".join(stream)
    prompt = g.render_prompt(chat_model.tokenizer, QUESTION)
    assert stream.stats.prompt_tokens == len(chat_model.tokenizer(prompt, add_special_tokens=False)["input_ids"])
    assert g.count_tokens(chat_model.tokenizer, prompt) == stream.stats.prompt_tokens
    # Every generated token is counted, including the end-of-turn token the text leaves out.
    assert stream.stats.new_tokens >= len(chat_model.tokenizer(text, add_special_tokens=False)["input_ids"])
    assert stream.stats.tokens_per_second > 0


def test_rendered_prompt_shows_the_chat_template(chat_model):
    prompt = g.render_prompt(chat_model.tokenizer, QUESTION)
    assert prompt.startswith("<|im_start|>system")
    assert prompt.endswith("<|im_start|>assistant\n")


def test_prompt_longer_than_the_context_window_is_refused(chat_model):
    huge = [{"role": "user", "content": "word " * 9000}]
    with pytest.raises(g.PromptTooLong, match="context window of 8,192"):
        stream_of(chat_model, huge, SHORT)
