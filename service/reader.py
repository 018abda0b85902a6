"""A learned reader over the phrase mapper: which concepts a statement carries, and how.

The phrases of the ontology reach the wordings they name; people use many more. The reader
weighs every word of a statement (its stem, the stem under a negation of its clause, the
stem's pieces of ``CHARACTER_NGRAM`` letters, and each pair of neighbouring stems) and every
reading of the phrase mapper, with one multinomial logistic regression per concept over its
three outcomes (affirmed, denied, neither), trained by ``grasp train-reader`` on labelled
statements (``eval/train.jsonl`` and the dev split). A statement carries a (concept, stance)
when its probability reaches ``THRESHOLD``; the two stances of a concept share the evidence
that the concept is spoken of at all, and compete, so a statement never reads both.

It stays tied to the ontology: a phrase reading is one of its strongest features, so a
phrase added in Protégé still counts, and a concept the weights never learned (one an
extension adds) is read by its phrases alone. The weights are derived data, written beside
the ontology (``ontology/reader.json``) and retrained when the phrases or the labels change.

Every reading explains itself like a phrase reading: when a phrase gave the same (concept,
stance), that phrase, its span and its cue; otherwise the words that weighed most for it
(``indicator`` quotes them, ``start``/``end`` cover the first), with the probability as the
confidence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from grasp.mapping import NEGATION_WORDS, Mapper, Reading, Word
from grasp.ontology import Ontology

#: A (concept, stance) is read when its probability reaches this.
THRESHOLD = 0.5
#: How many words after a negation, in its clause, count as negated.
NEGATION_SCOPE = 6
#: Each stem also weighs by its pieces of this many letters, so that a word form or a
#: compound the training never saw ("трансформерный", "tokenwise") still counts by its parts.
CHARACTER_NGRAM = 4
#: How much one such piece counts, against 1 for a whole word: a word has several pieces,
#: and together they should not outweigh the word itself.
PIECE_VALUE = 0.5
#: Weights smaller than this are left out of the file: they change no reading.
SMALLEST_WEIGHT = 0.02
#: The outcome of a statement that neither affirms nor denies a concept.
NEITHER = "neither"
#: A feature must come in this many training statements to be learned.
MIN_STATEMENTS = 2


#: The weights file, beside the ontology file it was trained with.
READER_FILE = "reader.json"


def reader_path(ontology: Ontology) -> Path | None:
    """Where the weights of ``ontology`` lie: in its first folder, or beside its first file."""
    if not ontology.sources:
        return None
    first = ontology.sources[0]
    return (first if first.is_dir() else first.parent) / READER_FILE


def mapper_for(ontology: Ontology, *, learned: bool = True) -> Mapper | LearnedMapper:
    """The mapper of ``ontology``: learned when its weights lie beside it, else phrases only."""
    weights = reader_path(ontology)
    if learned and weights is not None and weights.is_file():
        return LearnedMapper.for_ontology(ontology, weights)
    return Mapper.for_ontology(ontology)


class LearnedMapper:
    """The phrase mapper and the learned weights: ``map`` as :class:`grasp.mapping.Mapper`."""

    def __init__(self, mapper: Mapper, model: dict) -> None:
        self.mapper = mapper
        self._labels = [tuple(label) for label in model["labels"]]
        self._bias = model["bias"]
        # The labels of each concept: its stances share one softmax with "neither".
        self._rivals = [[other for other, (concept, _) in enumerate(self._labels)
                         if concept == label[0]] for label in self._labels]
        self._learned = frozenset(self._labels)
        self._weights: dict[str, list[tuple[int, float]]] = {
            feature: [tuple(pair) for pair in pairs] for feature, pairs in model["weights"].items()}

    @classmethod
    def for_ontology(cls, ontology: Ontology, path: Path) -> LearnedMapper:
        """The reader of ``ontology`` with the weights in ``path``."""
        return cls(Mapper.for_ontology(ontology), json.loads(path.read_text(encoding="utf-8")))

    def map(self, text: str, lang: str) -> list[Reading]:
        """Return the readings of ``text``, each explained by a phrase or by its words."""
        phrase_readings, words = self.mapper.read(text, lang)
        if not words:  # code, or a language the mapper does not read: no claim
            return phrase_readings
        features = _features(words, lang, phrase_readings)
        scores = list(self._bias)
        for feature, (_, _, value) in features.items():
            for label, weight in self._weights.get(feature, ()):
                scores[label] += weight * value
        by_label = {(r.concept, r.stance): r for r in phrase_readings}
        # A concept (or stance) the weights never learned, say one an extension added, is
        # read by its phrases alone.
        readings = [r for r in phrase_readings if (r.concept, r.stance) not in self._learned]
        for number, (concept, stance) in enumerate(self._labels):
            probability = _softmax(scores, number, self._rivals[number])
            if probability < THRESHOLD:
                continue
            phrase_reading = by_label.get((concept, stance))
            if phrase_reading is not None:
                readings.append(phrase_reading)
            else:
                readings.append(_learned_reading(concept, stance, probability,
                                                 self._evidence(number, features), features, text))
        return sorted(readings, key=lambda r: (r.start, r.concept))

    def _evidence(self, number: int, features: dict[str, tuple[int, int, float]]
                  ) -> list[tuple[float, str]]:
        # What each feature added to the score of label ``number``: gathered only for a
        # reading that needs its words named, which keeps ``map`` fast.
        return [(weight * value, feature) for feature, (_, _, value) in features.items()
                for label, weight in self._weights.get(feature, ()) if label == number]


def _softmax(scores: Sequence[float], number: int, rivals: Sequence[int]) -> float:
    # "Neither" scores 0: each stored weight is the stance's weight minus that of "neither".
    top = max(0.0, *(scores[rival] for rival in rivals))
    total = math.exp(-top) + sum(math.exp(scores[rival] - top) for rival in rivals)
    return math.exp(scores[number] - top) / total


def _learned_reading(concept: str, stance: str, probability: float,
                     evidence: list[tuple[float, str]], features: dict[str, tuple[int, int, float]],
                     text: str) -> Reading:
    # Name the words of the text that weighed most, in their own form: several features
    # (a stem, its pieces, a pair) often come from one word, which is then named once.
    quoted: dict[str, tuple[int, int]] = {}
    for weight, feature in sorted(evidence, reverse=True):
        if weight <= 0 or len(quoted) == 3:
            break
        start, end, _ = features[feature]
        if start >= 0:
            quoted.setdefault(text[start:end], (start, end))
    start, end = next(iter(quoted.values()), (-1, -1))
    return Reading(concept, stance, round(probability, 2), f"learned: {', '.join(quoted)}",
                   start, end)


def _features(words: Sequence[Word], lang: str,
              readings: Iterable[Reading]) -> dict[str, tuple[int, int, float]]:
    # Each feature with the character span it comes from and its value.
    lang = lang.split("-")[0].lower()
    features: dict[str, tuple[int, int, float]] = {}
    negated_at = None
    for position, (word, stem, clause, start, end) in enumerate(words):
        if word in NEGATION_WORDS[lang]:
            negated_at = (clause, position)
            continue
        negated = (negated_at is not None and negated_at[0] == clause
                   and position - negated_at[1] <= NEGATION_SCOPE)
        features.setdefault(f"{lang}:{'not ' if negated else ''}{stem}", (start, end, 1.0))
        marked = f"<{stem}>"
        for first in range(len(marked) - CHARACTER_NGRAM + 1):
            features.setdefault(f"{lang}:#{marked[first:first + CHARACTER_NGRAM]}",
                                (start, end, PIECE_VALUE))
        if position + 1 < len(words):
            following = words[position + 1]
            features.setdefault(f"{lang}:{stem} {following.stem}", (start, following.end, 1.0))
    for reading in readings:
        span = (reading.start, reading.end, 1.0)
        features.setdefault(f"phrase:{reading.concept} {reading.stance}", span)
        features.setdefault(f"phrase:{reading.concept}", span)
    return features


def train(ontology: Ontology, statements: Sequence) -> dict:
    """Fit one multinomial logistic regression per concept on labelled ``statements``.

    Needs scikit-learn (``pip install grasp[train]``); reading does not.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    mapper = Mapper.for_ontology(ontology)
    rows = []
    for statement in statements:
        readings, words = mapper.read(statement.text, statement.lang)
        features = _features(words, statement.lang, readings)
        rows.append({feature: value for feature, (_, _, value) in features.items()})
    counts: dict[str, int] = {}
    for row in rows:
        for feature in row:
            counts[feature] = counts.get(feature, 0) + 1
    rows = [{f: value for f, value in row.items() if counts[f] >= MIN_STATEMENTS} for row in rows]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    names = vectorizer.get_feature_names_out()
    labels, bias, weights = [], [], {}
    for concept in sorted({concept for s in statements for concept, _ in s.expected}):
        outcomes = [next((stance for c, stance in sorted(s.expected) if c == concept), NEITHER)
                    for s in statements]
        model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")
        model.fit(matrix, outcomes)
        classes = list(model.classes_)
        for stance in sorted(set(classes) - {NEITHER}):
            number = len(labels)
            labels.append([concept, str(stance)])
            stance_bias, stance_weights = _against_neither(model, classes, stance)
            bias.append(round(stance_bias, 4))
            for feature, weight in zip(names, stance_weights):
                if abs(weight) >= SMALLEST_WEIGHT:
                    weights.setdefault(str(feature), []).append([number, round(float(weight), 3)])
    return {"labels": labels, "bias": bias, "weights": weights}


def _against_neither(model, classes: list[str], stance: str) -> tuple[float, list[float]]:
    # The weights of ``stance`` minus those of "neither", so that "neither" scores 0.
    if len(classes) == 2:  # one stance only: scikit-learn keeps one row, for classes[1]
        sign = 1 if classes[1] == stance else -1
        return sign * float(model.intercept_[0]), [sign * float(w) for w in model.coef_[0]]
    row, neither = classes.index(stance), classes.index(NEITHER)
    return (float(model.intercept_[row] - model.intercept_[neither]),
            [float(w) for w in model.coef_[row] - model.coef_[neither]])
