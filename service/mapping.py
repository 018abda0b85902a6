"""Map free text to concepts: which concepts a statement affirms or denies, and why.

The mapper knows no concept by itself: it is compiled from the ontology's phrases.
``grasp:indicator`` phrases signal that a text affirms a concept ("the model thinks");
``grasp:denialIndicator`` phrases signal that it denies one ("the model really reasons"
denies that reasoning is simulated). An engineer who adds a phrase in Protégé changes the
mapping; nothing about a concept is written here.

How a text is read, top to bottom:

1. Code is not a claim: a text that looks like source code maps to nothing.
2. The text is cut into sentences and clauses (punctuation, dashes, and words such as
   "but", "а", "но" that open a new clause) and into words, each compared by its Snowball
   stem, so case and inflection do not matter ("локального приоритета" matches
   "локальный приоритет", "thinks" matches "think"). A Russian word is first brought to its
   dictionary form by pymorphy3, so that forms a suffix stripper cannot join ("слоёв" and
   "слой", "ей" and "она") compare equal.
3. A phrase matches when its words come in order within one clause, with at most
   ``MAX_GAP`` other words between two of them. Small words ("the", "of", "в") are left out
   of phrases, so a text may have them or others in their place.
4. A phrase of a single common word ("attention", "layers", "помощник") counts only when
   the statement is about language models at all: it names one (``TOPIC_WORDS``) or
   another phrase matched. "I paid attention to the lecture" maps to nothing.
5. The stance: a negation shortly before the phrase in the same clause ("does not",
   "не", "no one", "rather than") turns the reading over, and so does a dismissal anywhere
   in the sentence ("... is outdated", "... — это эзотерика"), a negative pronoun that is
   itself a word of the phrase ("nobody in there" read as "somebody in there"), an
   admission of ignorance ("layers? no idea", "как её учат — хз"), and quotation marks
   around the whole phrase (people who say 'it just predicts the next token': a view
   mentioned, not asserted; a quoted question is left alone). A hedge ("maybe",
   "кажется") or a question keeps the stance but lowers the confidence.
6. Readings that overlap keep the tighter match, and a concept read together with one of
   its subclasses on the same words keeps the subclass (the ontology supplies the rest).

Every reading carries its phrase, its character span, its confidence and the cue that set
its stance, so a user sees why.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import pymorphy3
import snowballstemmer

from grasp.ontology import Indicator, Ontology

#: Words that may stand between the words of an indicator phrase.
MAX_GAP = 3
#: How many words before a match a negation may stand and still apply to it.
NEGATION_REACH = 8
#: In Russian a negation may also follow the phrase: "статьи я не читаю".
POST_NEGATION_REACH = 2
POST_NEGATIONS = {"ru": {"не"}}
# ... and only when it negates a verb ("не читаю", "не являются"), not "не так, как".
_RU_VERB = re.compile(r"(ю|ет|ит|ут|ют|ат|ят|ем|им|ешь|ишь|ете|ите|ся|сь|л|ла|ли|ло|ть)$")

#: Confidence of a contiguous match; each word of gap costs GAP_COST, down to MIN_CONFIDENCE.
BASE_CONFIDENCE = 0.9
GAP_COST = 0.1
MIN_CONFIDENCE = 0.5
#: A one-word phrase is weaker evidence than a phrase of several words.
SINGLE_WORD_FACTOR = 0.9
HEDGE_FACTOR = 0.8
QUESTION_FACTOR = 0.85
DISMISSAL_FACTOR = 0.85

STEMMER_NAMES = {"en": "english", "ru": "russian"}
#: Languages whose words may come in either order: a two-word phrase matches reversed too.
FREE_WORD_ORDER = {"ru"}
#: Letters of a Russian stem that are compared (see ``_stem``).
RU_STEM_LENGTH = 6

DENIAL_INDICATOR = "https://w3id.org/grasp/ontology#denialIndicator"

# Words that carry no meaning of their own in an indicator phrase: they are dropped from
# phrases, and a text may have them or other words in their place.
FILLER_WORDS = {
    "en": {"the", "a", "an", "of", "to", "in", "on", "its", "their", "from", "and", "with",
           "by", "for", "at", "as"},
    "ru": {"и", "в", "во", "на", "с", "со", "к", "о", "об", "по", "за", "из", "от", "до", "у",
           },
}
# Words and word sequences that deny what follows them in the same clause.
NEGATIONS = {
    "en": ["not", "n't", "cannot", "no", "never", "dont", "doesnt", "isnt", "arent", "cant",
           "wont", "didnt", "wasnt", "aint", "neither", "nor", "none", "nothing", "nobody",
           "zero", "hardly", "rather than", "instead of", "as opposed to", "more than",
           "far from", "less interested"],
    "ru": ["не", "нет", "ни", "никогда", "никак", "ничего", "никто", "никого", "некому",
           "никакой", "никакого", "никакая", "никакие", "никаким", "никакую", "никаких",
           "вместо", "больше чем", "отнюдь"],
}
#: The single words of the negations, for readers that weigh words one by one.
NEGATION_WORDS = {lang: frozenset(word for cue in cues for word in cue.split())
                  for lang, cues in NEGATIONS.items()}
# Words that dismiss whatever the sentence quotes or names ("... is outdated").
DISMISSALS = {
    "en": ["outdated", "mysticism", "nonsense", "myth", "noise", "contradiction in terms",
           "oxymoron", "irrelevant", "don't care", "doesn't matter", "overrated", "bullshit",
           "buzzword", "misconception", "poetry", "marketing", "cope", "hair-splitting",
           "waste of time", "misses the point", "adds nothing", "add nothing", "explains nothing",
           "tells you nothing", "says nothing", "pseudoscience", "wishful thinking", "meaningless",
           "pointless",
           "fairy tale", "fairy tales", "misleading", "hides what", "empty words"],
    "ru": ["устарел", "устарела", "эзотерика", "мистика", "чушь", "бред", "шум", "миф", "оксюморон",
           "неинтересно", "не интересно", "мне все равно", "ерунда", "сказки", "поэзия",
           "маркетинг", "самоуспокоение", "буквоедство", "пустая трата времени",
           "упускать главное", "упускает главное", "ничего не добавляют", "ничего не добавляет",
           "ничего не объясняет", "ничего не говорит", "не отвечает на вопрос",
           "лженаука", "пустые слова", "бессмысленный", "бессмысленно", "вводит в заблуждение", "скрывает", "неважно",
           "какой еще", "какое еще", "какие еще"],
}
# Words that say the author does not know what the sentence names ("layers? no idea"). They
# deny a phrase in an earlier clause of their sentence, any phrase after them, and a question
# they answer ("how is it trained? no idea"); not a phrase just before them in their own
# clause ("tokens with no idea what they mean" says nothing of the author).
IGNORANCE = {
    "en": ["no idea", "no clue", "not a clue", "zero idea", "dunno", "idk", "no freaking idea",
           "black box"],
    "ru": ["понятия не имею", "не имею понятия", "не представляю", "без понятия",
           "малейшего понятия", "хз", "не в курсе", "черный ящик"],
}
# Negative pronouns: a negation and a pronoun in one word. They match a phrase as the
# pronoun ("nobody in there" as "somebody in there") and deny it.
NEGATIVE_PRONOUNS = {
    "en": {"nobody": "somebody", "nothing": "something", "noone": "someone"},
    "ru": {"никто": "кто", "никого": "кто", "никому": "кто", "некому": "кто"},
}
# Words that open a new clause: a negation before them does not reach past them.
CLAUSE_OPENERS = {
    "en": {"but", "however", "although", "though", "whereas", "yet", "instead", "while"},
    "ru": {"а", "но", "однако", "зато", "хотя", "тогда", "же", "пока"},
}
# Words that introduce a quoted question rather than a quoted view.
QUESTION_WORDS = {
    "en": {"question", "ask", "asking", "wonder"},
    "ru": {"вопрос", "спрашивать", "задаваться"},
}
HEDGES = {
    "en": {"maybe", "perhaps", "probably", "possibly", "might", "seems", "guess", "suspect",
           "somewhat", "imo", "arguably"},
    "ru": {"может", "наверное", "возможно", "кажется", "вероятно", "пожалуй", "видимо",
           "подозреваю", "моему"},
}
# Words that show a statement is about language models, so that a one-word phrase
# ("layers", "помощник") in it is not about cakes or secretaries.
TOPIC_WORDS = {
    "en": {"llm", "llms", "model", "models", "gpt", "chatgpt", "claude", "gemini", "copilot",
           "ai", "neural", "network", "networks", "transformer", "transformers", "token",
           "tokens", "chatbot", "bot", "lamda", "bing", "sydney", "o1", "it", "they", "weights",
           "prompt", "parameters", "machine", "system", "systems"},
    "ru": {"llm", "ллм", "модель", "нейросеть", "нейронка", "сеть", "gpt", "chatgpt", "чатгпт",
           "гпт", "ии", "трансформер", "токен", "claude", "бот", "чатбот", "алиса", "lamda",
           "он", "она", "оно", "они", "промпт", "параметр", "машина", "система"},
}

# A word, with English "n't" split off as a word of its own ("don't" → "do", "n't").
_WORD = re.compile(r"[^\W_]+?(?=n['’]t\b)|n['’]t\b|[^\W_]+", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?\n]+")
_CLAUSE_BREAK = re.compile(r"[.;:!?()\n,]|\s[—–-]\s|\s[—–]|[—–]\s")
# "ontology schmontology", "онтология-шмонтология": a word mocked by its echo.
_SHM_ECHO = re.compile(r"^(schm|shm|шм)")
# Text in quotation marks: «...», “...”, „...“, "..." and '...' (not an apostrophe).
_QUOTATION = re.compile(r"«[^»]*»|“[^”]*”|„[^“”]*[“”]|\"[^\"]*\"|(?<!\w)'[^']*'(?!\w)")
_CODE = re.compile(r"[=@{}\[\]]|\bdef\b|\breturn\b|\bimport\b|\w\(|#\s")


@dataclass(frozen=True)
class Reading:
    """One concept a text affirms or denies, with the evidence.

    ``indicator`` is the phrase that matched and ``start``/``end`` the characters it covers;
    ``cue`` is the negation or dismissal that set the stance, if any; ``hedged`` says the
    statement was hedged or asked, which lowered ``confidence``.
    """

    concept: str
    stance: str  # "affirms" | "denies"
    confidence: float
    indicator: str
    start: int
    end: int
    cue: str | None = None
    hedged: bool = False


class Word(NamedTuple):
    """A word of a text as the phrases see it."""

    word: str  # lower case, "ё" as "е"
    stem: str
    clause: int
    start: int
    end: int


@dataclass(frozen=True)
class _Token:
    word: str  # lower case, "ё" as "е": what negations and dismissals are compared with
    stem: str
    start: int
    end: int
    clause: int
    sentence: int


@dataclass(frozen=True)
class _Phrase:
    indicator: Indicator
    stems: tuple[str, ...]
    denial: bool  # a grasp:denialIndicator: a plain match denies the concept
    common: bool  # one everyday word ("layers"): it needs a statement about LLMs
    reordered: bool = False  # a two-word phrase matched in the reverse order


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


def looks_like_code(text: str) -> bool:
    """Tell source code from prose: code states no view of anything.

    >>> looks_like_code("def attention(q, k, v): return softmax(q @ k.T) @ v")
    True
    >>> looks_like_code("Attention (the mechanism) weighs tokens.")
    False
    """
    return len(_CODE.findall(text)) >= 3


class Mapper:
    """Map statements to readings with the phrases of one ontology.

    >>> from grasp.ontology import Indicator
    >>> mapper = Mapper([Indicator("urn:x:Think", "the model thinks", "en")])
    >>> [(r.stance, r.indicator) for r in mapper.map("The model really thinks.", "en")]
    [('affirms', 'the model thinks')]
    >>> [(r.stance, r.cue) for r in mapper.map("I never said the model thinks", "en")]
    [('denies', 'never')]
    """

    def __init__(self, indicators: Iterable[Indicator],
                 ancestors: Mapping[str, frozenset[str]] | None = None, *,
                 denial_indicators: Iterable[Indicator] = ()) -> None:
        self._stemmers = {lang: snowballstemmer.stemmer(name) for lang, name in STEMMER_NAMES.items()}
        # Phrases indexed by language and first stem: a text only tries phrases whose first
        # word it contains.
        self._phrases: dict[str, dict[str, list[_Phrase]]] = defaultdict(lambda: defaultdict(list))
        for denial, group in ((False, indicators), (True, denial_indicators)):
            for indicator in group:
                self.add_phrase(indicator, denial=denial)
        self._broader = ancestors or {}
        self._negations = {lang: _sequences(NEGATIONS[lang]) for lang in STEMMER_NAMES}
        self._dismissals = {lang: _sequences(DISMISSALS[lang]) for lang in STEMMER_NAMES}
        self._ignorance = {lang: _sequences(IGNORANCE[lang]) for lang in STEMMER_NAMES}
        self._hedges = {lang: self._stems(HEDGES[lang], lang) for lang in STEMMER_NAMES}
        self._openers = {lang: self._stems(CLAUSE_OPENERS[lang], lang) for lang in STEMMER_NAMES}
        self._topic = {lang: self._stems(TOPIC_WORDS[lang], lang) for lang in STEMMER_NAMES}
        self._question_words = {lang: self._stems(QUESTION_WORDS[lang], lang) for lang in STEMMER_NAMES}

    @classmethod
    def for_ontology(cls, ontology: Ontology) -> Mapper:
        """Build the mapper of an ontology's indicator and denial-indicator phrases."""
        return cls(ontology.indicators, ontology.ancestors,
                   denial_indicators=denial_indicators(ontology))

    def add_phrase(self, indicator: Indicator, *, denial: bool = False) -> None:
        """Recognise one more phrase (a ``grasp:denialIndicator`` one with ``denial``)."""
        lang = indicator.lang.split("-")[0]
        if lang not in STEMMER_NAMES:
            return
        stems = self._phrase_stems(indicator.phrase, lang)
        if not stems:
            return
        common = _is_common_word(indicator.phrase)
        self._phrases[lang][stems[0]].append(_Phrase(indicator, stems, denial, common))
        if lang in FREE_WORD_ORDER and len(stems) == 2:
            # "модель думает" also matches "думает ли модель".
            self._phrases[lang][stems[1]].append(
                _Phrase(indicator, stems[::-1], denial, common, reordered=True))

    def remove_phrase(self, indicator: Indicator, *, denial: bool = False) -> None:
        """Stop recognising a phrase added with ``add_phrase`` (or from the ontology)."""
        for phrases in self._phrases[indicator.lang.split("-")[0]].values():
            phrases[:] = [p for p in phrases if (p.indicator, p.denial) != (indicator, denial)]

    def phrases(self) -> list[tuple[Indicator, bool]]:
        """Every phrase recognised, with whether it is a denial phrase."""
        return list(dict.fromkeys((p.indicator, p.denial) for by_stem in self._phrases.values()
                                  for phrases in by_stem.values() for p in phrases))

    def words(self, text: str, lang: str) -> list[Word]:
        """The words of ``text`` as the phrases see them, with their clause and span."""
        return _words(self._tokens(text, lang.split("-")[0].lower()))

    def phrase_stems(self, phrase: str, lang: str) -> tuple[str, ...]:
        """The stems a phrase is matched by (small words left out)."""
        return self._phrase_stems(phrase, lang.split("-")[0])

    def map(self, text: str, lang: str) -> list[Reading]:
        """Return the readings of ``text`` (in language ``lang``), in text order."""
        return self._read(text, lang)[0]

    def read(self, text: str, lang: str) -> tuple[list[Reading], list[Word]]:
        """The readings of ``text`` and the words they were read from, in one pass.

        A text the mapper does not read (code, a language it has no stemmer for) has neither.
        """
        readings, tokens = self._read(text, lang)
        return readings, _words(tokens)

    def _read(self, text: str, lang: str) -> tuple[list[Reading], list[_Token]]:
        lang = lang.split("-")[0].lower()
        if lang not in STEMMER_NAMES or looks_like_code(text):
            return [], []
        tokens = self._tokens(text, lang)
        words = [t.word for t in tokens]
        negations = _find(words, self._negations[lang])
        dismissals = _find(words, self._dismissals[lang])
        dismissals += [(i, i) for i, word in enumerate(words) if _SHM_ECHO.match(word)]
        ignorance = _find(words, self._ignorance[lang])
        hedged_sentences = {t.sentence for t in tokens if t.stem in self._hedges[lang]}
        questions = _question_sentences(text, tokens)
        quotations = [m.span() for m in _QUOTATION.finditer(text)]

        matches = []
        for position, token in enumerate(tokens):
            for phrase in self._phrases[lang].get(token.stem, ()):
                matched = _match(tokens, position, phrase.stems)
                if matched is not None:
                    matches.append((phrase, matched))
        if not self._on_topic(tokens, matches, lang):
            matches = [(p, m) for p, m in matches if not p.common]

        best: dict[tuple[str, str], Reading] = {}
        for phrase, matched in matches:
            reading = self._reading(text, lang, tokens, phrase, matched, negations, dismissals,
                                    ignorance, hedged_sentences, questions, quotations)
            key = (reading.concept, reading.stance)
            if key not in best or _better(reading, best[key]):
                best[key] = reading
        readings = _one_stance(best.values())
        readings = self._most_specific(self._phrase_over_word(self._tightest(readings)))
        return sorted(readings, key=lambda r: (r.start, r.concept)), tokens

    def _reading(self, text: str, lang: str, tokens: list[_Token], phrase: _Phrase, matched: list[int],
                 negations: list[tuple[int, int]], dismissals: list[tuple[int, int]],
                 ignorance: list[tuple[int, int]], hedged_sentences: set[int], questions: set[int],
                 quotations: list[tuple[int, int]]) -> Reading:
        first, last = tokens[matched[0]], tokens[matched[-1]]
        # Small words between the phrase's words ("priority in the collapse") are no gap.
        gaps = sum(1 for position in range(matched[0], matched[-1] + 1)
                   if position not in matched and tokens[position].word not in FILLER_WORDS[lang])
        confidence = max(MIN_CONFIDENCE, BASE_CONFIDENCE - GAP_COST * gaps)
        if len(phrase.stems) == 1:
            confidence *= SINGLE_WORD_FACTOR
        if phrase.reordered:
            confidence -= GAP_COST
        cue = (_negative_pronoun(tokens, matched, lang) or _negation_before(tokens, matched, negations)
               or _negation_after(tokens, matched, lang))
        dismissal = None if cue else (
            _dismissal_in_sentence(tokens, matched, dismissals)
            or _ignorance_of(tokens, matched, ignorance, questions))
        if dismissal:
            cue, confidence = dismissal, confidence * DISMISSAL_FACTOR
        quotation = None if cue else _quotation_around(tokens, matched, quotations,
                                                       self._question_words[lang])
        if quotation:
            cue, confidence = quotation, confidence * DISMISSAL_FACTOR
        hedged = first.sentence in hedged_sentences or first.sentence in questions
        if first.sentence in hedged_sentences:
            confidence *= HEDGE_FACTOR
        if first.sentence in questions:
            confidence *= QUESTION_FACTOR
        denies = phrase.denial != (cue is not None)
        return Reading(
            concept=phrase.indicator.concept,
            stance="denies" if denies else "affirms",
            confidence=round(confidence, 2),
            indicator=phrase.indicator.phrase,
            start=first.start,
            end=last.end,
            cue=(text[cue[0]:cue[1]] if quotation else _span_text(text, tokens, cue)) if cue else None,
            hedged=hedged,
        )

    def _on_topic(self, tokens: list[_Token], matches: list, lang: str) -> bool:
        # A statement is about language models when it names one, when a phrase of several
        # words matched, or when two different one-word phrases did ("attention, layers").
        if any(t.stem in self._topic[lang] for t in tokens):
            return True
        if any(not phrase.common for phrase, _ in matches):
            return True
        return len({phrase.stems for phrase, _ in matches}) > 1

    def _tightest(self, readings: list[Reading]) -> list[Reading]:
        # Two unrelated concepts read from overlapping words: the tighter, surer match wins
        # ("illusion of thinking" over a loose "... thinking"); equally sure readings are
        # both kept. A concept and its subclass are left to _most_specific.
        return [
            reading
            for reading in readings
            if not any(
                other.concept != reading.concept and _overlap(reading, other)
                and other.confidence > reading.confidence
                and not self._related(reading.concept, other.concept)
                for other in readings
            )
        ]

    def _related(self, one: str, other: str) -> bool:
        return one in self._broader.get(other, ()) or other in self._broader.get(one, ())

    def _phrase_over_word(self, readings: list[Reading]) -> list[Reading]:
        # "nudges each weight ... through every layer": a phrase of several words for
        # OperationalUnderstanding outweighs the one word "layer" for its subclass
        # ComponentView; a one-word reading yields to a longer one up or down its hierarchy.
        return [
            reading
            for reading in readings
            if not (_one_word(reading) and any(
                not _one_word(other) and other.stance == reading.stance
                and self._related(reading.concept, other.concept)
                for other in readings))
        ]

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
                and _overlap(reading, other)
                for other in readings
            )
        ]

    def _phrase_stems(self, phrase: str, lang: str) -> tuple[str, ...]:
        words = _WORD.findall(phrase.lower())
        kept = [w for w in words if w not in FILLER_WORDS[lang]] or words
        return tuple(self._stem(word, lang) for word in kept)

    def _stem(self, word: str, lang: str) -> str:
        return _stem(self._stemmers[lang], word)

    def _stems(self, words: Iterable[str], lang: str) -> set[str]:
        return {self._stem(word, lang) for word in words}

    def _tokens(self, text: str, lang: str) -> list[_Token]:
        clause_breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
        sentence_breaks = [m.start() for m in _SENTENCE_BREAK.finditer(text)]
        openers = self._openers[lang]
        tokens, clause, sentence, next_clause, next_sentence = [], 0, 0, 0, 0
        for match in _WORD.finditer(text):
            while next_clause < len(clause_breaks) and clause_breaks[next_clause] < match.start():
                clause, next_clause = clause + 1, next_clause + 1
            while (next_sentence < len(sentence_breaks)
                   and sentence_breaks[next_sentence] < match.start()):
                sentence, next_sentence = sentence + 1, next_sentence + 1
            word = _normal(match.group())
            stem = self._stem(NEGATIVE_PRONOUNS[lang].get(word, word), lang)
            if stem in openers:
                clause += 1
            tokens.append(_Token(word, stem, match.start(), match.end(), clause, sentence))
        return tokens


def denial_indicators(ontology: Ontology) -> tuple[Indicator, ...]:
    """Return the ontology's ``grasp:denialIndicator`` phrases."""
    return tuple(
        Indicator(t.subject.value, t.object.value, t.object.language.lower())
        for t in ontology.triples
        if t.predicate.value == DENIAL_INDICATOR and getattr(t.object, "language", None)
    )


def _words(tokens: Iterable[_Token]) -> list[Word]:
    return [Word(t.word, t.stem, t.clause, t.start, t.end) for t in tokens]


def _normal(word: str) -> str:
    return word.lower().replace("ё", "е").replace("’", "'")


def _sequences(phrases: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    # Indexed by first word, so that a text only tries the cues that start with one of its words.
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for phrase in phrases:
        words = tuple(_normal(w) for w in _WORD.findall(phrase))
        if words:
            by_first[words[0]].append(words)
    return dict(by_first)


def _is_common_word(phrase: str) -> bool:
    # One word in lower case ("layers", "помощник", "fine-tuning") may well be about cakes;
    # an acronym or a name ("RLHF", "arXiv", "Siri", "т9") hardly is.
    return len(phrase.split()) == 1 and phrase.islower() and not any(c.isdigit() for c in phrase)


@lru_cache(maxsize=200_000)
def _stem(stemmer: snowballstemmer.stemmer, word: str) -> str:
    # Snowball in pure Python costs ~0.3 ms a word; a language has far fewer distinct words
    # than a service sees, so remembering them keeps mapping cheap.
    word = _normal(word)
    if word == "n't":
        return word
    if not any("\u0400" <= ch <= "\u04ff" for ch in word):
        return stemmer.stemWord(word)
    # Russian inflection defeats a suffix stripper ("слоёв" is not "слой", "людей" is not
    # "человек", "думает" and "думать" stem apart): stem the dictionary form instead.
    lemma = _lemma(word)
    stem = stemmer.stemWord(lemma)
    # Russian Snowball sometimes cuts too deep ("токен" → "ток", but "токена" → "токен") and
    # gives related words different stems ("вероятность", "вероятностный"): keep at least the
    # word less its ending vowels, and compare no more than RU_STEM_LENGTH letters.
    if len(stem) < 4 <= len(lemma) - 1:
        stem = lemma.rstrip("аеиоуыэюяйь")
    return stem[:RU_STEM_LENGTH]


def _lemma(word: str) -> str:
    """Return the dictionary form of a Russian word: its likeliest parse by pymorphy3.

    A word the dictionary does not know ("автокомплит", "ллм") is kept as it is: pymorphy3
    would guess its form from its ending, and Snowball does that more consistently.
    """
    morphology = _morphology()
    if not morphology.word_is_known(word):
        return word
    return morphology.parse(word)[0].normal_form.replace("ё", "е")


@lru_cache(maxsize=1)
def _morphology() -> pymorphy3.MorphAnalyzer:
    # Loading the dictionaries takes ~0.2 s: do it once, and only when Russian is read.
    return pymorphy3.MorphAnalyzer()


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


def _find(words: list[str], sequences: Mapping[str, list[tuple[str, ...]]]) -> list[tuple[int, int]]:
    """Return the (first, last) token positions where any of ``sequences`` occurs.

    >>> _find(["i", "do", "not", "know"], _sequences(["not", "do not", "no idea"]))
    [(1, 2), (2, 2)]
    """
    found = []
    for position, word in enumerate(words):
        for sequence in sequences.get(word, ()):
            if tuple(words[position:position + len(sequence)]) == sequence:
                found.append((position, position + len(sequence) - 1))
    return found


def _negation_before(tokens: list[_Token], matched: list[int],
                     negations: list[tuple[int, int]]) -> tuple[int, int] | None:
    # A negation counts when it ends inside the reach before the match (or in its gaps), in
    # the same clause, and is not itself part of the phrase ("AGI without structure").
    clause = tokens[matched[0]].clause
    inside = set(matched)
    for first, last in reversed(negations):
        if not matched[0] - NEGATION_REACH <= last < matched[-1]:
            continue
        if tokens[last].clause == clause and not inside & set(range(first, last + 1)):
            return first, last
    return None


def _negation_after(tokens: list[_Token], matched: list[int], lang: str) -> tuple[int, int] | None:
    clause = tokens[matched[-1]].clause
    for position in range(matched[-1] + 1, min(matched[-1] + 1 + POST_NEGATION_REACH, len(tokens))):
        if tokens[position].clause != clause:
            break
        following = tokens[position + 1].word if position + 1 < len(tokens) else ""
        if tokens[position].word in POST_NEGATIONS.get(lang, ()) and _RU_VERB.search(following):
            return position, position
    return None


def _negative_pronoun(tokens: list[_Token], matched: list[int], lang: str) -> tuple[int, int] | None:
    # "nobody in there" matched the phrase "somebody in there": the word itself denies it.
    for position in matched:
        if tokens[position].word in NEGATIVE_PRONOUNS[lang]:
            return position, position
    return None


def _ignorance_of(tokens: list[_Token], matched: list[int], cues: list[tuple[int, int]],
                  questions: set[int]) -> tuple[int, int] | None:
    sentence, clause = tokens[matched[0]].sentence, tokens[matched[-1]].clause
    inside = set(matched)
    for first, last in cues:
        if inside & set(range(first, last + 1)):
            continue
        cue = tokens[first]
        if cue.sentence == sentence and not (first > matched[-1] and cue.clause == clause):
            return first, last
        if cue.sentence == sentence + 1 and sentence in questions:
            return first, last
    return None


def _dismissal_in_sentence(tokens: list[_Token], matched: list[int],
                           dismissals: list[tuple[int, int]]) -> tuple[int, int] | None:
    sentence = tokens[matched[0]].sentence
    inside = set(matched)
    for first, last in dismissals:
        if tokens[first].sentence == sentence and not inside & set(range(first, last + 1)):
            return first, last
    return None


def _quotation_around(tokens: list[_Token], matched: list[int], quotations: list[tuple[int, int]],
                      question_words: set[str]) -> tuple[int, int] | None:
    # A phrase wholly inside quotation marks is mentioned, not asserted: 'it just predicts the
    # next token' in scare quotes is someone else's view. A quoted question is not a view
    # ("the question is not «how attention works» but «why»").
    start, end = tokens[matched[0]].start, tokens[matched[-1]].end
    for a, b in quotations:
        if a < start and end < b:
            sentence = tokens[matched[0]].sentence
            before = {t.stem for t in tokens if t.end <= a and t.sentence == sentence}
            return None if question_words & before else (a, b)
    return None


def _question_sentences(text: str, tokens: list[_Token]) -> set[int]:
    # A sentence is a question when the first sentence break after its last word is "?".
    last_end: dict[int, int] = {}
    for token in tokens:
        last_end[token.sentence] = token.end
    questions = set()
    for sentence, end in last_end.items():
        rest = text[end:]
        mark = _SENTENCE_BREAK.search(rest)
        if mark and "?" in mark.group():
            questions.add(sentence)
    return questions


def _span_text(text: str, tokens: list[_Token], span: tuple[int, int]) -> str:
    return text[tokens[span[0]].start:tokens[span[1]].end]


def _overlap(a: Reading, b: Reading) -> bool:
    return a.start < b.end and b.start < a.end


def _one_word(reading: Reading) -> bool:
    return len(reading.indicator.split()) == 1


def _one_stance(readings: Iterable[Reading]) -> list[Reading]:
    # A statement that both affirms and denies one concept ("despite talk of a post-symbolic
    # turn, they remain symbol manipulators") is read by its surer reading; when both are
    # as sure, by the denial, which claims less.
    readings = list(readings)
    kept = []
    for reading in readings:
        rival = next((r for r in readings
                      if r.concept == reading.concept and r.stance != reading.stance), None)
        if rival is None or reading.confidence > rival.confidence or (
                reading.confidence == rival.confidence and reading.stance == "denies"):
            kept.append(reading)
    return kept


def _better(candidate: Reading, current: Reading) -> bool:
    return (candidate.confidence, candidate.end - candidate.start) > (
        current.confidence,
        current.end - current.start,
    )
