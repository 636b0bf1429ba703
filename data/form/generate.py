"""Generate the form adapter's training data: retrieval-style prompts about invented things → a fixed answer form.

    python data/form/generate.py        # writes data/form/train.jsonl

Every fact is invented (made-up names, numbers and places), so the adapter can
only learn the *form* — "Answer: <short phrase>" then "Source: [n]" — and the
habit of copying the fact from the numbered passage, never facts themselves.
About one prompt in seven has passages without the answer, and one in seven
has no passages at all; their target is "Answer: I don't know" / "Source: none". The prompt is built with the RAG
page's own system prompt and context layout (lib.rag), so what the adapter sees
in training is what it sees on the Summary page.
"""

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from langchain_core.documents import Document  # noqa: E402

from lib import rag  # noqa: E402

SEED, COUNT = 7, 900
DONT_KNOW = "Answer: I don't know\nSource: none"
OUT = Path(__file__).with_name("train.jsonl")

SYLLABLES = ["bram", "wick", "sol", "tarn", "vel", "ost", "quill", "mar", "fen", "lo", "dra", "pim", "zur", "ket",
             "nim", "har", "cal", "bex", "ory", "stel"]
KINDS = ["lamp", "ferry", "museum", "festival", "robot", "bakery", "telescope", "bicycle", "library", "garden",
         "kettle", "radio", "orchestra", "bridge", "camera"]
PEOPLE = ["Ada Frell", "Tomas Quint", "Mira Okafor", "Jun Halvorsen", "Lena Marsh", "Piet Vande", "Rosa Ilve",
          "Omar Castel", "Yuki Brann", "Ines Talbot"]
TOWNS = ["Oxley Bay", "Port Vesk", "Harrowmere", "Little Tansy", "Kelvik", "Dunmoor", "Saltash Cove", "Everly"]
COLOURS = ["teal", "amber", "crimson", "slate grey", "olive green", "ivory", "cobalt blue"]
MATERIALS = ["recycled aluminium", "oak", "bamboo", "cast iron", "glass", "cork", "basalt"]

# (question, sentence stating the fact, value maker)
FACTS = [
    ("How much does {e} cost?", "{e} costs {v}.", lambda r: f"{r.randint(5, 900)} {r.choice(['euros', 'dollars', 'pounds'])}"),
    ("When was {e} founded?", "{e} was founded in {v}.", lambda r: str(r.randint(1820, 2023))),
    ("Who designed {e}?", "{e} was designed by {v}.", lambda r: r.choice(PEOPLE)),
    ("How long does the battery of {e} last?", "The battery of {e} lasts {v}.", lambda r: f"{r.randint(2, 40)} {r.choice(['hours', 'days'])}"),
    ("Where is {e} based?", "{e} is based in {v}.", lambda r: r.choice(TOWNS)),
    ("How tall is {e}?", "{e} stands {v} tall.", lambda r: f"{r.randint(2, 180)} metres"),
    ("What colour is {e}?", "{e} is painted {v}.", lambda r: r.choice(COLOURS)),
    ("What is {e} made of?", "{e} is made of {v}.", lambda r: r.choice(MATERIALS)),
    ("How many people work at {e}?", "{v} people work at {e}.", lambda r: str(r.randint(3, 400))),
    ("What time does {e} open?", "{e} opens at {v}.", lambda r: f"{r.randint(6, 11)}:{r.choice(['00', '15', '30', '45'])}"),
    ("How heavy is {e}?", "{e} weighs {v}.", lambda r: f"{r.randint(1, 90)} kilograms"),
    ("How many visitors did {e} have last year?", "Last year {e} had {v} visitors.", lambda r: f"{r.randint(2, 98) * 1000:,}"),
]
FILLER = ["{e} is popular with families.", "Many reviewers mention {e} in their guides.", "{e} has a small shop.",
          "Updates about {e} appear in a monthly newsletter.", "The team behind {e} answers questions by email.",
          "{e} was renovated a few years ago.", "Local schools sometimes visit {e}."]


def entity(r: random.Random) -> str:
    name = "".join(r.sample(SYLLABLES, r.choice([2, 2, 3]))).capitalize()
    return f"the {name} {r.choice(KINDS)}"


def passage(r: random.Random, name: str, facts: list[tuple[int, str]]) -> str:
    sentences = [FACTS[i][1].format(e=name, v=v) for i, v in facts]
    sentences += [f.format(e=name) for f in r.sample(FILLER, r.randint(0, 3))]
    r.shuffle(sentences)
    return " ".join(s[0].upper() + s[1:] for s in sentences)


def example(r: random.Random) -> dict:
    if r.random() < 1 / 7:  # nothing retrieved at all: the form still holds, and it admits it doesn't know
        fact_id, asked = r.randrange(len(FACTS)), entity(r)
        question = FACTS[fact_id][0].format(e=asked)
        return {"input": f"Question: {question[0].upper() + question[1:]}", "target": DONT_KNOW}
    names = [entity(r) for _ in range(r.randint(2, 4))]
    asked, fact_id = names[0], r.randrange(len(FACTS))
    value = FACTS[fact_id][2](r)
    answerable = r.random() > 1 / 7
    chunks = []
    for name in names:
        ids = r.sample([i for i in range(len(FACTS)) if i != fact_id], r.randint(1, 3))
        facts = [(i, FACTS[i][2](r)) for i in ids]
        if name == asked and answerable:
            facts.append((fact_id, value))
        chunks.append(Document(passage(r, name, facts), metadata={"source": name.split()[1].lower() + ".md"}))
    r.shuffle(chunks)
    hits = [rag.Hit(rank, chunk, 0.0) for rank, chunk in enumerate(chunks, start=1)]
    question = FACTS[fact_id][0].format(e=asked)
    question = question[0].upper() + question[1:]
    messages = rag.augmented_messages(question, hits)
    stated = FACTS[fact_id][1].format(e=asked, v=value)
    rank = next((h.rank for h in hits if stated.lower() in h.chunk.page_content.lower()), None)
    target = f"Answer: {value}\nSource: [{rank}]" if rank else DONT_KNOW
    return {"input": messages[1]["content"], "target": target}


def main() -> None:
    r = random.Random(SEED)
    rows = [example(r) for _ in range(COUNT)]
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    print(f"wrote {len(rows)} pairs to {OUT}")


if __name__ == "__main__":
    main()
