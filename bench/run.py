"""Benchmark of the foundation, measured in one run: `python bench/run.py --json`.

Prints one JSON object:
- first_page_s: `streamlit run` started → the home page rendered in Chromium;
- load_first_s: GGUF de-quantized into an empty cache and loaded;
- load_cached_s: load from the safetensors cache (imports already done), and
  load_cached_cold_s: the same in a fresh Python process, imports included;
- ttft_s, decode_tok_s: the project's streaming API, greedy, up to 128 new tokens;
- raw_decode_tok_s: plain `model.generate` on the same model, dtype, prompt and settings;
  raw_bf16_decode_tok_s: the same in bfloat16, the dtype we chose not to use (see models.py);
- speed_ratio: decode_tok_s / raw_decode_tok_s (1.0 = our layer costs nothing).
Token rates are new tokens / wall time of the whole call, prefill included, for both sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

PROMPT = [{"role": "user", "content": "Tell me a long story about a dragon who learns to bake bread."}]
NEW_TOKENS = 128


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


def load_times() -> dict:
    from lib import models

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LLM_LAB_CACHE"] = tmp
        first = models.load_chat_model()
        cached = models.load_chat_model()
        cold = subprocess.run(
            [sys.executable, "-c", "import time; t = time.perf_counter(); from lib import models; "
             "models.load_chat_model(); print(time.perf_counter() - t)"],
            cwd=ROOT, env=os.environ | {"LLM_LAB_CACHE": tmp}, capture_output=True, text=True, check=True,
        )
        del os.environ["LLM_LAB_CACHE"]
    return {"load_first_s": first.load_seconds, "load_cached_s": cached.load_seconds,
            "load_cached_cold_s": float(cold.stdout.strip().splitlines()[-1])}


def raw_generate_tok_s(loaded) -> tuple[float, int]:
    import torch

    tok = loaded.tokenizer
    enc = tok(tok.apply_chat_template(PROMPT, tokenize=False, add_generation_prompt=True),
              return_tensors="pt", add_special_tokens=False)
    started = time.perf_counter()
    with torch.inference_mode():
        out = loaded.model.generate(**enc, max_new_tokens=NEW_TOKENS, do_sample=False,
                                    pad_token_id=tok.pad_token_id)
    new = out.shape[1] - enc["input_ids"].shape[1]
    return new / (time.perf_counter() - started), new


def project_tok_s(loaded) -> tuple[float, float, int]:
    from lib import generation

    stream = generation.stream_chat(loaded, PROMPT, generation.GenerationSettings(max_new_tokens=NEW_TOKENS))
    started = time.perf_counter()
    for _ in stream:
        pass
    return stream.stats.new_tokens / (time.perf_counter() - started), stream.stats.ttft_s, stream.stats.new_tokens


def decode_speeds(rounds: int = 3) -> dict:
    import torch

    from lib import models

    loaded = models.load_chat_model()
    torch.set_num_threads(os.cpu_count() or 1)
    project_tok_s(loaded)  # warm-up: first call pays one-time allocations
    ours, raw = [], []
    for _ in range(rounds):  # interleaved, so drift in machine load hits both sides alike
        ours.append(project_tok_s(loaded))
        raw.append(raw_generate_tok_s(loaded))
    best_ours = max(ours)
    best_raw = max(raw)
    loaded.model.to(torch.bfloat16)
    raw_bf16 = max(raw_generate_tok_s(loaded) for _ in range(rounds))
    loaded.model.to(torch.float32)
    return {"ttft_s": min(o[1] for o in ours), "decode_tok_s": best_ours[0], "raw_decode_tok_s": best_raw[0],
            "raw_bf16_decode_tok_s": raw_bf16[0], "new_tokens": best_ours[2],
            "speed_ratio": best_ours[0] / best_raw[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output too)")
    parser.add_argument("--no-browser", action="store_true", help="skip first_page_s (needs /usr/bin/chromium)")
    args = parser.parse_args()
    result = {"cpu_count": os.cpu_count()}
    result |= load_times()
    result |= decode_speeds()
    if not args.no_browser:
        result["first_page_s"] = first_page_s()
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
