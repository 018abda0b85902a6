"""Map free text to concepts: which concepts a statement affirms or denies, and why.

The mapper knows no concept by itself: it is compiled from the ontology's
``grasp:indicator`` phrases. Words are compared by their Snowball stems, so case and
inflection do not matter ("локального приоритета" matches "локальный приоритет"); the words
of a phrase must come in order within one clause, with a few other words allowed between
them. A negation before the phrase in the same clause ("does not", "не") turns the reading
into a denial.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import snowballstemmer

from grasp.ontology import Indicator, Ontology

#: Words that may stand between the words of an indicator phrase.
MAX_GAP = 3
#: How many words before a match a negation may stand and still apply to it.
NEGATION_REACH = 4

STEMMER_NAMES = {"en": "english", "ru": "russian"}

# Words that carry no meaning of their own in an indicator phrase: they are dropped from
# phrases, and a text may have them or other words in their place.
FILLER_WORDS = {
    "en": {"the", "a", "an", "of", "to", "in", "on", "its", "their", "from", "and", "with",
           "by", "for", "at", "as"},
    "ru": {"и", "в", "во", "на", "с", "со", "к", "о", "об", "по", "за", "из", "от", "до", "у"},
}
NEGATIONS = {
    "en": {"not", "n't", "cannot", "no", "never", "neither", "nor", "none", "nothing", "without"},
    "ru": {"не", "нет", "ни", "никогда", "никак", "ничего"},
}
# Words that open a new clause: a negation before them does not reach past them.
CLAUSE_OPENERS = {
    "en": {"but", "however", "although", "though", "whereas", "yet", "instead", "rather"},
    "ru": {"а", "но", "однако", "зато", "хотя", "тогда", "же"},
}
HEDGES = {
    "en": {"maybe", "perhaps", "probably", "possibly", "might", "seems", "guess", "somewhat"},
    "ru": {"может", "наверное", "возможно", "кажется", "вероятно", "пожалуй", "видимо"},
}
HEDGE_FACTOR = 0.8

# A word, with English "n't" split off as a word of its own ("don't" → "do", "n't").
_WORD = re.compile(r"[^\W_]+?(?=n['’]t\b)|n['’]t\b|[^\W_]+", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[.;:!?()\n]|\s[—–-]\s|\s[—–]|[—–]\s")


@dataclass(frozen=True)
class Reading:
    """One concept a text affirms or denies, with the evidence: phrase, span, confidence."""

    concept: str
    stance: str  # "affirms" | "denies"
    confidence: float
    indicator: str
    start: int
    end: int


@dataclass(frozen=True)
class _Token:
    stem: str
    start: int
    end: int
    clause: int


@dataclass(frozen=True)
class _Phrase:
    indicator: Indicator
    stems: tuple[str, ...]


def detect_language(text: str) -> str:
    """Guess ``ru`` or ``en`` from the letters of ``text``.

    >>> detect_language("LLM — вероятностная машина смыслов")
    'ru'
    >>> detect_language("An LLM is a probabilistic machine")
    'en'
    """
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    letters = sum(1 for ch in text if ch.isalpha())
    return "ru" if letters and cyrillic / letters >= 0.3 else "en"


class Mapper:
    """Map statements to readings with the indicator phrases of one ontology.

    >>> from grasp.ontology import Indicator
    >>> mapper = Mapper([Indicator("urn:x:Think", "the model thinks", "en")])
    >>> [(r.stance, r.indicator) for r in mapper.map("The model really thinks.", "en")]
    [('affirms', 'the model thinks')]
    >>> [r.stance for r in mapper.map("I never said the model thinks", "en")]
    ['denies']
    """

    def __init__(self, indicators: Iterable[Indicator],
                 ancestors: Mapping[str, frozenset[str]] | None = None) -> None:
        self._stemmers = {lang: snowballstemmer.stemmer(name) for lang, name in STEMMER_NAMES.items()}
        # Phrases indexed by language and first stem: a text only tries phrases whose first
        # word it contains.
        self._phrases: dict[str, dict[str, list[_Phrase]]] = defaultdict(lambda: defaultdict(list))
        for indicator in indicators:
            lang = indicator.lang.split("-")[0]
            if lang not in STEMMER_NAMES:
                continue
            stems = tuple(
                self._stem(word, lang)
                for word in _WORD.findall(indicator.phrase.lower())
                if word not in FILLER_WORDS[lang]
            )
            if stems:
                self._phrases[lang][stems[0]].append(_Phrase(indicator, stems))
        self._broader = ancestors or {}
        self._negations = {lang: self._stems(NEGATIONS[lang], lang) for lang in STEMMER_NAMES}
        self._hedges = {lang: self._stems(HEDGES[lang], lang) for lang in STEMMER_NAMES}
        self._openers = {lang: self._stems(CLAUSE_OPENERS[lang], lang) for lang in STEMMER_NAMES}

    @classmethod
    def for_ontology(cls, ontology: Ontology) -> Mapper:
        """Build the mapper of an ontology's indicators."""
        return cls(ontology.indicators, ontology.ancestors)

    def map(self, text: str, lang: str) -> list[Reading]:
        """Return the readings of ``text`` (in language ``lang``), in text order."""
        lang = lang.split("-")[0].lower()
        if lang not in STEMMER_NAMES:
            return []
        tokens = self._tokens(text, lang)
        hedged = any(t.stem in self._hedges[lang] for t in tokens)
        best: dict[tuple[str, str], Reading] = {}
        for position, token in enumerate(tokens):
            for phrase in self._phrases[lang].get(token.stem, ()):
                matched = _match(tokens, position, phrase.stems)
                if matched is None:
                    continue
                gaps = matched[-1] - matched[0] + 1 - len(matched)
                negated = _negated(tokens, matched, self._negations[lang])
                confidence = max(0.5, 1.0 - 0.1 * gaps) * (HEDGE_FACTOR if hedged else 1.0)
                reading = Reading(
                    concept=phrase.indicator.concept,
                    stance="denies" if negated else "affirms",
                    confidence=round(confidence, 2),
                    indicator=phrase.indicator.phrase,
                    start=tokens[matched[0]].start,
                    end=tokens[matched[-1]].end,
                )
                key = (reading.concept, reading.stance)
                if key not in best or _better(reading, best[key]):
                    best[key] = reading
        return sorted(self._most_specific(best.values()), key=lambda r: (r.start, r.concept))

    def _most_specific(self, readings: Iterable[Reading]) -> list[Reading]:
        # "how attention works" signals OperationalUnderstanding and "attention" signals its
        # subclass ComponentView: keep the narrower reading when both say the same thing.
        readings = list(readings)
        return [
            reading
            for reading in readings
            if not any(
                other.stance == reading.stance
                and reading.concept in self._broader.get(other.concept, ())
                and other.start < reading.end
                and reading.start < other.end
                for other in readings
            )
        ]

    def _stem(self, word: str, lang: str) -> str:
        return _stem(self._stemmers[lang], word)

    def _stems(self, words: Iterable[str], lang: str) -> set[str]:
        return {self._stem(word, lang) for word in words}

    def _tokens(self, text: str, lang: str) -> list[_Token]:
        breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
        openers = self._openers[lang]
        tokens, clause, next_break = [], 0, 0
        for match in _WORD.finditer(text):
            while next_break < len(breaks) and breaks[next_break] < match.start():
                clause, next_break = clause + 1, next_break + 1
            stem = self._stem(match.group(), lang)
            if stem in openers:
                clause += 1
            tokens.append(_Token(stem, match.start(), match.end(), clause))
        return tokens


@lru_cache(maxsize=200_000)
def _stem(stemmer: snowballstemmer.stemmer, word: str) -> str:
    # Snowball in pure Python costs ~0.3 ms a word; a language has far fewer distinct words
    # than a service sees, so remembering them keeps mapping cheap.
    word = word.lower().replace("ё", "е").replace("’", "'")
    return word if word == "n't" else stemmer.stemWord(word)


def _match(tokens: list[_Token], first: int, stems: tuple[str, ...]) -> list[int] | None:
    """Match ``stems`` in order from ``tokens[first]``, within one clause, gaps of MAX_GAP."""
    positions, last = [first], first
    for stem in stems[1:]:
        for position in range(last + 1, min(last + 2 + MAX_GAP, len(tokens))):
            if tokens[position].clause != tokens[first].clause:
                return None
            if tokens[position].stem == stem:
                positions.append(position)
                last = position
                break
        else:
            return None
    return positions


def _negated(tokens: list[_Token], matched: list[int], negations: set[str]) -> bool:
    clause = tokens[matched[0]].clause
    reach = range(max(0, matched[0] - NEGATION_REACH), matched[-1])
    return any(
        tokens[position].clause == clause and tokens[position].stem in negations
        for position in reach
        if position not in matched
    )


def _better(candidate: Reading, current: Reading) -> bool:
    return (candidate.confidence, candidate.end - candidate.start) > (
        current.confidence,
        current.end - current.start,
    )
