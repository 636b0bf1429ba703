"""Generate the lab's ViGGO-style data set: sentence → meaning representation `act(slot[value], ...)`.

    python data/viggo/generate.py        # writes train.jsonl (3,000) and test.jsonl (120), seed 7

Written by the team: invented games, our own sentence shapes. It follows the
published ViGGO schema (9 dialogue acts, 14 slots; list values comma-separated
in one bracket, booleans yes/no, request_attribute with an empty value) and
ViGGO's value conventions: a value is written in its normal form however the
sentence says it ("rated M" → esrb[M (for Mature)], "racing" → genres[driving/racing],
"top-down" → player_perspective[bird view], "PS5" → platforms[PlayStation]).
It copies no sentence from ViGGO, and it was written from that schema alone:
the hand-written people.jsonl was not looked at while writing it.

Train and test use different games and studios, so a model must learn the
mapping, not the names; training has ~500 invented names, each in a few sentences,
so it learns to copy a name rather than remember a few.
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SLOT_ORDER = ["name", "exp_release_date", "release_year", "developer", "esrb", "rating", "genres",
              "player_perspective", "platforms", "available_on_steam", "has_linux_release", "has_mac_release",
              "has_multiplayer", "specifier"]

# Each normal value with the ways people say it. The first way is the value itself.
GENRES = {
    "action": ["action"], "action-adventure": ["action-adventure", "action adventure"],
    "adventure": ["adventure"], "arcade": ["arcade"], "driving/racing": ["driving/racing", "racing", "driving"],
    "fighting": ["fighting"], "hack-and-slash": ["hack-and-slash", "hack and slash"], "MMORPG": ["MMORPG"],
    "music": ["music", "rhythm"], "platformer": ["platformer", "platform"], "point-and-click": ["point-and-click"],
    "puzzle": ["puzzle"], "real-time strategy": ["real-time strategy", "RTS"],
    "role-playing": ["role-playing", "RPG", "role playing"], "shooter": ["shooter"],
    "simulation": ["simulation", "sim"], "sport": ["sport", "sports"], "strategy": ["strategy"],
    "tactical": ["tactical"], "text adventure": ["text adventure"], "trivia": ["trivia"],
    "turn-based strategy": ["turn-based strategy"], "vehicular combat": ["vehicular combat"], "indie": ["indie"],
}
PLATFORMS = {"PC": ["PC", "Windows", "PC"], "PlayStation": ["PlayStation", "PS4", "PS5", "PlayStation"],
             "Xbox": ["Xbox", "Xbox One", "Xbox Series X"], "Nintendo Switch": ["Nintendo Switch", "Switch"]}
ESRB = {  # (how a sentence says it after "rated", a noun phrase for "has ... rating")
    "E (for Everyone)": (["E", "E for Everyone", "E (for Everyone)", "for everyone"], ["an E", "an Everyone"]),
    "E 10+ (for Everyone 10 and Older)": (["E 10+", "E10+", "Everyone 10+", "E 10+ (for Everyone 10 and Older)"],
                                          ["an E 10+", "an Everyone 10+"]),
    "T (for Teen)": (["T", "T for Teen", "T (for Teen)", "Teen"], ["a T", "a Teen"]),
    "M (for Mature)": (["M", "M for Mature", "M (for Mature)", "Mature"], ["an M", "a Mature"]),
}
PERSPECTIVES = {  # (a view phrase for "played ...", an adjective before a genre)
    "first person": (["from a first person view", "in first person", "through your character's eyes"],
                     ["first-person", "first person"]),
    "third person": (["from a third person view", "in third person", "from behind the character"],
                     ["third-person", "third person"]),
    "side view": (["from the side", "from a side view", "as a side-scroller"], ["side-scrolling", "2D side-view"]),
    "bird view": (["from above", "from a bird view", "from a top-down camera"], ["top-down", "isometric"]),
}
RATINGS = {"excellent": ["excellent", "fantastic", "amazing", "brilliant", "outstanding"],
           "good": ["good", "pretty good", "solid", "really good", "enjoyable"],
           "average": ["average", "okay", "so-so", "mediocre", "just alright"],
           "poor": ["poor", "bad", "disappointing", "terrible", "pretty weak"]}
SPECIFIERS = ["interesting", "fun", "relaxing", "addictive", "underrated", "popular", "creepy", "cheerful",
              "challenging", "exciting", "cute", "good", "great", "classic", "recent", "memorable", "hard"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
BOOLEANS = {  # yes phrases, no phrases; each reads after "it" or stands alone after a comma
    "available_on_steam": (["it's on Steam", "you can get it on Steam", "it's sold on Steam", "Steam has it"],
                           ["it isn't on Steam", "it's not sold on Steam", "you won't find it on Steam"]),
    "has_linux_release": (["it runs on Linux", "there's a Linux version", "it has a Linux release"],
                          ["there's no Linux version", "it doesn't run on Linux", "Linux isn't supported"]),
    "has_mac_release": (["there's a Mac version", "it runs on Mac", "it has a Mac release"],
                        ["it doesn't run on Mac", "there's no Mac version", "Mac players are out of luck"]),
    "has_multiplayer": (["you can play it with friends online", "it has multiplayer", "it supports co-op",
                         "it has an online mode", "up to four people can play together"],
                        ["it's single-player only", "there's no multiplayer", "you play it alone",
                         "it has no co-op or online mode"]),
}
TRAIN_DEVELOPERS = ["Ashgrove Studio", "Brightmoth Games", "Copperline Interactive", "Duskwater", "Ember & Oak",
                    "Foxglove Works", "Glimmerforge", "Hollowpine Entertainment", "Ironquill Games",
                    "Juniper Arcade", "Kestrel Labs", "Lanternjaw Software", "Mossbyte", "Northwind Play",
                    "Team Pebblecast", "Rookwood Studios", "Saffron Pixel", "Tallowick"]
TEST_DEVELOPERS = ["Umberlight", "Vesper Games", "Wrenfield Interactive", "Yarrow Studio"]
TRAIN_NAMES = ["Starfall Harbor", "Crimson Orchard", "Velvet Circuit", "Tidebreaker", "Moonlit Foundry",
               "Paper Lanterns", "Ironroot", "Skyward Bakery", "Hollow Crown", "Quartz Expedition",
               "Ember Valley", "Glass Knights", "Neon Shepherd", "Frostbite Express", "Willow Protocol",
               "Copper Comet", "Saltwind Saga", "Orbit Farmers", "The Last Lighthouse", "Maple Siege",
               "Dune Couriers", "Pixel Pilgrims", "Thunder Garden", "Silent Meridian", "Clockwork Tides",
               "Rogue Orchard", "Lumen Drift", "Marble Legion", "Cinder Road", "Bramble Heist",
               # names shaped like real ones: sequels, subtitles, editions
               "Starfall Harbor 2", "Tidebreaker: Rising Current", "Hollow Crown II: The Exile",
               "Velvet Circuit Turbo", "Glass Knights Remastered", "Neon Shepherd 3", "Cinder Road: Deluxe Edition",
               "Ember Valley Online", "Super Pixel Pilgrims", "Ironroot: Wild Roots"]
TEST_NAMES = ["Aurora Ferry", "Basalt Kingdom", "Cobalt Whisper", "Drifting Embers", "Echo Vault",
              "Fable Engine", "Granite Sun", "Harbor of Ash 2", "Ivory Tempest: Reborn", "Jade Relay"]


# Word lists for invented names. Hundreds of names, each met a few times, make the adapter learn to *copy* the
# name from the sentence; forty names met a hundred times each made it bend new names towards the ones it knew.
ADJECTIVES = ["Amber", "Broken", "Crimson", "Distant", "Electric", "Fading", "Gilded", "Hidden", "Iron", "Jagged",
              "Lonely", "Midnight", "Northern", "Obsidian", "Painted", "Quiet", "Restless", "Silver", "Tangled",
              "Upside", "Vivid", "Wandering", "Wild", "Hollow", "Golden", "Frozen", "Burning", "Secret", "Little",
              "Last", "Tiny", "Cosmic", "Savage", "Rusty", "Neon", "Velvet", "Sunken", "Endless", "Lucky", "Paper"]
NOUNS = ["Anchor", "Bastion", "Canyon", "Drifter", "Echoes", "Frontier", "Garden", "Harvest", "Island", "Jungle",
         "Kingdom", "Labyrinth", "Meadow", "Nomads", "Outpost", "Pilgrim", "Quarry", "Rangers", "Skies", "Tides",
         "Uprising", "Voyage", "Warden", "Forge", "Lantern", "Circuit", "Orchard", "Harbor", "Legion", "Comet",
         "Shepherd", "Crown", "Express", "Heist", "Saga", "Protocol", "Foundry", "Knights", "Road", "Siege",
         "Rally", "Derby", "Arena", "Tactics", "Puzzle Box", "Farm", "Racers", "Odyssey", "Chronicles", "Dungeon"]
SUBTITLES = ["Rising Tide", "The Lost Keys", "Reborn", "Second Wind", "Night Shift", "Deluxe Edition",
             "Remastered", "Origins", "World Tour", "The Final Chapter", "Turbo", "Gold Edition"]
STUDIO_WORDS = ["Ashgrove", "Brightmoth", "Copperline", "Duskwater", "Foxglove", "Glimmerforge", "Hollowpine",
                "Ironquill", "Juniper", "Kestrel", "Lanternjaw", "Mossbyte", "Northwind", "Pebblecast", "Rookwood",
                "Saffron", "Tallowick", "Bluefin", "Cloudberry", "Driftwood", "Emberlight", "Fernhill", "Granite Owl",
                "Hatchling", "Inkwell", "Jackdaw", "Kiln", "Lumen", "Marigold", "Nettle", "Orbit", "Pinecone"]
STUDIO_KINDS = ["Studio", "Studios", "Games", "Interactive", "Entertainment", "Software", "Works", "Labs", "Play"]


def invented_names(rng: random.Random, count: int, avoid: set[str]) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        adj, noun, other = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)
        name = rng.choice([f"{adj} {noun}", f"{adj} {noun}", f"The {adj} {noun}", f"{noun} of the {adj} {other}",
                           f"{noun}{other.lower()}" if " " not in noun + other else f"{adj} {noun}",
                           f"{noun} {other}", f"Super {noun} {other}"])
        name += rng.choice(["", "", "", "", " 2", " 3", " II", f": {rng.choice(SUBTITLES)}", " Online", " 64"])
        if name not in avoid:
            names.add(name)
    return sorted(names)


def invented_studios(rng: random.Random, count: int, avoid: set[str]) -> list[str]:
    studios: set[str] = set()
    while len(studios) < count:
        first, second = rng.sample(STUDIO_WORDS, 2)
        studio = rng.choice([f"{first} {rng.choice(STUDIO_KINDS)}", f"{first} {rng.choice(STUDIO_KINDS)}",
                             f"Team {first}", f"{first} & {second}", first])
        if studio not in avoid:
            studios.add(studio)
    return sorted(studios)


def a(phrase: str) -> str:
    first = phrase.split()[0].rstrip(",")
    spelled = first.isupper() and first[0] in "AEFHILMNORSX"  # "an RPG", "an MMORPG", "an E 10+"
    return ("an " if spelled or first[0].lower() in "aeiou" else "a ") + phrase


def join(values: list[str], word: str = "and") -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" {word} " + values[-1]


def mr(act: str, slots: dict) -> str:
    ordered = [k for k in SLOT_ORDER if k in slots]
    inner = ", ".join(f"{k}[{', '.join(slots[k]) if isinstance(slots[k], list) else slots[k]}]" for k in ordered)
    return f"{act}({inner})"


def cap(text: str) -> str:
    return text[0].upper() + text[1:]


def game(rng: random.Random, name: str, developers: list[str]) -> dict:
    unreleased = rng.random() < 0.12
    g = {"name": name, "developer": rng.choice(developers), "esrb": rng.choice(list(ESRB)),
         "rating": rng.choice(list(RATINGS)), "genres": rng.sample(list(GENRES), rng.choice([1, 1, 2, 2, 3])),
         "player_perspective": [rng.choice(list(PERSPECTIVES))],
         "platforms": rng.sample(list(PLATFORMS), rng.randint(1, 3)),
         "available_on_steam": rng.choice(["yes", "no"]), "has_linux_release": rng.choice(["yes", "no"]),
         "has_mac_release": rng.choice(["yes", "no"]), "has_multiplayer": rng.choice(["yes", "no"])}
    if unreleased:
        g["exp_release_date"] = rng.choice([f"{rng.choice(MONTHS)} {rng.randint(2026, 2028)}",
                                            str(rng.randint(2026, 2028))])
    else:
        g["release_year"] = str(rng.randint(1995, 2025))
    return g


def say_genres(values: list[str], rng) -> str:
    return join([rng.choice(GENRES[v]) for v in values])


def say_platforms(values: list[str], rng) -> str:
    return join([rng.choice(PLATFORMS[v]) for v in values])


def say_rating(value: str, rng) -> str:
    return rng.choice(RATINGS[value])


def clause(slot: str, g: dict, rng: random.Random) -> str:
    """One way of saying a slot's value as a verb phrase about the game ("came out in 2015")."""
    v = g[slot]
    if slot in BOOLEANS:
        said = rng.choice(BOOLEANS[slot][0 if v == "yes" else 1])
        return said[3:] if said.startswith("it ") else said  # "it's" stays: reads after a comma
    ways = {  # lambdas: only the slot asked for is said, so only its value is looked up
        "release_year": lambda: [f"came out in {v}", f"was released in {v}", f"dates from {v}",
                                 f"launched in {v}", f"first came out back in {v}"],
        "exp_release_date": lambda: [f"is coming out in {v}", f"is expected in {v}", f"is due out in {v}",
                                     f"should be released in {v}"],
        "developer": lambda: [f"was made by {v}", f"comes from {v}", f"was developed by {v}", f"is by {v}"],
        "esrb": lambda: [f"is rated {rng.choice(ESRB[v][0])}", f"has {rng.choice(ESRB[v][1])} rating",
                         f"carries an ESRB rating of {rng.choice(ESRB[v][0])}"],
        "platforms": lambda: [f"is available on {say_platforms(v, rng)}", f"can be played on {say_platforms(v, rng)}",
                              f"is out on {say_platforms(v, rng)}", f"is on {say_platforms(v, rng)}"],
        "rating": lambda: [f"is {say_rating(v, rng)}", f"is honestly {say_rating(v, rng)}",
                           f"got {v} reviews"],
    }
    return rng.choice(ways[slot]())


OWN_SUBJECT = {"it's", "there's", "you", "Steam", "Linux", "Mac", "up"}


def sentence(subject: str, parts: list[str]) -> str:
    """A subject and verb phrases joined into one clause list; phrases with their own subject ("there's…") stay whole.

    When the subject is the game's name it must be said, so a phrase that needs it goes first."""
    own = [p for p in parts if p.split()[0] in OWN_SUBJECT]
    needs = [p for p in parts if p.split()[0] not in OWN_SUBJECT]
    out = [f"{subject} {p}" if i == 0 else f"it {p}" for i, p in enumerate(needs)] + own
    if not needs and subject not in ("it", "It"):
        out[0] = f"as for {subject}, {out[0]}" if subject[0].islower() else f"As for {subject}, {out[0]}"
    return out[0] if len(out) == 1 else ", ".join(out[:-1]) + " and " + out[-1]


def genre_noun(g: dict, rng: random.Random, with_view: bool) -> str:
    """"a top-down racing game": optionally the perspective as an adjective, which belongs in its own slot."""
    view = rng.choice(PERSPECTIVES[g["player_perspective"][0]][1]) + " " if with_view else ""
    noun = rng.choice(["game", "game", "title"])
    if g["genres"][-1] in ("platformer", "shooter") and rng.random() < 0.5:
        return a(view + join([rng.choice(GENRES[x]) for x in g["genres"][:-1]] + [g["genres"][-1]]))
    return a(view + say_genres(g["genres"], rng) + " " + noun)


def inform(g, rng):
    date = "exp_release_date" if "exp_release_date" in g else "release_year"
    pool = [date, "developer", "esrb", "rating", "platforms", "available_on_steam", "has_linux_release",
            "has_mac_release", "has_multiplayer"]
    name = g["name"]
    if rng.random() < 0.45:  # say what the game is first: its genres, sometimes with the view folded in
        slots = rng.sample(pool, rng.choice([0, 1, 2, 2, 3, 4]))
        with_view = rng.random() < 0.5
        used = [*slots, "genres"] + (["player_perspective"] if with_view else [])
        kind, parts = genre_noun(g, rng, with_view), [clause(s, g, rng) for s in slots]
        shape = rng.randrange(3) if parts else 0
        if shape == 2 and all(p.split()[0] in OWN_SUBJECT for p in parts):
            shape = 0  # "A racing game, there's…" has no subject for the name
        if shape == 0:
            text = f"{name} is {kind}." + "".join(f" {cap(sentence('it', [p]))}." for p in parts)
        elif shape == 1:
            text = f"{name} is {kind}: {sentence('it', parts)}."
        else:
            text = f"{cap(kind)}, {sentence(name, parts)}."
    else:
        slots = rng.sample(pool, rng.choice([1, 2, 2, 3, 3, 4, 5]))
        used, parts = slots, [clause(s, g, rng) for s in slots]
        text = rng.choice([sentence(name, parts) + ".",
                           f"Here's what I know about {name}: {sentence('it', parts)}.",
                           f"{sentence(name, parts[:1])}. " + " ".join(f"Also, {sentence('it', [p])}." for p in parts[1:]),
                           f"{name}. " + " ".join(f"{cap(sentence('it', [p]))}." for p in parts)])
    return text, mr("inform", {"name": name, **{s: g[s] for s in used}})


def request(g, rng):
    spec = rng.choice(SPECIFIERS)
    slot = rng.choice(["genres", "genres", "player_perspective", "platforms", "developer", "release_year",
                       "has_multiplayer", "esrb"])
    if slot == "release_year" and "release_year" not in g:
        slot = "genres"
    value = g[slot] if slot not in ("genres", "platforms") else [rng.choice(g[slot])]
    said = {"genres": f"{rng.choice(GENRES[value[0]])} games" if slot == "genres" else "",
            "player_perspective": f"{rng.choice(PERSPECTIVES[value[0]][1])} games" if slot == "player_perspective" else "",
            "platforms": f"games on the {rng.choice(PLATFORMS[value[0]])}" if slot == "platforms" else "",
            "developer": f"games by {value}", "release_year": f"games from {value}",
            "has_multiplayer": "multiplayer games" if value == "yes" else "single-player games",
            "esrb": f"games rated {rng.choice(ESRB[value][0])}" if slot == "esrb" else ""}[slot]
    text = rng.choice([f"Do you know any {spec} {said}?", f"Is there {a(spec)} one among the {said}?",
                       f"I'm looking for {spec} {said}. Any ideas?", f"What are some {spec} {said} out there?",
                       f"Can you think of {a(spec)} game among {said}?", f"Which {said} would you call {spec}?",
                       f"Got any {spec} {said} in mind?", f"Name me {a(spec)} one of the {said}, if you can."])
    return text, mr("request", {slot: value, "specifier": spec})


def give_opinion(g, rng):
    slot = rng.choice(["genres", "player_perspective", "has_multiplayer", "developer", "platforms", None])
    r = say_rating(g["rating"], rng)
    reason = {"genres": f"{say_genres(g['genres'], rng)} games",
              "player_perspective": f"{rng.choice(PERSPECTIVES[g['player_perspective'][0]][1])} games",
              "has_multiplayer": "playing with friends" if g["has_multiplayer"] == "yes" else "playing alone",
              "developer": f"what {g['developer']} makes", "platforms": f"gaming on the {say_platforms(g['platforms'], rng)}",
              None: ""}[slot]
    if slot is None:
        text = rng.choice([f"I think {g['name']} is {r}.", f"In my opinion {g['name']} is {r}.",
                           f"Honestly, {g['name']} was {r}.", f"{g['name']}? I'd call it {r}.",
                           f"I played {g['name']} last year and found it {r}."])
        return text, mr("give_opinion", {"name": g["name"], "rating": g["rating"]})
    text = rng.choice([f"I think {g['name']} is {r}, mostly because I like {reason}.",
                       f"Honestly, {g['name']} is {r}; it's all about {reason} for me.",
                       f"For me {g['name']} is {r}, and {reason} is a big part of why.",
                       f"I found {g['name']} {r}. I just love {reason}.",
                       f"In my opinion {g['name']} is {r}, since I'm really into {reason}."])
    return text, mr("give_opinion", {"name": g["name"], "rating": g["rating"], slot: g[slot]})


def confirm(g, rng):
    date = "exp_release_date" if "exp_release_date" in g else "release_year"
    slot = rng.choice([date, "developer", "platforms", "player_perspective", "genres"])
    said = {"release_year": f"the one from {g.get('release_year')}",
            "exp_release_date": f"the one coming out in {g.get('exp_release_date')}",
            "developer": f"the one {g['developer']} made", "platforms": f"the one on {say_platforms(g['platforms'], rng)}",
            "player_perspective": f"the {rng.choice(PERSPECTIVES[g['player_perspective'][0]][1])} one",
            "genres": f"the {say_genres(g['genres'], rng)} game"}[slot]
    text = rng.choice([f"You mean {g['name']}, {said}?", f"Just to check: {g['name']}, {said}?",
                       f"Are you talking about {g['name']}, {said}?", f"Oh, {g['name']}? {cap(said)}?",
                       f"Wait, is that {g['name']}, {said}?", f"Do you mean {g['name']}, {said}?"])
    return text, mr("confirm", {"name": g["name"], slot: g[slot]})


def verify_attribute(g, rng):
    # The speaker recalls what the user said about a game, then checks a wider taste: name + rating + attribute.
    slot = rng.choice(["genres", "player_perspective", "has_multiplayer", "platforms", "developer",
                       "has_linux_release", "available_on_steam"])
    value = g[slot] if slot not in ("genres", "platforms") else [rng.choice(g[slot])]
    said = {"genres": f"{rng.choice(GENRES[value[0]])} games" if slot == "genres" else "",
            "player_perspective": f"{rng.choice(PERSPECTIVES[value[0]][1])} games" if slot == "player_perspective" else "",
            "has_multiplayer": "multiplayer games" if value == "yes" else "single-player games",
            "platforms": f"playing on the {rng.choice(PLATFORMS[value[0]])}" if slot == "platforms" else "",
            "developer": f"games by {value}",
            "has_linux_release": "games that run on Linux" if value == "yes" else "games without a Linux version",
            "available_on_steam": "games from Steam" if value == "yes" else "games that aren't on Steam"}[slot]
    r = say_rating(g["rating"], rng)
    text = rng.choice([f"You said {g['name']} is {r}. Do you enjoy {said} in general?",
                       f"Since you found {g['name']} {r}, are you into {said}?",
                       f"{g['name']} was {r} for you, right? Do you like {said} then?",
                       f"You mentioned {g['name']} was {r}. Are you a fan of {said}?",
                       f"So you thought {g['name']} was {r}; would you say you like {said}?"])
    return text, mr("verify_attribute", {"name": g["name"], "rating": g["rating"], slot: value})


def suggest(g, rng):
    # The speaker puts a game forward as a question or a nudge: name + the attribute that makes it fit.
    slot = rng.choice(["genres", "platforms", "available_on_steam", "developer", "has_multiplayer",
                       "player_perspective"])
    said = {"genres": genre_noun(g, rng, False), "platforms": f"on {say_platforms(g['platforms'], rng)}",
            "available_on_steam": "on Steam" if g["available_on_steam"] == "yes" else "not on Steam",
            "developer": f"by {g['developer']}",
            "has_multiplayer": "multiplayer" if g["has_multiplayer"] == "yes" else "single-player",
            "player_perspective": f"played {rng.choice(PERSPECTIVES[g['player_perspective'][0]][0])}"}[slot]
    text = rng.choice([f"Have you tried {g['name']}? It's {said}.", f"Maybe give {g['name']} a go, it's {said}.",
                       f"What about {g['name']}? It's {said}.", f"Have you ever played {g['name']}, the one {said}?",
                       f"Do you like {g['name']}? It's {said}.", f"Ever heard of {g['name']}? It's {said}."])
    return text, mr("suggest", {"name": g["name"], slot: g[slot]})


def request_explanation(g, rng):
    slot = rng.choice(["genres", "player_perspective", "platforms", "has_multiplayer"])
    value = [rng.choice(g[slot])] if slot != "has_multiplayer" else g[slot]
    said = {"genres": f"{rng.choice(GENRES[value[0]])} games" if slot == "genres" else "",
            "player_perspective": f"{rng.choice(PERSPECTIVES[value[0]][1])} games" if slot == "player_perspective" else "",
            "platforms": f"playing on the {rng.choice(PLATFORMS[value[0]])}" if slot == "platforms" else "",
            "has_multiplayer": "multiplayer games" if value == "yes" else "single-player games"}[slot]
    r = say_rating(g["rating"], rng)
    text = rng.choice([f"What makes {said} {r} for you?", f"Why do you find {said} {r}?",
                       f"Tell me what it is about {said} that feels {r}.", f"What is it about {said} that's so {r}?",
                       f"How come you think {said} are {r}?"])
    return text, mr("request_explanation", {"rating": g["rating"], slot: value})


def recommend(g, rng):
    slot = rng.choice(["genres", "player_perspective", "platforms", "has_multiplayer", "developer"])
    said = {"genres": f"{say_genres(g['genres'], rng)} games",
            "player_perspective": f"{rng.choice(PERSPECTIVES[g['player_perspective'][0]][1])} games",
            "platforms": f"playing on the {say_platforms(g['platforms'], rng)}",
            "has_multiplayer": "playing with friends" if g["has_multiplayer"] == "yes" else "playing solo",
            "developer": f"games by {g['developer']}"}[slot]
    text = rng.choice([f"If you like {said}, you should check out {g['name']}.",
                       f"Since you enjoy {said}, I'd recommend {g['name']}.",
                       f"{g['name']} is worth a look if you're into {said}.",
                       f"You like {said}, so give {g['name']} a try.",
                       f"For someone into {said}, {g['name']} is the one to play."])
    return text, mr("recommend", {"name": g["name"], slot: g[slot]})


def request_attribute(g, rng):
    slot = rng.choice(["genres", "player_perspective", "platforms", "has_multiplayer", "esrb", "developer",
                       "release_year", "rating", "available_on_steam"])
    question = rng.choice({
        "genres": ["what kind of games do you normally play?", "which genres do you like most?",
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
        "release_year": ["do you prefer older games or new releases?", "which era of games do you like best?"],
        "rating": ["what makes a game great for you?", "how do you decide whether a game is any good?"],
        "available_on_steam": ["do you buy your games on Steam?", "is Steam where you get most of your games?"],
    }[slot])
    opener = rng.choice(["", "", "By the way, ", "Quick question: ", "I'm curious, ", "Tell me, ", "So, ",
                         "Out of interest, ", "One more thing: "])
    text = opener + question if opener else cap(question)
    return text, f"request_attribute({slot}[])"


ACTS = [(inform, 3), (request, 1), (give_opinion, 1), (confirm, 1), (verify_attribute, 1), (suggest, 1),
        (request_explanation, 1), (recommend, 1), (request_attribute, 1)]


def make(names: list[str], developers: list[str], count: int, rng: random.Random, seen: set[str]) -> list[dict]:
    """`count` new pairs; `seen` is shared across splits so no sentence is in both train and test."""
    games = [game(rng, n, developers) for n in names]
    acts, weights = zip(*ACTS)
    rows = []
    while len(rows) < count:
        act = rng.choices(acts, weights)[0]
        text, target = act(rng.choice(games), rng)
        text = " ".join(text.split())
        if text not in seen:
            seen.add(text)
            rows.append({"input": text, "target": target})
    return rows


def main() -> None:
    rng = random.Random(7)
    seen: set[str] = set()
    train_names = TRAIN_NAMES + invented_names(rng, 460, set(TEST_NAMES) | set(TRAIN_NAMES))
    train_studios = TRAIN_DEVELOPERS + invented_studios(rng, 90, set(TEST_DEVELOPERS) | set(TRAIN_DEVELOPERS))
    for name, names, developers, count in (("train", train_names, train_studios, 3000),
                                           ("test", TEST_NAMES, TEST_DEVELOPERS, 120)):
        rows = make(names, developers, count, rng, seen)
        (HERE / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


if __name__ == "__main__":
    main()
