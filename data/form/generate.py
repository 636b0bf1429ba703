"""Generate the read-and-answer adapter's training data: retrieved passages + a question → a short answer and its source.

    python data/form/generate.py        # writes data/form/train.jsonl

Every document is invented (made-up names, places, numbers), so the adapter can
only learn the *form* — "Answer: <the words from the passage>" then "Source: [n]"
— and the habit of reading the fact out of the numbered passage, never facts
themselves. The documents look like real ones: a title, sections, paragraphs
that state several facts a sentence, bullet lists, and the chunks are cut by the
RAG page's own splitter (128 tokens, 16 overlap), so a passage starts mid-list or
mid-section as it does on the page. Questions word things differently from the
passage ("How much is…" against "priced at…"). The passage holding the answer is
mostly the closest one but not always; one prompt in ten has passages without
the answer and one in ten has none, answered "Answer: I don't know" /
"Source: none". The prompt is the RAG page's own (lib.rag.augmented_messages).

Written from the two formats alone: neither the sample documents' facts nor the
held-out set (data/rag_heldout) were used, and a test checks that no evaluation
document's name appears here.
"""

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from langchain_core.documents import Document  # noqa: E402

from lib import rag  # noqa: E402

SEED, DOCS, COUNT = 7, 160, 1200
DONT_KNOW = "Answer: I don't know\nSource: none"
OUT = Path(__file__).with_name("train.jsonl")

SYLLABLES = ["bram", "wick", "sol", "tarn", "vel", "ost", "quill", "mar", "fen", "lo", "dra", "pim", "zur", "ket",
             "nim", "har", "cal", "bex", "ory", "stel", "gan", "pol", "rit", "sen", "dov", "ul", "crin", "ab"]
FIRST = ["Ada", "Tomas", "Mira", "Jun", "Lena", "Piet", "Rosa", "Omar", "Yuki", "Ines", "Edda", "Bastian", "Cora",
         "Dmitri", "Freya", "Gideon", "Hana", "Ivo", "Kaja", "Luca", "Nell", "Orla", "Rafe", "Sunniva", "Teo"]
CURRENCIES = ["euros", "pounds", "crowns", "florins", "dollars", "marks"]
KINDS = {  # kind of thing → (title suffixes, section headings)
    "device": (["product guide", "user manual", "quick start"], ["How it works", "In the box", "Care", "Troubleshooting",
                                                                 "Warranty", "Settings"]),
    "place": (["visitor guide", "visitor notes", "what to know"], ["Getting there", "Opening hours", "Tickets",
                                                                   "History", "Rooms and spaces", "Rules"]),
    "event": (["festival programme", "event guide", "the essentials"], ["Programme", "Competitions", "History",
                                                                         "Tickets", "Getting there"]),
    "service": (["passenger guide", "service notes", "FAQ"], ["Timetable", "Fares", "On board", "Delays and refunds",
                                                             "History"]),
    "club": (["member handbook", "club rules", "welcome pack"], ["Membership", "Meetings", "Equipment", "History",
                                                               "Rules"]),
}
NOUNS = {"device": ["kettle", "lamp", "radio", "camera", "scanner", "clock", "heater", "speaker"],
         "place": ["museum", "library", "observatory", "garden", "castle", "lighthouse", "aquarium"],
         "event": ["festival", "fair", "regatta", "marathon", "market"],
         "service": ["ferry", "railway", "tram line", "cable car", "bus line"],
         "club": ["chess club", "rowing club", "choir", "astronomy society", "cycling club"]}


def word(r: random.Random, parts: int = 2) -> str:
    return "".join(r.sample(SYLLABLES, parts)).capitalize()


def person(r):
    return f"{r.choice(FIRST)} {word(r)}"


def money(r):
    return f"{r.choice([2, 4, 5, 7, 9, 12, 15, 18, 20, 25, 30, 45, 60, 89, 120, 240, 400])} {r.choice(CURRENCIES)}"


def amount(units, low, high):
    return lambda r: f"{r.randint(low, high)} {r.choice(units)}"


def pick(*values):
    return lambda r: r.choice(values)


YEAR = lambda r: str(r.randint(1820, 2031))  # noqa: E731
CLOCK = lambda r: r.choice([f"{r.randint(5, 11)}:{r.choice(['00', '15', '30', '45'])}",  # noqa: E731
                            f"{r.randint(6, 11)} p.m.", f"{r.randint(6, 11)} a.m."])
ALL = {"device", "place", "event", "service", "club"}

# (sentence stating a fact, question asking it, value maker, kinds of document it fits). A sentence often carries
# a second clause, so the value sits inside text as it does in real documents.
FACTS = [
    ("{N} costs {v} and comes in three colours.", "How much does {n} cost?", money, {"device"}),
    ("It is priced at {v} in most shops.", "What is the price of {n}?", money, {"device"}),
    ("An adult ticket is {v}; children under six go free.", "How much is an adult ticket for {n}?", money,
     {"place", "event"}),
    ("A year's membership costs {v}, paid each spring.", "How much does membership of {n} cost per year?", money,
     {"club", "place"}),
    ("A single fare is {v}, bought on board or online.", "How much is a single fare on {n}?", money, {"service"}),
    ("{N} first opened its doors in {v}.", "When did {n} first open?", YEAR, {"place"}),
    ("The first model went on sale in {v}.", "When did {n} first go on sale?", YEAR, {"device"}),
    ("It has been held every year since {v}, apart from one wet summer.", "Since when has {n} been held?", YEAR,
     {"event"}),
    ("{N} was founded in {v} by a group of neighbours.", "When was {n} founded?", YEAR, {"club", "service", "place"}),
    ("{N} was founded by {v}, who ran it for twenty years.", "Who founded {n}?", person, {"club", "place", "service"}),
    ("The original design was drawn by {v} in a rented workshop.", "Who designed the original {n}?", person,
     {"device"}),
    ("Judging is done by {v}, as it has been for a decade.", "Who judges the competitions at {n}?", person, {"event"}),
    ("The current chair is {v}.", "Who chairs {n}?", person, {"club"}),
    ("Questions about lost property go to {v} at the front desk.", "Who handles lost property at {n}?", person,
     {"place", "service"}),
    ("The battery lasts {v} on a single charge.", "How long does the battery of {n} last?",
     amount(["hours", "days"], 2, 40), {"device"}),
    ("A full tour takes about {v}, with a break halfway.", "How long does a tour of {n} take?",
     amount(["minutes", "hours"], 2, 90), {"place"}),
    ("The crossing takes {v} in calm weather.", "How long does the crossing on {n} take?",
     amount(["minutes"], 10, 95), {"service"}),
    ("To reset it, hold the round button for {v} until the light flashes.", "How do you reset {n}?",
     amount(["seconds"], 3, 30), {"device"}),
    ("Every one comes with a warranty of {v}.", "How long is the warranty on {n}?", amount(["years"], 1, 10),
     {"device"}),
    ("The main hall seats {v} for talks and concerts.", "How many people does the main hall of {n} seat?",
     amount(["people"], 20, 900), {"place", "club"}),
    ("Each member may borrow {v} at a time.", "How many items can a member of {n} borrow at once?",
     amount(["items", "books"], 3, 30), {"club", "place"}),
    ("Every vessel carries up to {v}, and dogs ride free.", "How many passengers can {n} carry?",
     amount(["passengers"], 12, 400), {"service"}),
    ("Last year {v} took part, a record.", "How many people took part in {n} last year?",
     amount(["people", "runners", "teams"], 30, 900), {"event"}),
    ("The walking trail is {v} long and mostly flat.", "How long is the trail at {n}?",
     amount(["kilometres"], 2, 30), {"place", "event"}),
    ("The tower stands {v} tall above the harbour.", "How tall is the tower of {n}?", amount(["metres"], 8, 95),
     {"place"}),
    ("It weighs {v}, light enough to carry in one hand.", "How much does {n} weigh?", amount(["grams"], 90, 900),
     {"device"}),
    ("The tank holds {v} of water.", "What is the capacity of {n}?",
     lambda r: f"{r.randint(1, 3)}.{r.randint(1, 9)} litres", {"device"}),
    ("Doors open at {v} on weekdays and an hour later at weekends.", "What time does {n} open on weekdays?", CLOCK,
     {"place"}),
    ("Quiet hours begin at {v} each evening.", "When do quiet hours start at {n}?",
     lambda r: f"{r.randint(8, 11)} p.m.", {"place", "club"}),
    ("The first departure leaves at {v}.", "When does the first {kind} leave?",
     lambda r: f"{r.randint(5, 9)}:{r.choice(['00', '15', '30', '45'])}", {"service"}),
    ("Meetings start at {v} sharp.", "What time do meetings of {n} start?", CLOCK, {"club"}),
    ("Inside sits a small chip the makers call the {v}.", "What is the chip inside {n} called?",
     lambda r: f"{word(r)} core", {"device"}),
    ("The oldest boat in the fleet is named {v}.", "What is the name of the oldest boat of {n}?",
     lambda r: f"{word(r)}'s {r.choice(['Wing', 'Pride', 'Luck'])}", {"service"}),
    ("The gentlest setting is called {v} and suits delicate tea.", "Which setting of {n} is for delicate tea?",
     lambda r: word(r), {"device"}),
    ("The largest room is the {v}, used for weddings.", "Which room at {n} is used for weddings?",
     lambda r: f"{word(r)} Room", {"place"}),
    ("The prize for the winner is the {v}.", "What is the winner's prize at {n} called?",
     lambda r: f"{word(r)} {r.choice(['Cup', 'Star', 'Shield'])}", {"event", "club"}),
    ("Error code {c} means the {v}; close it and try again.", "What does error code {c} mean on {n}?",
     pick("lid is open", "door is not shut", "cover is loose"), {"device"}),
    ("If the display shows {c}, the {v}.", "What does {c} on the display of {n} mean?",
     pick("filter is blocked", "battery is low", "tank is empty", "fan is jammed", "sensor is dirty"), {"device"}),
    ("Boats may not go faster than {v} on the lake.", "What is the speed limit for boats at {n}?",
     amount(["knots"], 4, 20), {"place", "event"}),
    ("Visitors may feed the birds only {v}.", "What may visitors feed the birds at {n}?",
     pick("seed cakes", "pellet mix", "oat flakes"), {"place"}),
    ("Players must wear {v} during matches.", "What must players wear at {n}?",
     pick("white gloves", "soft shoes", "club colours"), {"club"}),
    ("It should be descaled every {v}, more often with hard water.", "How often should {n} be descaled?",
     amount(["weeks"], 2, 12), {"device"}),
    ("The exhibition changes every {v}.", "How often does the exhibition at {n} change?", amount(["months"], 2, 12),
     {"place"}),
    ("Trains run every {v} during the day.", "How often do trains run on {n}?", amount(["minutes"], 5, 60),
     {"service"}),
    ("If a trip is more than {v} late, the whole fare is paid back.", "How late must {n} be for a full refund?",
     amount(["minutes"], 10, 90), {"service"}),
    ("Students get {v} off every ticket.", "How much discount do students get at {n}?",
     amount(["percent"], 5, 50), {"service", "place", "event"}),
    ("The word for {m} in its own dialect is {v}.", "What is the local word for {m} at {n}?",
     lambda r: word(r).lower(), ALL),
]
FILLER = ["Many visitors say it is the highlight of their trip.", "A newsletter goes out every month.",
          "Reviews in the local paper have been kind.", "The team answers questions by email within two days.",
          "Some details change from season to season.", "Photographs are welcome unless a sign says otherwise.",
          "The building was repainted recently.", "School groups should book ahead.", "There is a small shop.",
          "Most people find it easy to use after a day or two.", "Older models look slightly different."]


def document(r: random.Random) -> tuple[Document, list[dict]]:
    """An invented document and its facts ({"question", "answer", "stated"})."""
    kind = r.choice(list(KINDS))
    noun = r.choice(NOUNS[kind])
    proper = word(r, r.choice([2, 2, 3]))
    name = f"the {proper} {noun}"
    title_suffixes, headings = KINDS[kind]
    usable = [f for f in FACTS if kind in f[3]]
    chosen = r.sample(usable, min(len(usable), r.randint(5, 8)))
    facts, statements = [], []
    for sentence, question, value, _kinds in chosen:
        v, code = value(r), f"E{r.randint(1, 9)}"
        fill = {"N": f"The {proper} {noun}", "n": name, "kind": noun, "v": v, "c": code,
                "m": r.choice(["bread", "river", "friend", "morning", "rain", "thank you"])}
        stated = sentence.format(**fill).replace("..", ".")
        facts.append({"question": question.format(**fill), "answer": v, "stated": stated})
        statements.append(stated)
    sections = r.sample(headings, min(len(headings), r.randint(2, 4)))
    body = [f"# The {proper} {noun} — {r.choice(title_suffixes)}", "",
            f"The {proper} {noun} is {r.choice(['a', 'an independent', 'a small', 'a well-known'])} {noun} "
            f"{r.choice(['in the north', 'by the river', 'on the coast', 'in the old town', 'made by a family firm'])}. "
            + " ".join(statements[:2])]
    rest = statements[2:]
    for i, heading in enumerate(sections):
        share = rest[i::len(sections)]
        body += ["", f"## {heading}", ""]
        if r.random() < 0.35 and share:  # a bullet list, as guides often have
            body += [f"- {s}" for s in share]
            body += ["", r.choice(FILLER)]
        else:
            sentences = share + r.sample(FILLER, r.randint(1, 3))
            r.shuffle(sentences)
            body.append(" ".join(sentences))
    source = f"{proper.lower()}_{noun.replace(' ', '_')}.md"
    return Document("\n".join(body) + "\n", metadata={"source": source}), facts


def example(r: random.Random, doc_chunks: list[tuple[list[Document], list[dict]]]) -> dict:
    chunks, facts = r.choice(doc_chunks)
    fact = r.choice(facts)
    question = fact["question"][0].upper() + fact["question"][1:]
    if r.random() < 0.1:  # nothing retrieved: the form still holds, and it admits it doesn't know
        return {"input": f"Question: {question}", "target": DONT_KNOW}
    holding = [c for c in chunks if fact["stated"] in c.page_content or fact["answer"] in c.page_content]
    others = [c for c in chunks if c not in holding]
    for other_chunks, _ in r.sample(doc_chunks, 3):
        others += [c for c in other_chunks if fact["answer"] not in c.page_content][:3]
    k = r.choice([1, 2, 2, 2, 3, 3, 4])
    answerable = bool(holding) and r.random() > 0.1
    picked = r.sample(others, k - 1 if answerable else k)
    if answerable:
        picked.insert(min(len(picked), r.choices([0, 1, 2], [6, 3, 1])[0]), r.choice(holding))
    hits = [rag.Hit(rank, chunk, 0.0) for rank, chunk in enumerate(picked, start=1)]
    messages = rag.augmented_messages(question, hits)
    rank = next((h.rank for h in hits if fact["answer"] in h.chunk.page_content), None) if answerable else None
    target = f"Answer: {fact['answer']}\nSource: [{rank}]" if rank else DONT_KNOW
    return {"input": messages[1]["content"], "target": target}


def main() -> None:
    r = random.Random(SEED)
    tokenizer = rag.embedding_tokenizer()
    doc_chunks = []
    for _ in range(DOCS):
        doc, facts = document(r)
        doc_chunks.append((rag.split([doc], 128, 16, tokenizer), facts))
    rows = [example(r, doc_chunks) for _ in range(COUNT)]
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    print(f"wrote {len(rows)} pairs to {OUT}")


if __name__ == "__main__":
    main()
