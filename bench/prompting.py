"""Prompting-lab benchmark: a 3-condition × 20-item evaluation with the bundled model, batched (as the pages and
CLI run it) vs one-by-one generation of the same prompts in the same run. `python bench/prompting.py --json`"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="viggo")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from lib import generation, models, prompting, tasks

    loaded = models.load_chat_model()
    task = tasks.load(args.task)
    settings = generation.GenerationSettings(max_new_tokens=48)
    conditions = [prompting.Condition("zero-shot", 0), prompting.Condition("4-shot", 4),
                  prompting.Condition("8-shot", 8)]
    batched = lambda convos: generation.generate_batch(loaded, convos, settings)  # noqa: E731
    one_by_one = lambda convos: ["".join(generation.stream_chat(loaded, c, settings)) for c in convos]  # noqa: E731
    timings, results = {}, {}
    for name, answer_all in (("batched", batched), ("one_by_one", one_by_one)):
        started = time.perf_counter()
        results[name] = prompting.evaluate(task, conditions, seeds=1, answer_all=answer_all, limit=20)
        timings[name] = time.perf_counter() - started
    same = [r["output"] for r in results["batched"]["rows"]] == [r["output"] for r in results["one_by_one"]["rows"]]
    print(json.dumps({"task": args.task, "conditions": 3, "items": 20, "batched_s": round(timings["batched"], 2),
                      "one_by_one_s": round(timings["one_by_one"], 2),
                      "speedup": round(timings["one_by_one"] / timings["batched"], 2), "identical_outputs": same,
                      "accuracy": {s["condition"]: s["accuracy"] for s in results["batched"]["summary"]}}))


if __name__ == "__main__":
    main()
