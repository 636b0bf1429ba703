"""Build the two generated task files: `python data/tasks/generate.py`.

arithmetic.json: grade-school word problems from our own templates, each with a worked
rationale that ends "The answer is N." (for chain-of-thought shots).
viggo.json: the ViGGO-style task, drawn from data/viggo/{train,test}.jsonl so the
prompting lab and the LoRA lab use the same data.
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAMES = ["Ana", "Bilal", "Chloe", "Dmitri", "Esi", "Farah", "Goran", "Hiro", "Ines", "Jonah", "Kavya", "Lars"]


def problems(rng: random.Random):
    n = rng.choice(NAMES)
    a, b, c = rng.randint(3, 12), rng.randint(2, 6), rng.randint(2, 9)
    yield (f"{n} has {a} stickers and buys {b} packs with {c} stickers in each. How many stickers does {n} have now?",
           f"{b} packs of {c} stickers is {b} × {c} = {b * c}. Adding the {a} stickers {n} had gives {a} + {b * c} = {a + b * c}.",
           a + b * c)
    d, s = rng.randint(3, 7), rng.randint(5, 20)
    yield (f"A baker makes {a + 10} loaves a day for {d} days and sells {s} loaves in total. How many loaves are left?",
           f"Over {d} days the baker makes {a + 10} × {d} = {(a + 10) * d} loaves. After selling {s}, {(a + 10) * d} − {s} = {(a + 10) * d - s} are left.",
           (a + 10) * d - s)
    money = rng.randint(40, 90)
    yield (f"{n} had {money} dollars, spent {b + 5} dollars on lunch and {c + 10} dollars on a book. How many dollars are left?",
           f"{n} spent {b + 5} + {c + 10} = {b + 5 + c + 10} dollars. {money} − {b + c + 15} = {money - b - c - 15} dollars are left.",
           money - b - c - 15)
    yield (f"A hall has {a} rows of {b + 4} chairs. {c} chairs are taken. How many chairs are free?",
           f"The hall has {a} × {b + 4} = {a * (b + 4)} chairs. With {c} taken, {a * (b + 4)} − {c} = {a * (b + 4) - c} are free.",
           a * (b + 4) - c)
    yield (f"{n} reads {c + 5} pages a day. How many days does it take to read a book of {(c + 5) * d} pages?",
           f"The book has {(c + 5) * d} pages and {n} reads {c + 5} a day, so it takes {(c + 5) * d} ÷ {c + 5} = {d} days.",
           d)
    price = rng.randint(4, 9)
    paid = (price * b // 10 + 1) * 10 + 10
    yield (f"A museum ticket costs {price} dollars. A family buys {b} tickets and pays with {paid} dollars. How much change do they get?",
           f"{b} tickets cost {b} × {price} = {b * price} dollars. The change is {paid} − {b * price} = {paid - b * price} dollars.",
           paid - b * price)


def arithmetic() -> dict:
    rng = random.Random(11)
    items, seen = [], set()
    while len(items) < 42:
        for question, steps, answer in problems(rng):
            if question not in seen:
                seen.add(question)
                items.append({"input": question, "output": str(answer), "rationale": f"{steps} The answer is {answer}."})
    return {"name": "arithmetic", "title": "Arithmetic word problems",
            "instruction": "Solve the math word problem. Give the final answer as a number.",
            "scorer": "number", "examples": items[:22], "test": items[22:42]}


def viggo() -> dict:
    schema = json.loads((HERE.parent / "viggo" / "schema.json").read_text(encoding="utf-8"))

    def rows(name, count):
        lines = (HERE.parent / "viggo" / f"{name}.jsonl").read_text().splitlines()[:count]
        return [{"input": r["input"], "output": r["target"]} for r in map(json.loads, lines)]

    return {"name": "viggo", "title": "ViGGO meaning representations",
            "instruction": ("Convert the sentence into a meaning representation act(slot[value], ...). "
                            f"Acts: {', '.join(schema['acts'])}. Answer with the representation only."),
            "scorer": "mr", "examples": rows("train", 24), "test": rows("test", 20)}


if __name__ == "__main__":
    for task in (arithmetic(), viggo()):
        (HERE / f"{task['name']}.json").write_text(json.dumps(task, indent=1, ensure_ascii=False) + "\n")
