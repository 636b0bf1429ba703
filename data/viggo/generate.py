"""Generate the lab's ViGGO-style data set: sentence → meaning representation `act(slot[value], ...)`.

    python data/viggo/generate.py        # writes train.jsonl (4,000) and test.jsonl (120), seed 7

Written by the team: invented games, our own sentence shapes. It follows the
published ViGGO schema (9 dialogue acts, 14 slots; list values comma-separated
in one bracket, booleans yes/no, request_attribute with an empty value) and
ViGGO's value conventions: a value is written in its normal form however the
sentence says it ("rated M" → esrb[M (for Mature)], "racing" → genres[driving/racing],
"top-down" → player_perspective[bird view], "PS5" → platforms[PlayStation]).
It copies no sentence from ViGGO, and it was written from that schema alone:
the hand-written people.jsonl was not looked at while writing it. Its templates were then broadened against a
second hand-written set, dev.jsonl (other real games), where the adapter dropped slots packed into one phrase ("an
M-rated first-person shooter from 2004 on PC"): `describe` says several attributes at once, in every act.

Train and test use different games and studios, so a model must learn the
mapping, not the names; training has ~500 invented names, each in a few sentences,
so it learns to copy a name rather than remember a few.
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA = json.loads((HERE / "schema.json").read_text(encoding="utf-8"))  # ViGGO's acts and slots, written once
SLOT_ORDER = SCHEMA["slots"]

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
    # letters said one by one: "an RPG", "an MMORPG", "an E 10+", "an M-rated", "an E10+ rated"
    spelled = (first.isupper() or first[1:2] in ("-", "1", "")) and first[0] in "AEFHILMNORSX"
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


GENRE_NOUNS = {"platformer": ("platformer", "platformers"), "shooter": ("shooter", "shooters"),
               "role-playing": ("RPG", "RPGs"), "driving/racing": ("racer", "racers"),
               "simulation": ("sim", "sims")}
# How a speaker feels about a game, as a verb phrase after "you"/"I": the rating slot without its word.
RATING_VERBS = {"excellent": ["loved", "adored", "couldn't put down", "thought the world of"],
                "good": ["liked", "enjoyed", "had fun with", "were pretty happy with"],
                "average": ["were lukewarm about", "felt so-so about", "were on the fence about", "had mixed feelings about"],
                "poor": ["didn't like", "hated", "didn't think much of", "were let down by"]}
RATING_PHRASES = {"excellent": ["one of the best games ever made", "a masterpiece", "an all-time favourite of mine"],
                  "good": ["a good time", "worth playing", "pretty fun"],
                  "average": ["nothing special", "fine but forgettable", "a mixed bag"],
                  "poor": ["one of the worst games I've played", "a waste of time", "a real letdown"]}
ESRB_ADJECTIVES = {"E (for Everyone)": ["E-rated", "Everyone-rated"], "E 10+ (for Everyone 10 and Older)":
                   ["E10+ rated", "E 10+ rated"], "T (for Teen)": ["T-rated", "Teen-rated"],
                   "M (for Mature)": ["M-rated", "Mature-rated"]}
DESCRIBED = ["genres", "player_perspective", "platforms", "has_multiplayer", "developer", "release_year", "esrb",
             "available_on_steam", "has_linux_release", "has_mac_release"]


def describe(v: dict, slots: list[str], rng: random.Random, plural: bool = False, head: str | None = None) -> str:
    """A noun phrase that says every slot in `slots` at once, the way people pack a game's attributes together:
    "an M-rated first-person shooter from 2004 by Valve on PC" (no article; `plural` for "...shooters").

    Perspective and multiplayer read as adjectives, so "a side-scrolling puzzle platformer" is genres[puzzle,
    platformer] and player_perspective[side view] — ViGGO keeps them in separate slots."""
    pre, post = [], []
    verb = "" if plural else "s"
    if "release_year" in slots:
        y = v["release_year"]
        pre.append(y) if rng.random() < 0.3 else post.append(rng.choice([f"from {y}", f"released in {y}",
                                                                           f"that came out in {y}"]))
    if "esrb" in slots:
        pre.append(rng.choice(ESRB_ADJECTIVES[v["esrb"]])) if rng.random() < 0.5 else post.append(f"rated {rng.choice(ESRB[v['esrb']][0])}")
    if "has_multiplayer" in slots:
        yes = v["has_multiplayer"] == "yes"
        if rng.random() < 0.6:
            pre.append(rng.choice(["multiplayer", "co-op", "online"] if yes else ["single-player", "solo"]))
        else:
            post.append(rng.choice(["that you can play with friends", "with online multiplayer"] if yes
                                   else ["that you play alone", "with no multiplayer"]))
    if "player_perspective" in slots:
        view = v["player_perspective"][0]
        if rng.random() < 0.7:
            pre.append(rng.choice(PERSPECTIVES[view][1]))
        else:
            post.append("played " + rng.choice(PERSPECTIVES[view][0]))
    genres = v["genres"] if "genres" in slots else []
    if head is None:
        if genres and genres[-1] in GENRE_NOUNS and rng.random() < 0.6:
            head = GENRE_NOUNS[genres[-1]][plural]
            pre += [rng.choice(GENRES[x]) for x in genres[:-1]]
        else:
            pre.append(say_genres(genres, rng)) if genres else None
            head = rng.choice(["games", "games", "titles"] if plural else ["game", "game", "title"])
    elif genres:
        pre.append(say_genres(genres, rng))
    if "developer" in slots:
        post.append(rng.choice(["by", "from", "made by", "developed by"]) + " " + v["developer"])
    if "platforms" in slots:
        post.append(rng.choice(["on", "for", "on", "available on"]) + " " + say_platforms(v["platforms"], rng))
    if "available_on_steam" in slots:
        post.append(rng.choice(["on Steam", "sold on Steam", "that you can buy on Steam"])
                    if v["available_on_steam"] == "yes" else rng.choice(["that isn't on Steam" if not plural
                                                                         else "that aren't on Steam",
                                                                         "not sold on Steam"]))
    for slot, system in (("has_linux_release", "Linux"), ("has_mac_release", "Mac")):
        if slot in slots:
            post.append(rng.choice([f"with a {system} version", f"that run{verb} on {system}"])
                        if v[slot] == "yes" else rng.choice([f"without a {system} version",
                                                             f"that {'doesn' if verb else 'don'}'t run on {system}"]))
    if len(post) > 1 and rng.random() < 0.5:
        post = [*post[:-2], f"{post[-2]} and {post[-1]}"]
    return " ".join([*pre, head, *post])


def some_slots(g: dict, rng: random.Random, most: int, pool: list[str] = DESCRIBED) -> list[str]:
    """Up to `most` different slots the game has, drawn from `pool` (a slot listed twice is drawn more often)."""
    pool = [s for s in pool if s in g]
    count = min(rng.choice({1: [1], 2: [1, 1, 2], 3: [1, 2, 2, 3]}[most]), len(set(pool)))
    chosen: list[str] = []
    while len(chosen) < count:
        slot = rng.choice(pool)
        chosen += [] if slot in chosen else [slot]
    return chosen


def one_each(g: dict, slots: list[str], rng: random.Random) -> dict:
    """The game's values for `slots`, with one genre and one platform where a question is about one of them."""
    return {s: [rng.choice(g[s])] if s in ("genres", "platforms") else g[s] for s in slots}


def inform(g, rng):
    date = "exp_release_date" if "exp_release_date" in g else "release_year"
    pool = [date, "developer", "esrb", "rating", "platforms", "available_on_steam", "has_linux_release",
            "has_mac_release", "has_multiplayer"]
    name = g["name"]
    if rng.random() < 0.55:  # say what the game is first, packing several attributes into one noun phrase
        packed = ["genres"] + rng.sample([s for s in DESCRIBED if s in g and s != "genres"], rng.choice([0, 1, 1, 2, 3]))
        slots = rng.sample([s for s in pool if s not in packed], rng.choice([0, 1, 2, 2, 3, 4]))
        used = [*packed, *slots]
        kind, parts = a(describe(g, packed, rng)), [clause(s, g, rng) for s in slots]
        shape = rng.randrange(4) if parts else rng.choice([0, 3])
        if shape == 2 and all(p.split()[0] in OWN_SUBJECT for p in parts):
            shape = 0  # "A racing game, there's…" has no subject for the name
        if shape == 0:
            text = f"{name} is {kind}." + "".join(f" {cap(sentence('it', [p]))}." for p in parts)
        elif shape == 1:
            text = f"{name} is {kind}: {sentence('it', parts)}."
        elif shape == 2:
            text = f"{cap(kind)}, {sentence(name, parts)}."
        elif any(p.split()[0] not in OWN_SUBJECT for p in parts):
            # the description as an aside: "Street Fighter V, a 2016 fighting game by Capcom, is rated T..."
            text = f"{name}, {kind}, {sentence('', parts).strip()}."
        else:
            text = f"{name} is {kind}" + (f", and {sentence('it', parts)}." if parts else ".")
    else:
        slots = rng.sample(pool, rng.choice([1, 2, 2, 3, 3, 4, 5, 6]))
        used, parts = slots, [clause(s, g, rng) for s in slots]
        text = rng.choice([sentence(name, parts) + ".",
                           f"Here's what I know about {name}: {sentence('it', parts)}.",
                           f"{sentence(name, parts[:1])}. " + " ".join(f"Also, {sentence('it', [p])}." for p in parts[1:]),
                           f"{name}. " + " ".join(f"{cap(sentence('it', [p]))}." for p in parts)])
    return text, mr("inform", {"name": name, **{s: g[s] for s in used}})


def request(g, rng):
    spec = rng.choice(SPECIFIERS)
    v = one_each(g, some_slots(g, rng, 2, ["genres", "genres", "player_perspective", "platforms", "developer",
                                           "release_year", "has_multiplayer", "esrb", "available_on_steam",
                                           "has_linux_release", "has_mac_release"]), rng)
    said, one = describe(v, list(v), rng, plural=True), describe(v, list(v), rng)
    text = rng.choice([f"Do you know any {spec} {said}?", f"Are there any {spec} {said}?",
                       f"I'm looking for {spec} {said}. Any ideas?", f"What are some {spec} {said} out there?",
                       f"Can you think of {a(spec + ' ' + one)}?", f"Which {said} would you call {spec}?",
                       f"Got any {spec} {said} in mind?", f"What's the most {spec} {one} you know?",
                       f"Is there {a(one)} that you'd say is really {spec}?", f"Name me {a(spec + ' ' + one)}."])
    return text, mr("request", {**v, "specifier": spec})


def give_opinion(g, rng):
    slots = rng.choice([[], [], [rng.choice(DESCRIBED)], rng.sample(DESCRIBED, 2)])
    slots = [s for s in slots if s in g]
    r, name, rating = say_rating(g["rating"], rng), g["name"], g["rating"]
    verdict = rng.choice([f"I think {name} is {r}", f"In my opinion {name} is {r}", f"Honestly, {name} was {r}",
                          f"{name}? I'd call it {r}", f"I played {name} last year and found it {r}",
                          f"I {rng.choice(RATING_VERBS[rating]).replace('were', 'was')} {name}",
                          f"{name} is {rng.choice(RATING_PHRASES[rating])}"])
    if not slots:
        return verdict + ".", mr("give_opinion", {"name": name, "rating": rating})
    reason = describe(g, slots, rng, plural=True)
    text = rng.choice([f"{verdict}, mostly because I like {reason}.", f"{verdict}; I'm just really into {reason}.",
                       f"{verdict}. I've always loved {reason}.", f"{verdict}, and {reason} are my thing.",
                       f"{verdict} for {a(describe(g, slots, rng))}.", f"As {a(describe(g, slots, rng))}, {name} is {r}."])
    return text, mr("give_opinion", {"name": name, "rating": rating, **{s: g[s] for s in slots}})


def confirm(g, rng):
    date = "exp_release_date" if "exp_release_date" in g else "release_year"
    pool = [date, "developer", "platforms", "player_perspective", "genres", "esrb", "has_multiplayer"]
    slots = some_slots(g, rng, 2, pool)
    if date in slots and date == "exp_release_date":
        said = f"the one coming out in {g['exp_release_date']}"
        rest = [s for s in slots if s != date]
        said += f", {a(describe(g, rest, rng))}" if rest else ""
    else:
        said = "the " + describe(g, slots, rng, head=rng.choice(["one", "game"]) if "genres" not in slots else None)
    name = g["name"]
    text = rng.choice([f"You mean {name}, {said}?", f"Just to check: {name}, {said}?",
                       f"Are you talking about {name}, {said}?", f"Oh, {name}? {cap(said)}?",
                       f"Wait, is that {name}, {said}?", f"Do you mean {name}, {said}?",
                       f"Oh, do you mean {said}, {name}?", f"Is {name} {said} you meant?",
                       f"{name}, {said}, right?"])
    return text, mr("confirm", {"name": name, **{s: g[s] for s in slots}})


def verify_attribute(g, rng):
    # The speaker recalls how the user rated a game, then checks a wider taste: name + rating + attributes.
    v = one_each(g, some_slots(g, rng, 2, ["genres", "genres", "player_perspective", "has_multiplayer", "platforms",
                                           "developer", "has_linux_release", "has_mac_release",
                                           "available_on_steam", "esrb"]), rng)
    said, name, rating = describe(v, list(v), rng, plural=True), g["name"], g["rating"]
    r, felt = say_rating(rating, rng), rng.choice(RATING_VERBS[rating])
    recall = rng.choice([f"You said {name} is {r}.", f"Since you found {name} {r},", f"{name} was {r} for you, right?",
                         f"You mentioned {name} was {r}.", f"So you thought {name} was {r};",
                         f"You said you {felt} {name}.", f"I remember you {felt} {name}.",
                         f"Earlier you told me you {felt} {name}."])
    ask = rng.choice([f"do you enjoy {said} in general?", f"are you into {said}?", f"do you like {said} then?",
                      f"are you a fan of {said}?", f"would you say you like {said}?",
                      f"do you play a lot of {said}?", f"are {said} something you usually go for?"])
    return f"{recall} {cap(ask) if recall.endswith(('.', '?')) else ask}", \
        mr("verify_attribute", {"name": name, "rating": rating, **v})


def suggest(g, rng):
    # The speaker puts a game forward as a question or a nudge: name + the attributes that make it fit.
    slots = some_slots(g, rng, 3, ["genres", "genres", "platforms", "available_on_steam", "developer",
                                   "has_multiplayer", "player_perspective", "release_year", "esrb"])
    one, many, name = a(describe(g, slots, rng)), describe(g, slots, rng, plural=True), g["name"]
    text = rng.choice([f"Have you tried {name}? It's {one}.", f"Maybe give {name} a go, it's {one}.",
                       f"What about {name}? It's {one}.", f"Have you ever played {name}, {one}?",
                       f"Do you like {name}? It's {one}.", f"Ever heard of {name}? It's {one}.",
                       f"Do you like {many}, like {name}?", f"Do you also enjoy {many} such as {name}?",
                       f"Are you into {many}? {name}, for example?", f"How about {name}? It's {one}."])
    return text, mr("suggest", {"name": name, **{s: g[s] for s in slots}})


def request_explanation(g, rng):
    v = one_each(g, some_slots(g, rng, 2, ["genres", "genres", "player_perspective", "platforms",
                                           "has_multiplayer", "developer", "esrb"]), rng)
    said, rating = describe(v, list(v), rng, plural=True), g["rating"]
    r = say_rating(rating, rng)
    text = rng.choice([f"What makes {said} {r} for you?", f"Why do you find {said} {r}?",
                       f"Tell me what it is about {said} that feels {r}.", f"What is it about {said} that's so {r}?",
                       f"How come you think {said} are {r}?", f"What is it about {said} that you find so {r}?",
                       f"Why are {said} {r} in your eyes?"])
    return text, mr("request_explanation", {"rating": rating, **v})


def recommend(g, rng):
    slots = some_slots(g, rng, 2, ["genres", "genres", "player_perspective", "platforms", "has_multiplayer",
                                   "developer", "available_on_steam"])
    said, one, name = describe(g, slots, rng, plural=True), a(describe(g, slots, rng)), g["name"]
    text = rng.choice([f"If you like {said}, you should check out {name}.",
                       f"Since you enjoy {said}, I'd recommend {name}.",
                       f"{name} is worth a look if you're into {said}.",
                       f"You like {said}, so give {name} a try.",
                       f"For someone into {said}, {name} is the one to play.",
                       f"If you want {one}, try {name}.", f"You should play {name} if you want {one}."])
    return text, mr("recommend", {"name": name, **{s: g[s] for s in slots}})


def request_attribute(g, rng):
    slot = rng.choice(["genres", "player_perspective", "platforms", "has_multiplayer", "esrb", "developer",
                       "release_year", "rating", "available_on_steam", "has_linux_release", "has_mac_release"])
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
        "has_linux_release": ["do you play games on Linux?", "does it matter to you whether a game runs on Linux?"],
        "has_mac_release": ["do you game on a Mac?", "do you need a game to have a Mac version?"],
    }[slot])
    opener = rng.choice(["", "", "By the way, ", "Quick question: ", "I'm curious, ", "Tell me, ", "So, ",
                         "Out of interest, ", "One more thing: "])
    text = opener + question if opener else cap(question)
    return text, f"request_attribute({slot}[])"


ACTS = [(inform, 3), (request, 1), (give_opinion, 1), (confirm, 1), (verify_attribute, 1), (suggest, 1),
        (request_explanation, 1), (recommend, 1), (request_attribute, 1)]
assert [act.__name__ for act, _ in ACTS] == SCHEMA["acts"], "one sentence maker per act of the schema"


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
    for name, names, developers, count in (("train", train_names, train_studios, 4000),
                                           ("test", TEST_NAMES, TEST_DEVELOPERS, 120)):
        rows = make(names, developers, count, rng, seen)
        (HERE / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


if __name__ == "__main__":
    main()
