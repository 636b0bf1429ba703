"""The fast engine on the real bundled model: the GGUF's own blocks, streaming, cancel, stop, limits, prompt identity."""

import json
import threading

import numpy as np
import pytest

from lib import fast_engine as fe
from lib import generation as g
from lib import backends, models, onnx_build, prompting, tasks

QUESTION = [{"role": "user", "content": "What is 17 times 3?"}]
SHORT = g.GenerationSettings(max_new_tokens=24)
STORY = [{"role": "user", "content": "Tell me a very long story about a dragon."}]


def stream_of(fast, messages, settings, cancel=None):
    return backends.FastBackend(fast).stream(messages, settings, cancel)


def batch(fast, conversations, settings, cancel=None):
    """The engine's own batch (with a cancel), over prompts rendered as the backend renders them."""
    return fe.complete_batch(fast, [backends.FastBackend(fast).render_prompt(m) for m in conversations], settings, cancel)


def test_q4_1_and_q8_0_blocks_decode_exactly_as_gguf_does():
    from gguf import GGUFReader
    from gguf.quants import dequantize

    tensors = {t.name: t for t in GGUFReader(str(models.gguf_path())).tensors}
    t = tensors["blk.3.ffn_down.weight"]
    rows, cols = int(t.shape[1]), int(t.shape[0])
    q, d, m = onnx_build.q4_1_blocks(t.data, rows, cols)
    ours = (d[..., None] * q + m[..., None]).reshape(rows, cols)
    np.testing.assert_array_equal(ours, dequantize(t.data, t.tensor_type).reshape(rows, cols))
    t = tensors["token_embd.weight"]
    q8, d8 = onnx_build.q8_0_blocks(t.data[:64], 64, int(t.shape[0]))
    np.testing.assert_array_equal((d8[..., None] * q8).reshape(64, -1), dequantize(t.data[:64], t.tensor_type))


def test_unpermute_rows_undoes_llama_cpp_interleaving():
    heads, rows = 3, 12
    permuted = np.arange(rows).reshape(heads, 2, rows // heads // 2).swapaxes(1, 2).reshape(rows)  # llama.cpp's order
    assert list(permuted[onnx_build.unpermute_rows(rows, heads)]) == list(range(rows))


def test_a_block_that_does_not_match_the_float_weights_stops_the_build():
    with pytest.raises(onnx_build.BuildError, match="differ"):
        onnx_build._check_same("w", np.zeros((4, 4), np.float32), np.full((4, 4), 0.5, np.float32))


def test_the_engine_reads_exactly_the_chat_templated_prompt(fast_model):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Name a colour."}]
    stream = stream_of(fast_model, messages, SHORT)
    expected = fast_model.tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=True,
                                                        return_dict=False)
    assert stream.ids == expected
    assert stream.prompt == g.render_prompt(fast_model.tokenizer, messages)  # what the X-ray shows
    assert stream.stats.prompt_tokens == len(expected)


def test_greedy_stream_is_deterministic_and_answers(fast_model):
    first = "".join(stream_of(fast_model, QUESTION, SHORT))
    assert "51" in first
    assert first == "".join(stream_of(fast_model, QUESTION, SHORT))


def test_stream_stops_at_the_end_of_turn_and_counts_its_tokens(fast_model):
    stream = stream_of(fast_model, QUESTION, g.GenerationSettings(max_new_tokens=200))
    text = "".join(stream)
    assert stream.stats.new_tokens < 200 and not stream.stats.cancelled  # stopped by <|im_end|>, not the limit
    assert stream.stats.new_tokens == len(fast_model.tokenizer(text, add_special_tokens=False)["input_ids"]) + 1
    assert "<|im_end|>" not in text
    assert stream.stats.tokens_per_second > 0 and stream.stats.ttft_s > 0


def test_max_new_tokens_is_a_hard_limit(fast_model):
    stream = stream_of(fast_model, STORY, g.GenerationSettings(max_new_tokens=5))
    "".join(stream)
    assert stream.stats.new_tokens == 5


def test_cancel_stops_at_the_next_token(fast_model):
    cancel = threading.Event()
    stream = stream_of(fast_model, STORY, g.GenerationSettings(max_new_tokens=400), cancel)
    for i, _ in enumerate(stream):
        if i == 3:
            cancel.set()
    assert stream.stats.cancelled
    assert stream.stats.new_tokens <= 6


def test_leaving_a_stream_early_cancels_it(fast_model):
    stream = stream_of(fast_model, STORY, g.GenerationSettings(max_new_tokens=400))
    iterator = iter(stream)
    next(iterator)
    iterator.close()  # what a rerun or a closed tab does to the reader
    assert stream.stats.cancelled and stream.cancel.is_set()
    assert stream.stats.new_tokens < 10


def test_sampling_follows_the_seed(fast_model):
    hot = g.GenerationSettings(max_new_tokens=24, temperature=1.0, top_p=0.95, seed=7)
    once, again = ("".join(stream_of(fast_model, STORY, hot)) for _ in range(2))
    other = "".join(stream_of(fast_model, STORY, g.GenerationSettings(24, 1.0, 0.95, seed=8)))
    assert once == again
    assert once != other


def test_batched_few_shot_answers_equal_one_by_one(fast_model):
    # Few-shot prompts share their instruction and shots, which the batch reuses: the answers must not change.
    task = tasks.load("sentiment")
    conversations = [prompting.build_messages(task, prompting.pick_shots(task, 4, seed), item.input)
                     for seed in (0, 1) for item in task.test[:3]] + [QUESTION, QUESTION]
    settings = g.GenerationSettings(max_new_tokens=16)
    batched = batch(fast_model, conversations, settings)
    assert batched == ["".join(stream_of(fast_model, c, settings)) for c in conversations]


def test_sampled_batch_gives_different_reproducible_answers(fast_model):
    hot = g.GenerationSettings(max_new_tokens=20, temperature=0.9, top_p=0.95, seed=3)
    answers = batch(fast_model, [STORY] * 3, hot)
    assert len(set(answers)) == 3
    assert answers == batch(fast_model, [STORY] * 3, hot)


def test_a_cancelled_batch_stops(fast_model):
    cancel = threading.Event()
    cancel.set()
    assert batch(fast_model, [STORY] * 4, SHORT, cancel) == [""] * 4


def test_prompt_longer_than_the_context_window_is_refused(fast_model):
    with pytest.raises(g.PromptTooLong, match="context window of 8,192"):
        stream_of(fast_model, [{"role": "user", "content": "word " * 9000}], SHORT)
    with pytest.raises(g.PromptTooLong):
        batch(fast_model, [QUESTION, [{"role": "user", "content": "word " * 9000}]], SHORT)


def test_a_damaged_cache_is_rebuilt_with_a_message_and_the_int8_build_is_labelled_lossy(fast_model, tmp_path,
                                                                                       monkeypatch):
    # A private cache holding the converted model and a damaged int8 engine (one build covers both lessons).
    (tmp_path / models.converted_dir().name).symlink_to(models.converted_dir())
    monkeypatch.setenv("LLM_LAB_CACHE", str(tmp_path))
    damaged = fe.model_dir("int8")
    damaged.mkdir()
    (damaged / "engine.json").write_text('{"activations": "int8"}')
    (damaged / "genai_config.json").write_text("{ not json")
    messages = []
    fastest = fe.load("int8", progress=messages.append)
    assert any("rebuilding" in m for m in messages)
    assert json.loads((damaged / "genai_config.json").read_text())["model"]["type"] == "llama"
    assert "int8" in fastest.label and "lossy" in fastest.label and fastest.label != fast_model.label
    assert "51" in "".join(stream_of(fastest, QUESTION, SHORT))


def test_the_default_engine_answers_as_the_float32_path_does(fast_model, chat_model):
    # Float activations on the GGUF's own blocks: the same logits as PyTorch's float32 model, so the same answers.
    for question in ("What is the capital of France?", "Write a haiku about autumn leaves falling."):
        messages = [{"role": "user", "content": question}]
        settings = g.GenerationSettings(max_new_tokens=40)
        assert "".join(stream_of(fast_model, messages, settings)) == "".join(backends.LocalBackend(chat_model).stream(messages, settings))


def test_engine_table_has_one_row_an_engine_and_one_column_a_condition():
    from lib import engine_results

    result = {"command": "python bench/run.py --save", "cpu": "x86_64", "threads": 2,
              "settings": {"new_tokens": 128, "items": "20 items (30 for helpdesk)", "seeds": 3, "max_new_tokens": 48},
              "engines": [{"engine": "a", "weight_mb": 540, "decode_tok_s": 11.0,
                           "accuracy": {"sentiment": {"zero-shot": 0.55, "4-shot": 0.5}}},
                          {"engine": "b", "weight_mb": 95, "decode_tok_s": 76.0, "accuracy": {}}]}
    rows = engine_results.table(result)
    assert [r["engine"] for r in rows] == ["a", "b"]
    assert rows[0]["sentiment: zero-shot"] == 0.55 and "sentiment: zero-shot" not in rows[1]
    assert rows[1]["weights read per token (MB)"] == 95
    assert "python bench/run.py --save" in engine_results.caption(result) and "(20 items (30 for helpdesk), 3 shot" in engine_results.caption(result)
    assert "2 threads, 2026-11-29)" in engine_results.caption(result | {"date": "2026-11-29"})
