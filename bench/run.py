"""Benchmark of the generation engines, measured in one run: `python bench/run.py --json [--save]`.

Prints one JSON object (and with --save writes the Overview page's table, data/results/engines.json):
- decode: tokens/s after the first token, greedy, up to 128 new tokens, same chat prompt, for
  the app's streaming path on each engine (`backends.FastBackend` exact and int8 / `backends.LocalBackend`),
  plain onnxruntime-genai (its Generator loop, no wrapper of ours), plain transformers float32
  `generate`, and llama.cpp on the bundled GGUF when `llama_cpp` is importable (optional:
  `.venv/bin/pip install llama-cpp-python==0.3.36` compiles llama.cpp, many minutes);
  interleaved rounds, best of 3; ratios against the raw engine and llama.cpp;
- ttft_250: seconds to the first token for a prompt of ~250 tokens on each;
- load: the fast engine's one-time build (in an empty cache) and its cached load in a fresh process;
- eval_3x20: a 3-condition × 20-item evaluation (ViGGO task: 0, 4, 8 shots, 48 new tokens) on each
  engine, and whether the fast engine's batched answers equal its one-by-one answers;
- accuracy: every built-in prompting task, the conditions its page shows (4 shots; chain-of-thought
  for arithmetic), the same 20 held-out items and 3 shot samplings on each engine, plus the
  onnxruntime-genai builder's own int4 re-quantization on the extraction task (the careless way);
- first_page_s: `streamlit run` started → the home page rendered in Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

PROMPT = [{"role": "user", "content": "Tell me a long story about a dragon who learns to bake bread."}]
LONG_PROMPT = [{"role": "user", "content": "Summarise this in one sentence: " + " ".join(
    ["The harbour town woke early, and the bakers lit their ovens before the fishing boats went out."] * 12)}]
NEW_TOKENS = 128
ITEMS, SEEDS = 20, 3


def timed_stream(pieces) -> tuple[float, float, int]:
    """(decode tokens/s after the first token, seconds to the first token, tokens) for an iterator of tokens."""
    started, first, n = time.perf_counter(), None, 0
    for _ in pieces:
        n += 1
        first = first or time.perf_counter()
    end = time.perf_counter()
    return (n - 1) / max(end - first, 1e-9), first - started, n


def app_stream(backend, messages, new_tokens):
    """The app's streaming path, counted in tokens (its stats), timed from the call."""
    from lib.generation import GenerationSettings

    started = time.perf_counter()
    stream = backend.stream(messages, GenerationSettings(max_new_tokens=new_tokens), threading.Event())
    for _ in stream:
        pass
    s = stream.stats
    return (s.new_tokens - 1) / max(s.finished_at - s.first_token_at, 1e-9), s.first_token_at - started, s.new_tokens


def raw_og(fast, messages, new_tokens):
    import onnxruntime_genai as og

    from lib import fast_engine
    from lib.generation import render_prompt

    ids = fast_engine.encode(fast, render_prompt(fast.tokenizer, messages))
    model = og.Model(str(fast_engine.model_dir()))

    def tokens():
        params = og.GeneratorParams(model)
        params.set_search_options(max_length=len(ids) + new_tokens, do_sample=False)
        generator = og.Generator(model, params)
        generator.append_tokens([ids])
        while not generator.is_done():
            generator.generate_next_token()
            yield generator.get_next_tokens()[0]
    return timed_stream(tokens())


def raw_transformers(loaded, messages, new_tokens):
    import torch

    tok = loaded.tokenizer
    enc = tok(tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True),
              return_tensors="pt", add_special_tokens=False)
    times = []

    class Clock:
        def put(self, _value):
            times.append(time.perf_counter())

        def end(self):
            pass

    started = time.perf_counter()
    with torch.inference_mode():
        loaded.model.generate(**enc, max_new_tokens=new_tokens, do_sample=False, pad_token_id=tok.pad_token_id,
                              streamer=Clock())
    times = times[1:]  # generate() hands the streamer the prompt first
    return (len(times) - 1) / max(times[-1] - times[0], 1e-9), times[0] - started, len(times)


class LlamaCpp:
    """llama.cpp on the bundled GGUF, greedy, fed the same chat-templated prompt (for comparison only)."""

    def __init__(self, tokenizer):
        from llama_cpp import Llama

        from lib import models

        self.tokenizer = tokenizer
        self.llm = Llama(model_path=str(models.gguf_path()), n_ctx=4096, n_threads=os.cpu_count(), verbose=False)

    def tokens(self, messages, new_tokens):
        from lib.generation import render_prompt

        ids = self.llm.tokenize(render_prompt(self.tokenizer, messages).encode(), add_bos=False, special=True)
        for n, token in enumerate(self.llm.generate(ids, temp=0.0, top_k=1, reset=True), start=1):
            if token == self.llm.token_eos():
                return
            yield token
            if n >= new_tokens:
                return

    def answer_all(self, conversations, settings) -> list[str]:
        return [self.llm.detokenize(list(self.tokens(m, settings.max_new_tokens))).decode("utf-8", "replace")
                for m in conversations]


def llama_cpp(tokenizer) -> LlamaCpp | None:
    try:
        return LlamaCpp(tokenizer)
    except ImportError:
        return None


def speeds(fast, fastest, loaded, rounds: int = 3) -> dict:
    from lib import backends

    llama = llama_cpp(fast.tokenizer)
    runners = {"app_fast": lambda m, n: app_stream(backends.FastBackend(fast), m, n),
               "app_fastest": lambda m, n: app_stream(backends.FastBackend(fastest), m, n),
               "app_reference": lambda m, n: app_stream(backends.LocalBackend(loaded), m, n),
               "raw_onnxruntime_genai": lambda m, n: raw_og(fast, m, n),
               "raw_transformers_float32": lambda m, n: raw_transformers(loaded, m, n)}
    if llama:
        runners["llama_cpp"] = lambda m, n: timed_stream(llama.tokens(m, n))
    for run in runners.values():  # warm-up: first calls pay one-time allocations
        run(PROMPT, 8)
    decode, ttft = {k: [] for k in runners}, {k: [] for k in runners}
    for _ in range(rounds):  # interleaved, so drift in machine load hits every engine alike
        for name, run in runners.items():
            decode[name].append(run(PROMPT, NEW_TOKENS))
            ttft[name].append(run(LONG_PROMPT, 1)[1])
    best = {k: max(v) for k, v in decode.items()}
    out = {"decode_tok_s": {k: round(v[0], 1) for k, v in best.items()},
           "new_tokens": {k: v[2] for k, v in best.items()},
           "ttft_250_s": {k: round(min(v), 3) for k, v in ttft.items()},
           "long_prompt_tokens": len(fast.tokenizer.apply_chat_template(LONG_PROMPT, add_generation_prompt=True,
                                                                        return_dict=False))}
    d = out["decode_tok_s"]
    out["ratio_app_fast_vs_raw_engine"] = round(d["app_fast"] / d["raw_onnxruntime_genai"], 3)
    out["ratio_app_fast_vs_reference"] = round(d["app_fast"] / d["app_reference"], 2)
    out["ratio_app_fastest_vs_reference"] = round(d["app_fastest"] / d["app_reference"], 2)
    if llama:
        out["ratio_app_fast_vs_llama_cpp"] = round(d["app_fast"] / d["llama_cpp"], 3)
        out["ratio_app_fastest_vs_llama_cpp"] = round(d["app_fastest"] / d["llama_cpp"], 3)
    return out


def load_times() -> dict:
    from lib import fast_engine, models

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LLM_LAB_CACHE"] = tmp
        models.ensure_converted()
        build = fast_engine.ensure_built()
        cold = subprocess.run(
            [sys.executable, "-c", "import time, transformers, onnxruntime_genai; from lib import fast_engine; "
             "t = time.perf_counter(); fast_engine.load(); print(time.perf_counter() - t)"],
            cwd=ROOT, env=os.environ | {"LLM_LAB_CACHE": tmp}, capture_output=True, text=True, check=True)
        del os.environ["LLM_LAB_CACHE"]
    return {"fast_build_s": round(build, 1), "fast_load_cached_s": round(float(cold.stdout.strip().splitlines()[-1]), 3)}


def eval_3x20(fast, loaded) -> dict:
    from lib import backends, prompting, tasks
    from lib.generation import GenerationSettings

    task = tasks.load("viggo")
    settings = GenerationSettings(max_new_tokens=48)
    conditions = [prompting.Condition("zero-shot", 0), prompting.Condition("4-shot", 4), prompting.Condition("8-shot", 8)]
    fast_backend, reference = backends.FastBackend(fast), backends.LocalBackend(loaded)
    runs = {"fast": lambda c: fast_backend.answer_all(c, settings),
            "reference": lambda c: reference.answer_all(c, settings),
            "fast_one_by_one": lambda c: ["".join(fast_backend.stream(m, settings, threading.Event()))
                                          for m in c]}
    seconds, outputs = {}, {}
    for name, answer_all in runs.items():
        started = time.perf_counter()
        result = prompting.evaluate(task, conditions, seeds=1, answer_all=answer_all, limit=20)
        seconds[name] = round(time.perf_counter() - started, 2)
        outputs[name] = [r["output"] for r in result["rows"]]
    return {"seconds": seconds, "speedup_fast_vs_reference": round(seconds["reference"] / seconds["fast"], 2),
            "fast_batched_equals_one_by_one": outputs["fast"] == outputs["fast_one_by_one"]}


def task_items(task_name: str) -> int:
    """As many held-out items as the task's stored prompting run, so the table's default-engine columns are that
    same measurement (tests/test_experiments.py checks they agree)."""
    from lib import experiments

    stored = experiments.get(f"prompting/{task_name}")
    return stored.settings["items"] if stored else ITEMS


def items_said(task_names: list[str]) -> str:
    """'20 items' when every task uses the default, else e.g. '20 items (30 for helpdesk)'."""
    counts = {t: task_items(t) for t in task_names}
    other = [f"{n} for {t}" for t, n in counts.items() if n != ITEMS]
    return f"{ITEMS} items" + (f" ({', '.join(other)})" if other else "")


def accuracy(backends_by_name: dict, task_names: list[str]) -> dict:
    """{engine: {task: {condition: accuracy}}} with the pages' conditions, items and seeds."""
    from lib import prompting, tasks
    from lib.generation import GenerationSettings

    out = {name: {} for name in backends_by_name}
    for task_name in task_names:
        task = tasks.load(task_name)
        cot = task_name == "arithmetic"
        settings = GenerationSettings(max_new_tokens=prompting.default_budget(cot))
        for name, backend in backends_by_name.items():
            result = prompting.evaluate(task, prompting.default_conditions(4, cot), SEEDS,
                                        lambda c: backend.answer_all(c, settings), task_items(task_name))
            out[name][task_name] = {s["condition"]: round(s["accuracy"], 3) for s in result["summary"]}
            print(f"accuracy {name} {task_name} {out[name][task_name]}", file=sys.stderr, flush=True)
    return out


def careless_int4(loaded_dir: Path, tokenizer) -> tuple:
    """onnxruntime-genai's builder with its default int4 (re-quantizes the de-quantized weights)."""
    from lib import backends, fast_engine, models, onnx_build

    out = Path(tempfile.mkdtemp(prefix="int4-"))
    onnx_build.run_builder(loaded_dir, out, "int4")
    batcher, window = fast_engine.open_batcher(out)
    fast = fast_engine.FastModel(models.BUNDLED_CHAT_NAME, batcher, tokenizer, 0.0, window,
                                 "int4 re-quantized by the converter (careless)")
    return backends.FastBackend(fast), out


def weight_mb(named_sizes: dict[str, int]) -> float:
    """Bytes of weights read per generated token: everything but the embedding table (one row is looked up)."""
    return round(sum(v for k, v in named_sizes.items() if "embed" not in k) / 1e6)


def onnx_weight_sizes(folder: Path) -> dict[str, int]:
    import onnx

    model = onnx.load(str(folder / "model.onnx"), load_external_data=False)
    sizes = {}
    for init in model.graph.initializer:
        length = next((int(e.value) for e in init.external_data if e.key == "length"), len(init.raw_data))
        sizes[init.name] = length
    return sizes


def first_page_s() -> float:
    from browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_for_app_idle
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = time.perf_counter()
        with streamlit_server() as url:
            page = browser.new_page()
            page.goto(url)
            wait_for_app_idle(page)
            page.get_by_text("Customizing LLMs").first.wait_for()
            elapsed = time.perf_counter() - started
        browser.close()
    return elapsed


def engines_table(result: dict, fast, fastest, loaded, careless_dir: Path | None) -> dict:
    """The Overview page's table: one row an engine, from this run's measurements."""
    from lib import fast_engine, tasks

    d, acc = result["speed"]["decode_tok_s"], result.get("accuracy", {})
    # Tied weights: the embedding table is also the output layer, so PyTorch reads all of it every token.
    torch_mb = round(sum(p.numel() * p.element_size() for p in loaded.model.parameters()) / 1e6)
    rows = [{"engine": "reference: float32, PyTorch", "weight_mb": torch_mb,
             "decode_tok_s": d["app_reference"], "accuracy": acc.get("reference", {})},
            {"engine": fast.label + ", the default", "weight_mb": weight_mb(onnx_weight_sizes(fast_engine.model_dir())),
             "decode_tok_s": d["app_fast"], "accuracy": acc.get("fast", {})},
            {"engine": fastest.label, "weight_mb": weight_mb(onnx_weight_sizes(fast_engine.model_dir("int8"))),
             "decode_tok_s": d["app_fastest"], "accuracy": acc.get("fastest", {})}]
    if careless_dir is not None:
        rows.append({"engine": "int4 re-quantized by the converter (careless)", "weight_mb":
                     weight_mb(onnx_weight_sizes(careless_dir)), "decode_tok_s": result["careless_decode_tok_s"],
                     "accuracy": acc.get("careless", {})})
    if "llama_cpp" in d:
        rows.append({"engine": "llama.cpp on the bundled GGUF (for comparison)", "weight_mb": None,
                     "decode_tok_s": d["llama_cpp"], "accuracy": acc.get("llama_cpp", {})})
    return {"command": "python bench/run.py --save", "date": time.strftime("%Y-%m-%d"),
            "cpu": platform.processor() or platform.machine(),
            "threads": os.cpu_count(), "tasks": tasks.builtin_names(),
            "settings": {"new_tokens": NEW_TOKENS, "items": items_said(tasks.builtin_names()), "seeds": SEEDS,
                         "max_new_tokens": "48 (200 for chain-of-thought)"},
            "engines": rows}


def refresh_task(task: str) -> None:
    """Measure one task's accuracy again on the engines here, in the saved table. An engine that is not here (llama.cpp
    unless built, the careless int4) loses that task's numbers rather than keep ones from other data."""
    from lib import backends, engine_results, fast_engine, models

    table = engine_results.load()
    engines = {"reference": backends.LocalBackend(models.load_chat_model()),
               "fast": backends.FastBackend(fast_engine.load()), "fastest": backends.FastBackend(fast_engine.load("int8"))}
    if (llama := llama_cpp(engines["fast"].loaded.tokenizer)) is not None:
        engines["llama_cpp"] = llama
    measured = accuracy(engines, [task])
    prefixes = {"reference": "reference:", "fast": "fast:", "fastest": "fastest:", "llama_cpp": "llama.cpp"}
    for row in table["engines"]:
        name = next((n for n, prefix in prefixes.items() if row["engine"].startswith(prefix)), None)
        if name in measured:
            row["accuracy"][task] = measured[name][task]
        else:
            row.get("accuracy", {}).pop(task, None)
    table.setdefault("refreshed", {})[task] = {"command": f"python bench/run.py --refresh-task {task}",
                                               "date": time.strftime("%Y-%m-%d"), "engines": sorted(measured)}
    engine_results.RESULT_FILE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(measured))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object on one line")
    parser.add_argument("--no-browser", action="store_true", help="skip first_page_s (needs /usr/bin/chromium)")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the accuracy table (the longest part)")
    parser.add_argument("--save", action="store_true", help="write data/results/engines.json (the Overview page's table)")
    parser.add_argument("--refresh-task", metavar="TASK", help="only measure TASK's accuracy again on the engines "
                        "here and write it into the saved table (after the task's data changed)")
    args = parser.parse_args()
    from lib import backends, engine_results, fast_engine, models, tasks

    if args.refresh_task:
        refresh_task(args.refresh_task)
        return

    result = {"cpu_count": os.cpu_count(), "load": load_times()}
    fast, fastest, loaded = fast_engine.load(), fast_engine.load("int8"), models.load_chat_model()
    result["speed"] = speeds(fast, fastest, loaded)
    result["eval_3x20"] = eval_3x20(fast, loaded)
    careless_dir = None
    if not args.no_accuracy:
        engines = {"fast": backends.FastBackend(fast), "fastest": backends.FastBackend(fastest),
                   "reference": backends.LocalBackend(loaded)}
        result["accuracy"] = accuracy(engines, tasks.builtin_names())
        if (llama := llama_cpp(fast.tokenizer)) is not None:
            result["accuracy"] |= accuracy({"llama_cpp": llama}, tasks.builtin_names())
        careless, careless_dir = careless_int4(models.converted_dir(), fast.tokenizer)
        result["accuracy"] |= accuracy({"careless": careless}, ["extraction"])
        result["careless_decode_tok_s"] = round(max(app_stream(careless, PROMPT, NEW_TOKENS)[0] for _ in range(3)), 1)
        result["accuracy_gap_points"] = {engine: {
            task: {c: round(100 * (result["accuracy"][engine][task][c] - v), 1) for c, v in conditions.items()}
            for task, conditions in result["accuracy"]["reference"].items()}
            for engine in ("fast", "fastest", "llama_cpp") if engine in result["accuracy"]}
    if not args.no_browser:
        result["first_page_s"] = round(first_page_s(), 2)
    if args.save:
        table = engines_table(result, fast, fastest, loaded, careless_dir)
        engine_results.RESULT_FILE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
