"""Generate synthetic briefgen projects of any size, for benchmarks.

::

    python bench/generate.py OUT_DIR --briefs N [--seed 1] [--force]

writes a complete project into ``OUT_DIR``: ``briefgen.toml``, ``content/briefs``,
``content/actors``, ``content/sources`` and ``content/pages/about.md``. The
proportions follow the reference corpus of the performance issue: ``N`` briefs of
about 600 words, ``max(10, N // 10)`` actors, ``max(5, N // 5)`` sources and a
vocabulary of ``max(10, N // 50)`` tags.

The text is made from fixed word lists with a seeded ``random.Random``; nothing
depends on the clock, on ``hash()`` or on set order, so the same ``N`` and seed
always give byte-identical files. Every actor is mentioned and every source cited
by some brief, and no alias is shared or shadows another actor's id or name, so
``briefgen build --strict`` passes with no warnings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from random import Random

from briefgen.paths import slugify

# ---------------------------------------------------------------------------
# Word lists. Fixed, so that the output depends only on the seed.

FIRST_NAMES = (
    "Adrian", "Agnes", "Alma", "Anton", "Arvid", "Beatrix", "Boris", "Camila", "Cyril",
    "Dalia", "Daniel", "Edith", "Elena", "Emil", "Farid", "Fiona", "Gareth", "Greta",
    "Hana", "Hugo", "Ilse", "Ivan", "Jana", "Jonas", "Karim", "Klara", "Lars", "Leila",
    "Lukas", "Maja", "Marek", "Mira", "Nadia", "Nikolai", "Nora", "Omar", "Otto", "Paula",
    "Pavel", "Rania", "Rolf", "Rosa", "Samir", "Selma", "Stefan", "Tamar", "Teodor",
    "Ulla", "Viktor", "Vera", "Walter", "Yara", "Yusuf", "Zofia",
)  # fmt: skip
SYLLABLES = (
    "ka", "ve", "lo", "mar", "ten", "sa", "ri", "dor", "vin", "el", "ba", "no", "tur",
    "ze", "lin", "ha", "mi", "ros", "qua", "der", "an", "is", "ol", "fen", "gal", "pe",
    "thi", "ca", "nor", "bel", "su", "kor", "da", "mun", "te", "vo",
)  # fmt: skip
SURNAME_ENDINGS = (
    "ov", "ski", "ini", "sen", "ez", "ard", "escu", "ic", "oglu", "berg", "ani", "enko",
    "as", "ot", "ley", "ides",
)  # fmt: skip
STATE_ENDINGS = ("ia", "stan", "land", "ora", "ea", "istan", "ania", "or", "ica", "esh")
CITY_ENDINGS = ("grad", "polis", "burg", "ton", "abad", "ville", "port", "ka", "ir", "en")
ORG_FIELDS = (
    "Energy", "Trade", "Security", "Maritime", "Development", "Migration", "Water",
    "Investment", "Mining", "Broadcasting", "Grain", "Aviation", "Telecoms", "Health",
)  # fmt: skip
ORG_TYPES = (
    ("Council", "the council"),
    ("Authority", "the authority"),
    ("Agency", "the agency"),
    ("Commission", "the commission"),
    ("Corporation", "the company"),
    ("Foundation", "the foundation"),
    ("Institute", "the institute"),
    ("Union", "the union"),
)
ORG_ROLES = (
    "Intergovernmental body",
    "State-owned company",
    "Non-governmental organisation",
    "Regulator",
    "Think tank",
)
GROUP_ADJECTIVES = (
    "Red", "Free", "Northern", "Southern", "Eastern", "Western", "United", "Popular",
    "Revolutionary", "Patriotic", "Democratic", "National", "Highland", "Black",
)  # fmt: skip
GROUP_NOUNS = (
    "Valley", "Coast", "Mountain", "River", "Steppe", "Delta", "Frontier", "Plateau",
    "Forest", "Desert", "Harbour", "Island", "Liberation", "Resistance",
)  # fmt: skip
GROUP_TYPES = (
    ("Front", "the front"),
    ("Brigade", "the brigade"),
    ("Movement", "the movement"),
    ("Army", "the militants"),
    ("Guard", "the guard"),
    ("Battalions", "the fighters"),
)
GROUP_ROLES = ("Armed group", "Militia", "Insurgent movement", "Paramilitary force")
STATE_ROLES = (
    ("Foreign Minister", "the foreign minister"),
    ("Defence Minister", "the defence minister"),
    ("Prime Minister", "the prime minister"),
    ("President", "the president"),
    ("Ambassador to the United Nations", "the ambassador"),
    ("Government Spokesperson", "the spokesperson"),
    ("Chief Negotiator", "the chief negotiator"),
    ("Opposition Leader", "the opposition leader"),
    ("Central Bank Governor", "the governor"),
    ("Army Chief of Staff", "the general"),
    ("Special Envoy", "the envoy"),
    ("Energy Minister", "the energy minister"),
)
FREE_ROLES = (
    ("Independent analyst", "the analyst"),
    ("Human rights lawyer", "the lawyer"),
    ("Investigative journalist", "the journalist"),
    ("Businessman", "the businessman"),
    ("Former diplomat", "the former diplomat"),
)
NEWSPAPER_FIRST = (
    "Meridian", "Northern", "Harbour", "Continental", "Evening", "Capital", "Coastal",
    "Eastern", "Atlantic", "Granite", "Morning", "Frontier",
)  # fmt: skip
NEWSPAPER_SECOND = (
    "Courier", "Herald", "Observer", "Review", "Monitor", "Gazette", "Ledger", "Dispatch",
    "Bulletin", "Tribune", "Post", "Record",
)  # fmt: skip
INSTITUTES = (
    "Institute for Strategic Studies",
    "Centre for Conflict Research",
    "Foundation for Regional Security",
    "Council on Energy Policy",
    "Observatory of Migration",
    "Programme on Arms Control",
    "Institute of Economic Affairs",
    "Centre for Maritime Law",
)
OFFICES = (
    "Ministry of Foreign Affairs",
    "Office of the President",
    "Ministry of Defence",
    "Permanent Mission to the United Nations",
    "Office of the Prosecutor",
)
SOURCE_KINDS = ("news", "report", "statement", "transcript", "dataset", "other")
SOURCE_KIND_WEIGHTS = (60, 15, 10, 8, 4, 3)
RELIABILITIES = ("A", "B", "C", "D", "E", "F")
RELIABILITY_WEIGHTS = (10, 35, 30, 12, 5, 8)
LANGUAGES = ("en", "en", "en", "en", "en", "fr", "de", "ru", "ar", "es")

NOUNS = (
    "agreement", "border", "ceasefire", "delegation", "election", "embargo", "envoy",
    "framework", "government", "initiative", "ministry", "negotiation", "pipeline",
    "proposal", "referendum", "sanction", "summit", "treaty", "coalition", "council",
    "mandate", "corridor", "tariff", "convoy", "deadline", "dispute", "offensive",
    "parliament", "port", "province", "reform", "region", "settlement", "statement",
    "truce", "vote", "budget", "contract", "crisis", "investigation", "exercise",
    "blockade", "loan", "commission", "verdict", "inquiry", "alliance", "mission",
    "resolution", "frontier", "shipment", "monitoring", "withdrawal", "deployment",
    "decree", "memorandum", "consortium", "customs", "airspace", "garrison",
)  # fmt: skip
ADJECTIVES = (
    "new", "disputed", "regional", "provisional", "fragile", "long-awaited", "bilateral",
    "unexpected", "formal", "secret", "revised", "joint", "planned", "contested",
    "maritime", "military", "economic", "diplomatic", "northern", "southern", "interim",
    "ambitious", "limited", "delayed", "controversial", "final", "informal", "wider",
    "technical", "humanitarian",
)  # fmt: skip
PAST_VERBS = (
    "announced", "rejected", "proposed", "criticised", "endorsed", "delayed", "signed",
    "questioned", "welcomed", "postponed", "extended", "suspended", "reviewed",
    "confirmed", "denied", "blocked", "backed", "revived", "challenged", "ratified",
    "outlined", "defended", "abandoned", "accelerated",
)  # fmt: skip
BASE_VERBS = (
    "announce", "reject", "propose", "endorse", "delay", "sign", "review", "confirm",
    "block", "back", "revive", "challenge", "ratify", "defend", "abandon", "extend",
)  # fmt: skip
HEADLINE_VERBS = (
    "rejects", "proposes", "signs", "delays", "backs", "questions", "welcomes", "blocks",
    "revives", "defends", "suspends", "extends", "challenges", "abandons", "endorses",
)  # fmt: skip
SPEECH_VERBS = (
    "said", "argued", "warned", "claimed", "insisted", "suggested", "stated", "noted",
    "acknowledged", "maintained",
)  # fmt: skip
MODALS = ("would", "could", "might", "should", "will", "may")
ADVERBS = (
    "publicly", "quietly", "repeatedly", "formally", "reportedly", "again", "briefly",
    "firmly", "cautiously", "openly",
)  # fmt: skip
PREPOSITIONS = (
    "after", "before", "during", "despite", "amid", "over", "following", "ahead of",
    "alongside", "against",
)  # fmt: skip
STATES_OF_AFFAIRS = (
    "uncertain", "unresolved", "in doubt", "on hold", "under review", "stalled",
    "in dispute", "unclear", "contested", "fragile",
)  # fmt: skip
CONNECTIVES = (
    "However,", "Meanwhile,", "In response,", "By contrast,", "At the same time,",
    "According to officials,", "In practice,", "For now,", "Since then,", "Even so,",
)  # fmt: skip
HEADINGS = (
    "Background", "The negotiations", "Reactions", "Economic dimension",
    "Security implications", "Regional context", "Domestic politics", "Legal questions",
    "What the sources say", "Open questions", "The dispute", "Positions of the parties",
    "Military situation", "Humanitarian situation", "Diplomatic track", "Assessment",
)  # fmt: skip
OUTLOOK_HEADINGS = ("Outlook", "What to watch", "Next steps", "Prospects")
TOPICS = (
    "energy", "sanctions", "diplomacy", "ceasefire", "elections", "migration", "trade",
    "cyber", "nuclear", "maritime", "borders", "humanitarian", "terrorism", "arms-control",
    "espionage", "media", "oil", "gas", "pipelines", "refugees", "water", "food-security",
    "climate", "mining", "shipping", "aviation", "banking", "debt", "currency", "protests",
    "courts", "constitution", "corruption", "military-aid", "peacekeeping", "mediation",
    "summits", "treaties", "intelligence", "disinformation", "health", "telecoms", "space",
    "fisheries", "ports", "railways", "minorities", "religion", "succession", "coups",
    "insurgency", "drones", "navies", "airspace", "extradition", "hostages", "prisoners",
    "aid", "reconstruction", "investment",
)  # fmt: skip
REGIONS = (
    "baltic", "caspian", "arctic", "sahel", "levant", "balkan", "andean", "pacific",
    "danube", "gulf", "caucasus", "horn-of-africa", "mekong", "adriatic", "steppe",
)  # fmt: skip

FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_PLAIN_YAML = re.compile(r"[a-z][a-z0-9-]*")
_CITATION = re.compile(r"\[@[^\]]*\]")

# ---------------------------------------------------------------------------
# The generated entities.


@dataclass(slots=True, eq=False)
class ActorSpec:
    """One generated actor (compared by identity)."""

    id: str
    name: str
    kind: str
    alias: str | None = None
    """The one alias written in front matter, or None."""
    role: str = ""
    labels: list[str] = field(default_factory=list)
    """Custom texts for ``[[id|text]]`` mentions, lower case."""
    affiliation: str | None = None
    capital: str | None = None
    """For states: the capital, used in labels ("the authorities in X")."""
    links: bool = False


@dataclass(slots=True)
class SourceSpec:
    """One generated source."""

    id: str
    title: str
    publication: str
    authors: list[str]
    published: dt.date
    url: str
    accessed: dt.date | None
    kind: str
    reliability: str
    language: str


def count_words(text: str) -> int:
    """Words of generated prose, citations left out (a mention counts as one word)."""
    return len(_CITATION.sub("", text).split())


def fold(text: str) -> str:
    """How briefgen compares ids, names and aliases: lower case, single spaces."""
    return " ".join(text.lower().split())


def slug(text: str, words: int = 8) -> str:
    """A lowercase ASCII slug of the first ``words`` words of ``text``."""
    return slugify(" ".join(text.split()[:words]))


def quote(text: str) -> str:
    """A YAML double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def yaml_item(text: str) -> str:
    """An id as a YAML flow item: plain when YAML reads it back as the same text."""
    if _PLAIN_YAML.fullmatch(text) and text not in _YAML_WORDS:
        return text
    return quote(text)


def yaml_list(items: Sequence[str]) -> str:
    """A YAML flow list of ids."""
    return "[" + ", ".join(yaml_item(item) for item in items) + "]"


def random_day(rng: Random, first: dt.date, last: dt.date) -> dt.date:
    """A day between ``first`` and ``last`` inclusive."""
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def made_up_word(rng: Random, endings: Sequence[str], syllables: tuple[int, int] = (1, 2)) -> str:
    """A pronounceable invented word, capitalised: ``Velmoria``."""
    count = rng.randint(*syllables)
    word = "".join(rng.choice(SYLLABLES) for _ in range(count)) + rng.choice(endings)
    return word.capitalize()


def acronym(name: str) -> str:
    """The capitals of a name: ``Tarsen Energy Council`` -> ``TEC``."""
    return "".join(word[0] for word in name.split() if word[0].isupper())


# ---------------------------------------------------------------------------
# Actors, sources and tags.


class _Names:
    """Every folded id, name and alias taken so far, so that none can be ambiguous."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def free(self, *keys: str) -> bool:
        return all(fold(key) not in self.taken for key in keys)

    def take(self, *keys: str) -> None:
        self.taken.update(fold(key) for key in keys)


def _kinds(rng: Random, count: int) -> list[str]:
    """Actor kinds in the reference mix: person 60 %, state 15 %, organisation 15 %, group 10 %."""
    states = max(1, round(count * 0.15))
    organisations = round(count * 0.15)
    groups = round(count * 0.10)
    persons = count - states - organisations - groups
    kinds = ["person"] * persons + ["state"] * states
    kinds += ["organisation"] * organisations + ["group"] * groups
    rng.shuffle(kinds)
    return kinds


def _unique(rng: Random, names: _Names, make: _NameMaker) -> tuple[str, str]:
    """(name, id) from ``make`` whose name and id clash with nothing taken so far."""
    for attempt in range(1000):
        name = make(rng, attempt)
        actor_id = slug(name, 12)
        if names.free(name, actor_id):
            names.take(name, actor_id)
            return name, actor_id
    raise RuntimeError("could not find a free actor name")  # pragma: no cover


class _NameMaker:
    """Makes candidate names of one kind; later attempts draw from a larger space."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, rng: Random, attempt: int) -> str:
        longer = (1, 2) if attempt < 20 else (2, 3)
        if self.kind == "person":
            surname = made_up_word(rng, SURNAME_ENDINGS, longer)
            return f"{rng.choice(FIRST_NAMES)} {surname}"
        if self.kind == "state":
            return made_up_word(rng, STATE_ENDINGS, longer)
        if self.kind == "organisation":
            head = made_up_word(rng, CITY_ENDINGS, longer)
            return f"{head} {rng.choice(ORG_FIELDS)} {rng.choice(ORG_TYPES)[0]}"
        kind_word = rng.choice(GROUP_TYPES)[0]
        if attempt < 10:
            return f"{rng.choice(GROUP_ADJECTIVES)} {rng.choice(GROUP_NOUNS)} {kind_word}"
        return f"{made_up_word(rng, CITY_ENDINGS, longer)} {rng.choice(GROUP_NOUNS)} {kind_word}"


def make_actors(rng: Random, count: int) -> list[ActorSpec]:
    """``count`` actors with unique ids, names and aliases, some affiliated to a state."""
    names = _Names()
    actors: list[ActorSpec] = []
    for kind in _kinds(rng, count):
        name, actor_id = _unique(rng, names, _NameMaker(kind))
        actor = ActorSpec(actor_id, name, kind, links=rng.random() < 0.4)
        alias: str | None = None
        if kind == "person":
            actor.labels.append(name.split()[-1])
            if rng.random() < 0.5:
                alias = name.split()[-1]
        elif kind == "state":
            for _ in range(5):
                capital = made_up_word(rng, CITY_ENDINGS)
                if names.free(capital):
                    # Taken even when it is not an alias: the text names it.
                    names.take(capital)
                    actor.capital = capital
                    actor.labels.append(f"the authorities in {capital}")
                    if rng.random() < 0.7:
                        actor.alias = capital
                    break
            actor.labels.append("the government")
        elif kind == "organisation":
            actor.labels.append(dict(ORG_TYPES)[name.split()[-1]])
            actor.role = rng.choice(ORG_ROLES)
            if rng.random() < 0.6:
                alias = acronym(name)
        else:
            actor.labels.append(dict(GROUP_TYPES)[name.split()[-1]])
            actor.role = rng.choice(GROUP_ROLES)
            if rng.random() < 0.5:
                alias = acronym(name)
        if alias is not None and names.free(alias):
            names.take(alias)
            actor.alias = alias
        actors.append(actor)
    states = [a for a in actors if a.kind == "state"]
    for actor in actors:
        if actor.kind == "state":
            continue
        state = rng.choice(states) if states and rng.random() < 0.6 else None
        if actor.kind == "person":
            if state is not None:
                role, label = rng.choice(STATE_ROLES)
                actor.role = f"{role} of {state.name}"
            else:
                role, label = rng.choice(FREE_ROLES)
                actor.role = role
            actor.labels.append(label)
        if state is not None:
            actor.affiliation = state.id
    return actors


def _publication(rng: Random, kind: str) -> str:
    if kind in ("report", "dataset"):
        return rng.choice(INSTITUTES)
    if kind == "statement":
        return rng.choice(OFFICES)
    return f"The {rng.choice(NEWSPAPER_FIRST)} {rng.choice(NEWSPAPER_SECOND)}"


def make_sources(rng: Random, count: int) -> list[SourceSpec]:
    """``count`` sources with publication, authors, date, grade and an example.org/com URL."""
    sources: list[SourceSpec] = []
    taken: set[str] = set()
    for index in range(count):
        kind = rng.choices(SOURCE_KINDS, SOURCE_KIND_WEIGHTS)[0]
        publication = _publication(rng, kind)
        published = random_day(rng, dt.date(2014, 9, 1), LAST_DAY)
        title = _headline(rng, f"{made_up_word(rng, CITY_ENDINGS)} {rng.choice(NOUNS)}")
        base = f"{slug(publication.removeprefix('The '), 4)}-{published.isoformat()}"
        source_id, suffix = base, 2
        while source_id in taken:
            source_id, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(source_id)
        authors = {
            "news": (1, 2),
            "report": (1, 3),
            "transcript": (0, 1),
            "dataset": (0, 1),
        }.get(kind, (0, 0))
        people = [
            f"{rng.choice(FIRST_NAMES)} {made_up_word(rng, SURNAME_ENDINGS)}"
            for _ in range(rng.randint(*authors))
        ]
        host = "example.org" if index % 3 else "example.com"
        url = (
            f"https://{host}/{slug(publication, 4)}/{published.year}/"
            f"{published.month:02d}/{slug(title, 6)}"
        )
        accessed = None
        if rng.random() < 0.5:
            accessed = min(published + dt.timedelta(days=rng.randint(0, 400)), LAST_DAY)
        sources.append(
            SourceSpec(
                id=source_id,
                title=title,
                publication=publication,
                authors=people,
                published=published,
                url=url,
                accessed=accessed,
                kind=kind,
                reliability=rng.choices(RELIABILITIES, RELIABILITY_WEIGHTS)[0],
                language=rng.choice(LANGUAGES),
            )
        )
    return sources


def make_tags(rng: Random, count: int) -> list[str]:
    """A vocabulary of ``count`` distinct tags: topics, then region-topic pairs, then numbered."""
    pairs = [f"{region}-{topic}" for region in REGIONS for topic in TOPICS]
    rng.shuffle(pairs)
    tags = [*TOPICS, *pairs]
    number = 2
    while len(tags) < count:
        tags.extend(f"{topic}-{number}" for topic in TOPICS)
        number += 1
    return tags[:count]


def _headline(rng: Random, subject: str) -> str:
    """A headline: ``Velmoria rejects disputed pipeline after summit``."""
    first, second = rng.sample(NOUNS, 2)
    return (
        f"{subject} {rng.choice(HEADLINE_VERBS)} {rng.choice(ADJECTIVES)} "
        f"{first} {rng.choice(PREPOSITIONS)} {second}"
    )


# ---------------------------------------------------------------------------
# Brief bodies.


class BodyWriter:
    """Writes the Markdown of one brief, mentioning all its actors and citing all its sources."""

    def __init__(self, rng: Random, actors: list[ActorSpec], sources: list[SourceSpec]) -> None:
        self.rng = rng
        self.actors = actors
        self.sources = sources
        self.unmentioned = list(actors)
        self.uncited = list(sources)
        self.words = 0

    # The parts of a sentence.

    def actor(self) -> ActorSpec:
        """The next actor to mention: one not mentioned yet, else any of the brief's."""
        if self.unmentioned:
            return self.unmentioned.pop(0)
        return self.rng.choice(self.actors)

    def source(self) -> SourceSpec:
        """The next source to cite: one not cited yet, else any of the brief's."""
        if self.uncited:
            return self.uncited.pop(0)
        return self.rng.choice(self.sources)

    def mention(
        self, actor: ActorSpec, start: bool = False, plain: bool = False, table: bool = False
    ) -> str:
        """A mention by id, alias, name or with custom text.

        ``plain`` leaves out custom text (quote attributions); in a ``table`` the
        ``|`` of custom text is escaped as ``\\|``, or it would split the cell.
        """
        if actor in self.unmentioned:
            self.unmentioned.remove(actor)
        roll = self.rng.random()
        if roll < 0.55:
            return f"[[{actor.id}]]"
        if roll < 0.72 and actor.alias:
            return f"[[{actor.alias}]]"
        if roll < 0.9 and not plain:
            label = self.rng.choice(actor.labels)
            if start:
                label = label[0].upper() + label[1:]
            separator = "\\|" if table else "|"
            return f"[[{actor.id}{separator}{label}]]"
        return f"[[{actor.name}]]"

    def locator(self) -> str:
        """A locator: ``para. N`` or ``p. N``, sometimes none."""
        roll = self.rng.random()
        if roll < 0.55:
            return f", para. {self.rng.randint(1, 30)}"
        if roll < 0.85:
            return f", p. {self.rng.randint(1, 120)}"
        return ""

    def citation(self, multi: bool = True) -> str:
        """`` [@id, para. N]``, or several at once."""
        first = self.source()
        if multi and len(self.sources) > 1 and self.rng.random() < 0.15:
            second = self.source()
            if second is first:
                second = self.rng.choice([s for s in self.sources if s is not first])
            return f" [@{first.id}{self.locator()}; @{second.id}{self.locator()}]"
        return f" [@{first.id}{self.locator()}]"

    def phrase(self) -> str:
        """``the disputed pipeline``."""
        return f"the {self.rng.choice(ADJECTIVES)} {self.rng.choice(NOUNS)}"

    def noun(self) -> str:
        """``the summit``."""
        return f"the {self.rng.choice(NOUNS)}"

    def pick(self, words: Sequence[str]) -> str:
        """One word (or fixed phrase) from a list."""
        return self.rng.choice(words)

    def subject(self, mention: bool) -> str:
        """The sentence's subject, capitalised: an actor or a noun phrase."""
        if mention:
            return self.mention(self.actor(), start=True)
        text = self.phrase()
        return text[0].upper() + text[1:]

    def sentence(self, mention: float = 0.55, cite: float = 0.5) -> str:
        """One sentence from a handful of templates, with mentions and a citation by chance."""
        rng = self.rng
        has_mention = rng.random() < mention
        template = rng.randrange(7)
        if template == 0:
            text = (
                f"{self.subject(has_mention)} {self.pick(PAST_VERBS)} {self.phrase()} "
                f"{self.pick(PREPOSITIONS)} {self.noun()}"
            )
        elif template == 1:
            text = (
                f"{self.subject(has_mention)} {self.pick(SPEECH_VERBS)} that {self.noun()} "
                f"{self.pick(MODALS)} {self.pick(BASE_VERBS)} {self.phrase()}"
            )
        elif template == 2:
            who = self.mention(self.actor()) if has_mention else self.noun()
            text = (
                f"{self.pick(CONNECTIVES)} {self.phrase()} of {who} "
                f"{self.pick(ADVERBS)} {self.pick(PAST_VERBS)} {self.noun()}"
            )
        elif template == 3:
            text = (
                f"{self.subject(False)} {self.pick(PREPOSITIONS)} {self.noun()} remains "
                f"{self.pick(STATES_OF_AFFAIRS)}, and {self.noun()} is "
                f"{self.pick(ADVERBS)} {self.pick(STATES_OF_AFFAIRS)}"
            )
            if has_mention:
                text += f" for {self.mention(self.actor())}"
        elif template == 4:
            other = self.noun()
            if has_mention and rng.random() < 0.5:
                other = self.mention(self.actor())
            text = (
                f"{self.subject(has_mention)} {self.pick(ADVERBS)} {self.pick(PAST_VERBS)} "
                f"{self.phrase()} with {other} {self.pick(PREPOSITIONS)} {self.phrase()}"
            )
        elif template == 5:
            text = (
                f"Officials {self.pick(SPEECH_VERBS)} that {self.phrase()} "
                f"{self.pick(PREPOSITIONS)} {self.noun()} was {self.pick(STATES_OF_AFFAIRS)} "
                f"and that {self.noun()} {self.pick(MODALS)} {self.pick(BASE_VERBS)} it"
            )
        else:
            text = (
                f"{self.subject(has_mention)} {self.pick(PAST_VERBS)} {self.noun()} "
                f"{self.pick(PREPOSITIONS)} {self.phrase()}, {self.pick(ADVERBS)} "
                f"{self.pick(SPEECH_VERBS)} by observers"
            )
        self.words += count_words(text)
        if rng.random() < cite or (cite > 0 and self.uncited):
            text += self.citation()
        return text + "."

    # Blocks.

    def key_points(self) -> str:
        """The ``## Key points`` list: each point mentions an actor and cites a source."""
        points = [
            f"- {self.sentence(mention=1.0, cite=1.0)}" for _ in range(self.rng.randint(3, 5))
        ]
        return "## Key points\n\n" + "\n".join(points)

    def quote(self) -> str:
        """An attributed quote: ``> text`` then ``> -- [[actor]] [@source, para. N]``."""
        people = [a for a in self.actors if a.kind == "person"] or self.actors
        speaker = self.rng.choice(people)
        said = " ".join(self.sentence(mention=0.0, cite=0.0) for _ in range(self.rng.randint(1, 2)))
        source = self.source()
        locator = self.locator() or f", para. {self.rng.randint(1, 30)}"
        return f"> {said}\n>\n> -- {self.mention(speaker, plain=True)} [@{source.id}{locator}]"

    def table(self) -> str:
        """A pipe table of positions, each row with a mention and a citation."""
        rows = ["| Party | Position | Reported by |", "|---|---|---|"]
        for actor in self.rng.sample(self.actors, min(len(self.actors), self.rng.randint(2, 4))):
            position = f"{self.pick(PAST_VERBS).capitalize()} {self.phrase()}"
            cite = self.citation(multi=False).strip()
            rows.append(f"| {self.mention(actor, table=True)} | {position} | {cite} |")
            self.words += count_words(position) + 1
        return "\n".join(rows)

    def body(self) -> str:
        """The whole body, about 600 words."""
        rng = self.rng
        # Counted with a mention as one word; names and labels bring it to about 600.
        target = rng.randint(480, 600)
        blocks = [self.key_points()]
        headings = [*rng.sample(HEADINGS, rng.randint(2, 4)), rng.choice(OUTLOOK_HEADINGS)]
        quote_at = rng.randrange(len(headings) - 1) if rng.random() < 0.85 else -1
        table_at = rng.randrange(len(headings)) if rng.random() < 1 / 3 else -1
        footnote = rng.random() < 1 / 3
        footnote_at = rng.randrange(len(headings))
        for index, heading in enumerate(headings):
            blocks.append(f"## {heading}")
            # Share what is left of the target between this section and the ones after it.
            budget = (target - self.words) // (len(headings) - index)
            start = self.words
            paragraphs = 0
            while paragraphs == 0 or self.words - start < budget - 10:
                sentences: list[str] = []
                for _ in range(rng.randint(3, 5)):
                    sentences.append(self.sentence())
                    if self.words - start >= budget and len(sentences) >= 2:
                        break
                text = " ".join(sentences)
                if footnote and index == footnote_at and paragraphs == 0:
                    text += "[^1]"
                blocks.append(text)
                paragraphs += 1
                if index == quote_at and paragraphs == 1:
                    blocks.append(self.quote())
                if index == table_at and paragraphs == 1:
                    blocks.append("The positions reported in the sources:")
                    blocks.append(self.table())
        if self.unmentioned or self.uncited:
            rest = [self.mention(a) for a in list(self.unmentioned)]
            cites = "".join(self.citation(multi=False) for _ in list(self.uncited))
            blocks.append(f"Also involved: {', '.join(rest) or 'no one else'}.{cites}")
        if footnote:
            blocks.append(f"[^1]: {self.sentence(mention=0.3, cite=1.0)}")
        return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------------------
# Files.


def actor_file(rng: Random, actor: ActorSpec) -> str:
    """The Markdown file of one actor."""
    lines = ["---", f"name: {quote(actor.name)}", f"kind: {actor.kind}"]
    if actor.role:
        lines.append(f"role: {quote(actor.role)}")
    if actor.affiliation:
        lines.append(f"affiliation: {actor.affiliation}")
    if actor.alias:
        lines.append(f"aliases: [{quote(actor.alias)}]")
    if actor.links:
        lines += ["links:", f"  profile: https://example.org/profiles/{actor.id}"]
    lines.append("---")
    writer = BodyWriter(rng, [], [])
    profile = [writer.sentence(mention=0.0, cite=0.0) for _ in range(rng.randint(1, 3))]
    if actor.affiliation:
        profile.append(f"Affiliated with [[{actor.affiliation}]].")
    if actor.capital:
        profile.append(f"The capital is {actor.capital}.")
    return "\n".join(lines) + "\n\n" + " ".join(profile) + "\n"


def source_file(rng: Random, source: SourceSpec) -> str:
    """The Markdown file of one source."""
    lines = [
        "---",
        f"title: {quote(source.title)}",
        f"publication: {quote(source.publication)}",
    ]
    if source.authors:
        lines.append("authors: [" + ", ".join(quote(a) for a in source.authors) + "]")
    lines.append(f"published: {source.published.isoformat()}")
    lines.append(f"url: {source.url}")
    if source.accessed:
        lines.append(f"accessed: {source.accessed.isoformat()}")
    lines += [
        f"kind: {source.kind}",
        f"reliability: {source.reliability}",
        f"language: {source.language}",
        "---",
    ]
    writer = BodyWriter(rng, [], [])
    note = " ".join(writer.sentence(mention=0.0, cite=0.0) for _ in range(rng.randint(1, 2)))
    return "\n".join(lines) + "\n\n" + note + "\n"


def brief_file(
    rng: Random,
    title: str,
    date: dt.date,
    actors: list[ActorSpec],
    sources: list[SourceSpec],
    tags: list[str],
) -> str:
    """The Markdown file of one brief: front matter with events, then the body."""
    lead, other = actors[0], actors[-1]
    summary = (
        f"{lead.name} {rng.choice(PAST_VERBS)} the {rng.choice(ADJECTIVES)} "
        f"{rng.choice(NOUNS)} {rng.choice(PREPOSITIONS)} the {rng.choice(NOUNS)}, and "
        f"{other.name} {rng.choice(SPEECH_VERBS)} the {rng.choice(NOUNS)} was "
        f"{rng.choice(STATES_OF_AFFAIRS)}."
    )
    lines = [
        "---",
        f"title: {quote(title)}",
        f"date: {date.isoformat()}",
        f"summary: {quote(summary)}",
        f"actors: {yaml_list([a.id for a in actors])}",
        f"sources: {yaml_list([s.id for s in sources])}",
        f"tags: {yaml_list(tags)}",
    ]
    events = rng.choices((0, 1, 2, 3), (25, 35, 25, 15))[0]
    if events:
        lines.append("events:")
    for _ in range(events):
        day = max(FIRST_DAY, date - dt.timedelta(days=rng.randint(0, 540)))
        when = quote(f"{day.year}-{day.month:02d}") if rng.random() < 0.25 else day.isoformat()
        who = rng.sample(actors, rng.randint(1, min(3, len(actors))))
        cited = rng.sample(sources, rng.randint(0, min(2, len(sources))))
        event_title = (
            f"{who[0].name} {rng.choice(PAST_VERBS)} the {rng.choice(ADJECTIVES)} "
            f"{rng.choice(NOUNS)}"
        )
        lines += [f"  - date: {when}", f"    title: {quote(event_title)}"]
        lines.append(f"    actors: {yaml_list([a.id for a in who])}")
        if cited:
            lines.append(f"    sources: {yaml_list([s.id for s in cited])}")
    lines.append("---")
    body = BodyWriter(rng, actors, sources).body()
    return "\n".join(lines) + "\n\n" + body


def _pick_more(rng: Random, chosen: list[int], pool: int, want: int) -> None:
    """Add random indexes below ``pool`` to ``chosen`` until it holds ``want`` of them."""
    while len(chosen) < min(want, pool):
        index = rng.randrange(pool)
        if index not in chosen:
            chosen.append(index)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def counts_for(briefs: int) -> dict[str, int]:
    """How many of each the generator makes for ``briefs`` briefs."""
    return {
        "briefs": briefs,
        "actors": max(10, briefs // 10),
        "sources": max(5, briefs // 5),
        "tags": max(10, briefs // 50),
    }


def generate(out: Path, briefs: int, seed: int = 1) -> dict[str, int]:
    """Write a synthetic project of ``briefs`` briefs into ``out``; return the counts.

    ``out`` is created if needed; files already in it are overwritten, not removed.
    The result maps "briefs", "actors", "sources" and "tags" to how many were written.
    """
    if briefs < 1:
        raise ValueError("briefs must be at least 1")
    counts = counts_for(briefs)
    rng = Random(seed)
    actors = make_actors(rng, counts["actors"])
    sources = make_sources(rng, counts["sources"])
    tags = make_tags(rng, counts["tags"])
    by_id = {a.id: index for index, a in enumerate(actors)}
    # A few tags are common, most are rare (Zipf); tags[i] also goes to brief i.
    tag_weights = list(accumulate(1 / (rank + 1) for rank in range(len(tags))))

    folders = {name: out / "content" / name for name in ("briefs", "actors", "sources", "pages")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    _write(
        out / "briefgen.toml",
        f'title = "Synthetic Briefing ({briefs} briefs, seed {seed})"\n'
        'base_url = "https://example.org/briefing/"\n'
        'language = "en-GB"\n'
        'description = "A generated corpus for benchmarking briefgen."\n'
        "latest = 10\n",
    )
    _write(
        folders["pages"] / "about.md",
        "---\ntitle: About\nsummary: What this generated briefing is.\n---\n\n"
        f"This briefing was generated by `bench/generate.py` with {briefs} briefs and seed "
        f"{seed}. Every name in it is invented; the links point to example.org and "
        "example.com.\n",
    )
    for actor in actors:
        _write(folders["actors"] / f"{actor.id}.md", actor_file(rng, actor))
    # Written after the briefs: a source is dated no later than the first brief citing it
    # (briefgen warns about a source published after a brief that cites it).
    source_texts = [source_file(rng, source) for source in sources]
    first_cited: dict[int, dt.date] = {}

    brief_ids: set[str] = set()
    for index in range(briefs):
        # Brief i mentions actor i (and i + N, ...) and cites source i, so none is left out.
        chosen = list(range(index, len(actors), briefs))
        want = min(rng.randint(2, 6), len(actors))
        while len(chosen) < want:
            pick = rng.randrange(len(actors))
            if pick in chosen:
                continue
            chosen.append(pick)
            # Often the state a person or body belongs to is in the brief too.
            state = actors[pick].affiliation
            if state and len(chosen) < want and by_id[state] not in chosen and rng.random() < 0.5:
                chosen.append(by_id[state])
        cited = list(range(index, len(sources), briefs))
        _pick_more(rng, cited, len(sources), rng.randint(1, 4))
        brief_tags = [tags[index % len(tags)]]
        for _ in range(rng.randint(0, 2)):
            tag = rng.choices(tags, cum_weights=tag_weights)[0]
            if tag not in brief_tags:
                brief_tags.append(tag)
        brief_actors = [actors[i] for i in chosen]
        date = random_day(rng, FIRST_DAY, LAST_DAY)
        title = _headline(rng, brief_actors[0].name)
        base = slug(title, 7)
        brief_id, suffix = base, 2
        while brief_id in brief_ids:
            brief_id, suffix = f"{base}-{suffix}", suffix + 1
        brief_ids.add(brief_id)
        text = brief_file(rng, title, date, brief_actors, [sources[i] for i in cited], brief_tags)
        _write(folders["briefs"] / f"{brief_id}.md", text)
        for i in cited:
            first_cited[i] = min(first_cited.get(i, date), date)
    for i, (source, text) in enumerate(zip(sources, source_texts, strict=True)):
        cited_on = first_cited.get(i)
        if cited_on is not None and cited_on < source.published:
            text = text.replace(
                f"published: {source.published.isoformat()}\n",
                f"published: {cited_on.isoformat()}\n",
                1,
            )
        _write(folders["sources"] / f"{source.id}.md", text)
    return counts


def _refuse_to_delete(out: Path) -> str | None:
    """Why ``--force`` must not delete ``out``, or None when it may."""
    resolved = out.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        return "it is the current folder or one of its parents"
    if resolved == Path.home().resolve() or len(resolved.parts) < 3:
        return "it is the home folder or a top-level folder"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit code (2 for a non-empty OUT_DIR without --force)."""
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Generate a synthetic briefgen project for benchmarks.",
    )
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="where to write the project")
    parser.add_argument("--briefs", type=int, required=True, help="how many briefs (at least 1)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--force", action="store_true", help="delete OUT_DIR first if it is not empty"
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    if args.briefs < 1:
        parser.error("--briefs must be at least 1")
    if out.exists() and not out.is_dir():
        print(f"generate.py: error: '{out}' exists and is not a folder", file=sys.stderr)
        return 2
    if out.is_dir() and any(out.iterdir()):
        if not args.force:
            print(
                f"generate.py: error: '{out}' is not empty (use --force to replace it)",
                file=sys.stderr,
            )
            return 2
        reason = _refuse_to_delete(out)
        if reason:
            print(f"generate.py: error: refusing to delete '{out}': {reason}", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    started = time.perf_counter()
    counts = generate(out, args.briefs, args.seed)
    seconds = time.perf_counter() - started
    print(
        f"generated {counts['briefs']} briefs, {counts['actors']} actors, "
        f"{counts['sources']} sources, {counts['tags']} tags into {out} in {seconds:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
