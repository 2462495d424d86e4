"""Inputs on which implementations of rouge-score tend to differ, and a check against it.

An accelerated engine is used only after it returns exactly rouge-score's numbers on all of
:data:`CHECK_PAIRS` (all four types), so a build with a different stemmer, tokenizer or LCS
tie-breaking is never used silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bench.scorers.rouge_engine.score import ROUGE_TYPES, Scores

_REPEATED = " ".join(["the cat sat on the mat and the dog sat on the cat"] * 3)

CHECK_PAIRS: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("The cat sat.", ""),
    ("   \n\t \n", "The cat sat."),
    ("...!? --- ***", "!!! ---"),
    ("Café naïve résumé façade, déjà vu", "Cafe naive resume facade deja vu"),
    ("Президент подписал указ о санкциях.\nРынки упали на 3%.", "Завтра будет солнечно, около 3."),
    ("中国政府周一宣布了新的经济刺激计划。\n该计划总额为5000亿元。", "计划总额5000亿元"),
    ("ＴＨＥ ＣＡＴ ｓａｔ on the mat", "the cat sat on the mat"),
    ("\u212aelvin \u0130stanbul ǅemal ß", "kelvin istanbul i\u0307stanbul dzemal ss"),
    ("$1,234,567.89 was paid on 2023-05-01.", "They paid $1,234,567.89 on 01/05/2023"),
    ("state-of-the-art don't it's O'Neil's", "state of the art dont its oneils o neil s"),
    ("First line.\r\nSecond\tline here.\r\n\r\nThird.", "first line\nsecond line\there third"),
    ("a\u00a0b\u2003c\u200bd e\u0301f", "a b c d e f"),
    ("lone \ud800 surrogate", "lone surrogate"),
    (_REPEATED, _REPEATED[::-1]),
    ("the the the cat the the", "the cat the the the the"),
    ("a b\nb a c\nc a b", "b a\na b c\nc b a\nb"),
    ("a b\nb a", "b a\na\nb"),
    ("x y x y x\ny x y", "y x\nx y x y\ny y x"),
    (
        "The generously running dogs were dying in the skies.\nFlies fly.",
        "Generous runners die under sky; flying flies.\nDogs were running generously.",
    ),
    (
        "Officials said 4,000 residents were evacuated.\nThe Elbe burst its banks on Monday.",
        "The Elbe burst its banks.\nOn Monday, officials evacuated 4,000 residents.\nThe banks.",
    ),
    ("COVID-19 cases rose 12% to 4,000 in Q3 2023.", "covid 19 cases rose to 4000 in q3"),
    ("\n\n\n", "\n"),
    ("Hello world.\n---\n\nBye now.", "hello\n***\nbye world now"),
)
"""(target, prediction) pairs; rougeLsum sentences are the ``\\n``-separated lines."""


def first_difference(
    score: Callable[[str, str], Scores],
    reference: Callable[[str, str], Scores],
    pairs: Sequence[tuple[str, str]] = CHECK_PAIRS,
    types: Sequence[str] = ROUGE_TYPES,
) -> str | None:
    """The first pair on which ``score`` differs from ``reference`` in any number, described;
    ``None`` when every number is identical."""
    for target, prediction in pairs:
        got, expected = score(target, prediction), reference(target, prediction)
        for rouge_type in types:
            if tuple(got[rouge_type]) != tuple(expected[rouge_type]):
                return (
                    f"{rouge_type} of target {target[:40]!r} vs prediction {prediction[:40]!r}: "
                    f"{tuple(got[rouge_type])} != {tuple(expected[rouge_type])}"
                )
    return None
