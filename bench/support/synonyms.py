"""Light morphology and synonymy: irregular forms and a few near-synonyms news text swaps freely,
each mapped to one canonical stem (applied after Porter stemming, to facts and summaries alike)."""

from __future__ import annotations

from bench.scorers._tokens import stem

_GROUPS = """
say said says told tell tells claim claimed
win won
go went gone
buy bought
take took taken
find found
leave left
give gave given
make made
get got gotten
run ran
see saw seen
come came
begin began begun start started
break broke broken
catch caught
fall fell fallen
lose lost
pay paid
sell sold
send sent
spend spent
steal stole stolen
write wrote written
shoot shot
speak spoke spoken
meet met
hold held
keep kept
bring brought
think thought
feel felt
lead led
fly flew flown
drive drove driven
eat ate eaten
grow grew grown
know knew known
rise rose risen
throw threw thrown
choose chose chosen
wear wore worn
hide hid hidden
fight fought
teach taught
build built
stand stood
sit sat
strike struck
forget forgot forgotten
child children kid kids
man men
woman women
person people
mouse mice
foot feet
tooth teeth
die died dead death killed kill
uk britain british
us america american
police officer officers cops cop
doctor doctors medic
film movie
car vehicle
""".strip()


def _canonical_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for line in _GROUPS.splitlines():
        words = [stem(w) for w in line.split()]
        for word in words:
            mapping.setdefault(word, words[0])
    return mapping


_CANONICAL: dict[str, str] = {}


def canonical_map() -> dict[str, str]:
    """Stem -> the stem standing for its group (built on first use: stemming imports NLTK,
    which a command that never compares words should not pay for)."""
    if not _CANONICAL:
        _CANONICAL.update(_canonical_map())
    return _CANONICAL


def canonical(stemmed: str) -> str:
    """The group's stem for a stemmed token, or the token itself."""
    return (_CANONICAL or canonical_map()).get(stemmed, stemmed)


_OPPOSITES = """
win lose
rise fall
increase decrease
higher lower
accept reject
guilty innocent
convicted acquitted
arrive depart
allow ban
male female
north south
east west
""".strip()


def _opposite_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for line in _OPPOSITES.splitlines():
        first, second = (canonical(stem(w)) for w in line.split())
        mapping[first] = second
        mapping[second] = first
    return mapping


_OPPOSITES_MAP: dict[str, str] = {}


def opposite_map() -> dict[str, str]:
    """Canonical stem -> the canonical stem of its opposite (a small list of pairs news text
    states either way: won / lost, rose / fell, guilty / innocent); built on first use."""
    if not _OPPOSITES_MAP:
        _OPPOSITES_MAP.update(_opposite_map())
    return _OPPOSITES_MAP


def opposite(word: str) -> str | None:
    """The opposite of a canonical stem, when it has one in :func:`opposite_map`."""
    return (_OPPOSITES_MAP or opposite_map()).get(word)
