"""LoRA benchmark, one run: `python bench/lora.py --json`.

- step_ratio: seconds per training step of lib.lora_training.train over a plain PEFT loop (same model, settings, batches);
- switch_ms: extra time of a call that changes adapter (base ↔ viggo) over one that keeps it;
- live_*: the page's default training run (TrainConfig()), its wall time and held-out exact match on 40 pairs.
"""

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).add_argument("--json", action="store_true")
    import tempfile

    import torch

    from lib import lora, lora_training
    from lib.lora_serving import LoraServer

    pairs = lora.load_pairs(lora.TRAIN_FILE)
    steps = 8
    config = lora_training.TrainConfig(steps=steps, sample_every=10_000)

    # Plain PEFT loop: the same batches lib.lora_training.train draws (same seed), nothing else.
    model, tokenizer = lora_training.new_training_model(config)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate)
    rng = random.Random(config.seed)
    model.train()
    started = time.perf_counter()
    for _ in range(steps):
        loss = model(**lora_training._batch(tokenizer, rng.sample(pairs, config.batch_size))).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    plain = (time.perf_counter() - started) / steps
    with tempfile.TemporaryDirectory() as tmp:
        ours = lora_training.train(config, pairs, Path(tmp), model_and_tokenizer=lora_training.new_training_model(config)).seconds / steps

        server = LoraServer(lora.BUNDLED)
        probe = [lora.load_pairs(lora.TEST_FILE)[0]["input"]]

        def timed(name):
            t = time.perf_counter()
            lora.answers(server.backend(name), probe, max_new_tokens=4)
            return (time.perf_counter() - t) * 1000

        same = statistics.median(timed("viggo") for _ in range(8))
        switching = statistics.median(timed(name) for name in ["viggo", None] * 4)

        live = lora_training.TrainConfig()
        t = time.perf_counter()
        log = lora_training.train(live, pairs, Path(tmp) / "live")
        live_s = time.perf_counter() - t
        server.add("live", Path(tmp) / "live")
        test = lora.load_pairs(lora.TEST_FILE)[:40]
        em = lora.score_rows(test, lora.answers(server.backend("live"), [p["input"] for p in test], lora.EVAL_TOKENS))["exact_match"]
    print(json.dumps({"plain_step_s": round(plain, 3), "ours_step_s": round(ours, 3), "step_ratio": round(ours / plain, 3),
                      "same_adapter_call_ms": round(same, 1), "switching_call_ms": round(switching, 1),
                      "switch_ms": round(switching - same, 1), "live_steps": live.steps,
                      "live_train_s_incl_model_copy": round(live_s, 1), "live_train_loop_s": round(log.seconds, 1),
                      "live_exact_match_40": em}))


if __name__ == "__main__":
    main()
