"""Hand-made (fact, summary) pairs every matcher is tried on: paraphrase, contradiction,
false numbers."""

from __future__ import annotations

from typing import Any

from bench.scorers.matchers import Matcher
from bench.task import KeyFact

TROOPS = KeyFact(id="troops", text="The UK agreed to send troops to Ukraine.")
COUNT = KeyFact(id="count", text="NATO deployed 3,000 troops to Estonia.")
TIPS = KeyFact(id="tips", text="Abedin did not leave a tip.")
OTHERS = (
    KeyFact(id="o1", text="The UK and France met in Paris."),
    KeyFact(id="o2", text="Russia condemned the plan."),
)
SIBLINGS = (TROOPS, COUNT, TIPS, *OTHERS)

STATES = "Britain's prime minister said the UK agreed to send troops to Ukraine."
REFUSES = "The UK refused to send troops to Ukraine."
DENIES = "The UK did not agree to send troops to Ukraine."
UNRELATED = "France hosted the summit in Paris."

CASES = [  # (fact, summary sentences, present)
    (TROOPS, [UNRELATED, STATES], True),
    (TROOPS, [UNRELATED, REFUSES], False),
    (TROOPS, [DENIES], False),
    (TROOPS, [UNRELATED], False),
    (COUNT, ["NATO deployed 3,000 troops to Estonia on Tuesday."], True),
    (COUNT, ["NATO deployed 2,000 troops to Estonia on Tuesday."], False),
    (COUNT, ["NATO deployed three thousand troops to Estonia."], True),
    (TIPS, ["Staff said Abedin didn't leave a tip at the restaurant."], True),
    (TIPS, ["Abedin left a generous tip at the restaurant."], False),
]


def decide(matcher: Matcher, fact: KeyFact, sentences: list[str]) -> Any:
    return matcher.match(fact, sentences, SIBLINGS)
