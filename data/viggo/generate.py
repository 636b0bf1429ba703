"""Generate the lab's ViGGO-style data set: sentence → meaning representation `act(slot[value], ...)`.

    python data/viggo/generate.py        # writes train.jsonl (1,200) and test.jsonl (120), seed 7

Written by the team: invented games, our own sentence shapes. It follows the
published ViGGO schema (9 dialogue acts, 14 slots; list values comma-separated
in one bracket, booleans yes/no, request_attribute with an empty value) but
copies no sentence from it. Train and test use different games, so a model
must learn the mapping, not the names.
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SLOT_ORDER = ["name", "exp_release_date", "release_year", "developer", "esrb", "rating", "genres",
              "player_perspective", "platforms", "available_on_steam", "has_linux_release", "has_mac_release",
              "has_multiplayer", "specifier"]
GENRES = ["action", "adventure", "puzzle", "role-playing", "strategy", "simulation", "platformer", "shooter",
          "racing", "sport", "fighting", "tactical", "point-and-click", "real-time strategy", "indie"]
PLATFORMS = ["PC", "PlayStation", "Xbox", "Nintendo Switch", "Nintendo"]
ESRB = ["E (for Everyone)", "E 10+ (for Everyone 10 and Older)", "T (for Teen)", "M (for Mature)"]
PERSPECTIVES = ["first person", "third person", "side view", "bird view"]
RATINGS = ["excellent", "good", "average", "poor"]
SPECIFIERS = ["interesting", "fun", "relaxing", "addictive", "underrated", "popular", "creepy", "cheerful"]
DEVELOPERS = ["Ashgrove Studio", "Brightmoth Games", "Copperline Interactive", "Duskwater", "Ember & Oak",
              "Foxglove Works", "Glimmerforge", "Hollowpine", "Ironquill Games", "Juniper Arcade",
              "Kestrel Labs", "Lanternjaw", "Mossbyte", "Northwind Play"]
TRAIN_NAMES = ["Starfall Harbor", "Crimson Orchard", "Velvet Circuit", "Tidebreaker", "Moonlit Foundry",
               "Paper Lanterns", "Ironroot", "Skyward Bakery", "Hollow Crown", "Quartz Expedition",
               "Ember Valley", "Glass Knights", "Neon Shepherd", "Frostbite Express", "Willow Protocol",
               "Copper Comet", "Saltwind Saga", "Orbit Farmers", "The Last Lighthouse", "Maple Siege",
               "Dune Couriers", "Pixel Pilgrims", "Thunder Garden", "Silent Meridian", "Clockwork Tides",
               "Rogue Orchard", "Lumen Drift", "Marble Legion", "Cinder Road", "Bramble Heist"]
TEST_NAMES = ["Aurora Ferry", "Basalt Kingdom", "Cobalt Whisper", "Drifting Embers", "Echo Vault",
              "Fable Engine", "Granite Sun", "Harbor of Ash", "Ivory Tempest", "Jade Relay"]
BOOLEAN_PHRASES = {
    "available_on_steam": ("it's on Steam", "it isn't on Steam"),
    "has_linux_release": ("it runs on Linux", "there's no Linux version"),
    "has_mac_release": ("there's a Mac version", "it doesn't run on Mac"),
    "has_multiplayer": ("you can play it with friends online", "it's single-player only"),
}


def a(phrase: str) -> str:
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def join(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def mr(act: str, slots: dict) -> str:
    ordered = [k for k in SLOT_ORDER if k in slots]
    inner = ", ".join(f"{k}[{', '.join(slots[k]) if isinstance(slots[k], list) else slots[k]}]" for k in ordered)
    return f"{act}({inner})"


def game(rng: random.Random, name: str) -> dict:
    return {"name": name, "release_year": str(rng.randint(1998, 2025)), "developer": rng.choice(DEVELOPERS),
            "esrb": rng.choice(ESRB), "rating": rng.choice(RATINGS),
            "genres": rng.sample(GENRES, rng.randint(1, 3)), "player_perspective": [rng.choice(PERSPECTIVES)],
            "platforms": rng.sample(PLATFORMS[:4], rng.randint(1, 3)),
            "available_on_steam": rng.choice(["yes", "no"]), "has_linux_release": rng.choice(["yes", "no"]),
            "has_mac_release": rng.choice(["yes", "no"]), "has_multiplayer": rng.choice(["yes", "no"])}


def phrase(slot: str, g: dict, rng: random.Random) -> str:
    """One way of saying a slot's value inside a sentence."""
    v = g[slot]
    options = {
        "release_year": [f"came out in {v}", f"was released in {v}", f"dates from {v}"],
        "developer": [f"was made by {v}", f"comes from {v}", f"was developed by {v}"],
        "esrb": [f"is rated {v}", f"carries an ESRB rating of {v}"],
        "genres": [f"is {a(join(v))} game", f"mixes {join(v)}" if len(v) > 1 else f"is pure {v[0]}",
                   f"falls under {join(v)}"],
        "player_perspective": [f"is played from a {v[0]} view", f"uses a {v[0]} perspective"],
        "platforms": [f"is available on {join(v)}", f"can be played on {join(v)}", f"runs on {join(v)}"],
        "rating": [f"is {v}", f"is honestly {v}"],
    }
    if slot in BOOLEAN_PHRASES:
        return BOOLEAN_PHRASES[slot][0 if v == "yes" else 1]
    return rng.choice(options[slot])


def inform(g, rng):
    slots = rng.sample(["release_year", "developer", "esrb", "genres", "player_perspective", "platforms",
                        "available_on_steam", "has_linux_release", "has_mac_release", "has_multiplayer"],
                       rng.randint(2, 4))
    parts = [phrase(s, g, rng) for s in slots]
    shape = rng.randrange(3)
    if shape == 0:
        text = f"{g['name']} {join(parts)}."
    elif shape == 1:
        text = f"Here's what I know about {g['name']}: it {parts[0]}" + "".join(f", it {p}" for p in parts[1:]) + "."
    else:
        text = f"{g['name']} {parts[0]}. " + " ".join(f"Also, it {p}." for p in parts[1:])
    text = text.replace("it it ", "it ").replace("it it's", "it's").replace("it there's", "there's").replace("it you can", "you can")
    return text, mr("inform", {"name": g["name"], **{s: g[s] for s in slots}})


def request(g, rng):
    spec = rng.choice(SPECIFIERS)
    slot = rng.choice(["genres", "player_perspective", "platforms", "developer", "release_year"])
    value = g[slot] if slot != "genres" else [rng.choice(g["genres"])]
    said = {"genres": f"{value[0]} games", "player_perspective": f"{value[0]} games",
            "platforms": f"games on {join(value)}", "developer": f"games by {value}",
            "release_year": f"games from {value}"}[slot]
    text = rng.choice([f"Do you know any {spec} {said}?", f"Can you name a {spec} one among the {said}?",
                       f"I'm looking for {spec} {said}. Any ideas?", f"What are some {spec} {said} out there?"])
    return text, mr("request", {slot: value, "specifier": spec})


def give_opinion(g, rng):
    slot = rng.choice(["genres", "player_perspective", "has_multiplayer", "developer"])
    reason = {"genres": f"{join(g['genres'])} games", "player_perspective": f"the {g['player_perspective'][0]} view",
              "has_multiplayer": "playing with friends" if g["has_multiplayer"] == "yes" else "playing alone",
              "developer": f"what {g['developer']} makes"}[slot]
    text = rng.choice([f"I think {g['name']} is {g['rating']}, mostly because I like {reason}.",
                       f"Honestly, {g['name']} is {g['rating']}; it's all about {reason} for me.",
                       f"For me {g['name']} is {a(g['rating'])} game, and {reason} is a big part of why."])
    return text, mr("give_opinion", {"name": g["name"], "rating": g["rating"], slot: g[slot]})


def confirm(g, rng):
    slot = rng.choice(["release_year", "developer", "platforms", "player_perspective"])
    said = {"release_year": f"the one from {g['release_year']}", "developer": f"the one {g['developer']} made",
            "platforms": f"the one on {join(g['platforms'])}",
            "player_perspective": f"the {g['player_perspective'][0]} one"}[slot]
    text = rng.choice([f"You mean {g['name']}, {said}?", f"Just to check: {g['name']}, {said}?",
                       f"Are you talking about {g['name']}, {said}?"])
    return text, mr("confirm", {"name": g["name"], slot: g[slot]})


def verify_attribute(g, rng):
    slot = rng.choice(["genres", "player_perspective", "has_multiplayer", "platforms"])
    value = g[slot] if slot != "genres" else [rng.choice(g["genres"])]
    said = {"genres": f"{value[0]} games", "player_perspective": f"{value[0]} games",
            "has_multiplayer": "multiplayer games" if value == "yes" else "single-player games",
            "platforms": f"playing on {join(value)}"}[slot]
    text = rng.choice([f"You said {g['name']} is {g['rating']}. Do you enjoy {said} in general?",
                       f"Since you found {g['name']} {g['rating']}, are you into {said}?",
                       f"{g['name']} was {g['rating']} for you, right? Do you like {said} then?"])
    return text, mr("verify_attribute", {"name": g["name"], "rating": g["rating"], slot: value})


def suggest(g, rng):
    slot = rng.choice(["genres", "platforms", "available_on_steam", "developer"])
    said = {"genres": a(f"{join(g['genres'])} game"), "platforms": f"on {join(g['platforms'])}",
            "available_on_steam": phrase("available_on_steam", g, rng), "developer": f"by {g['developer']}"}[slot]
    text = rng.choice([f"Have you tried {g['name']}? It's {said}.".replace("It's it", "It").replace("It's there", "There"),
                       f"Maybe give {g['name']} a go, {said}.", f"What about {g['name']}? {said[0].upper() + said[1:]}."])
    return text, mr("suggest", {"name": g["name"], slot: g[slot]})


def request_explanation(g, rng):
    slot = rng.choice(["genres", "player_perspective", "platforms"])
    value = [rng.choice(g[slot])]
    said = {"genres": f"{value[0]} games", "player_perspective": f"{value[0]} games",
            "platforms": f"playing on {value[0]}"}[slot]
    text = rng.choice([f"What makes {said} {g['rating']} for you?", f"Why do you find {said} {g['rating']}?",
                       f"Tell me what it is about {said} that feels {g['rating']}."])
    return text, mr("request_explanation", {"rating": g["rating"], slot: value})


def recommend(g, rng):
    slot = rng.choice(["genres", "player_perspective", "platforms", "has_multiplayer"])
    said = {"genres": f"{join(g['genres'])} games", "player_perspective": f"{g['player_perspective'][0]} games",
            "platforms": f"playing on {join(g['platforms'])}",
            "has_multiplayer": "playing with friends" if g["has_multiplayer"] == "yes" else "playing solo"}[slot]
    text = rng.choice([f"If you like {said}, you should check out {g['name']}.",
                       f"Since you enjoy {said}, I'd recommend {g['name']}.",
                       f"{g['name']} is worth a look if you're into {said}."])
    return text, mr("recommend", {"name": g["name"], slot: g[slot]})


def request_attribute(g, rng):
    slot = rng.choice(["genres", "player_perspective", "platforms", "has_multiplayer", "esrb", "developer"])
    question = rng.choice({
        "genres": ["what kind of games do you usually play?", "which genres do you like most?",
                   "what sort of games are you into?", "which type of game do you reach for first?"],
        "player_perspective": ["do you prefer first person or third person games?",
                               "from which view do you like to play games?",
                               "does the camera view matter to you in a game?"],
        "platforms": ["what do you play your games on?", "which console or computer do you use for gaming?",
                      "what's your gaming setup?", "which system do you play on most?"],
        "has_multiplayer": ["do you like playing with other people, or alone?", "are multiplayer games your thing?",
                            "do you enjoy playing online with friends?"],
        "esrb": ["do age ratings matter to you when you pick a game?", "which ESRB ratings do you usually go for?",
                 "do you check a game's age rating before buying it?"],
        "developer": ["is there a studio whose games you always buy?", "which developers do you follow?",
                      "do you have a favourite game studio?"],
    }[slot])
    opener = rng.choice(["", "By the way, ", "Quick question: ", "I'm curious, ", "Tell me, ", "So, ",
                         "Out of interest, ", "One more thing: "])
    text = opener + question if opener else question[0].upper() + question[1:]
    return text, f"request_attribute({slot}[])"


ACTS = [inform, request, give_opinion, confirm, verify_attribute, suggest, request_explanation, recommend,
        request_attribute]


def make(names: list[str], count: int, rng: random.Random, seen: set[str]) -> list[dict]:
    """`count` new pairs; `seen` is shared across splits so no sentence is in both train and test."""
    games = [game(rng, n) for n in names]
    rows = []
    while len(rows) < count:
        text, target = rng.choice(ACTS)(rng.choice(games), rng)
        if text not in seen:
            seen.add(text)
            rows.append({"input": text, "target": target})
    return rows


def main() -> None:
    rng = random.Random(7)
    seen: set[str] = set()
    for name, names, count in (("train", TRAIN_NAMES, 1200), ("test", TEST_NAMES, 120)):
        rows = make(names, count, rng, seen)
        (HERE / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


if __name__ == "__main__":
    main()
