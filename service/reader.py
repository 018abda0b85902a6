"""A learned reader over the phrase mapper: which concepts a statement carries, and how.

The phrases of the ontology reach the wordings they name; people use many more. The reader
weighs every word of a statement (its stem, the stem under a negation of its clause, and
each pair of neighbouring stems) and every reading of the phrase mapper, with one logistic
regression per (concept, stance), trained by ``grasp train-reader`` on labelled statements
(``eval/train.jsonl`` and the dev split). A statement carries a (concept, stance) when its
probability reaches ``THRESHOLD``.

It stays tied to the ontology: a phrase reading is one of its strongest features, so a
phrase added in Protégé still counts, and a concept the weights never learned (one an
extension adds) is read by its phrases alone. The weights are derived data, written beside
the ontology (``ontology/reader.json``) and retrained when the phrases or the labels change.

Every reading explains itself like a phrase reading: when a phrase gave the same (concept,
stance), that phrase, its span and its cue; otherwise the words that weighed most for it
(``indicator`` lists them, ``start``/``end`` cover the first), with the probability as the
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
#: Weights smaller than this are left out of the file: they change no reading.
SMALLEST_WEIGHT = 0.02
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
        evidence: list[list[tuple[float, str]]] = [[] for _ in self._labels]
        for feature in features:
            for label, weight in self._weights.get(feature, ()):
                scores[label] += weight
                evidence[label].append((weight, feature))
        by_label = {(r.concept, r.stance): r for r in phrase_readings}
        # A concept (or stance) the weights never learned, say one an extension added, is
        # read by its phrases alone.
        learned = set(self._labels)
        readings = [r for r in phrase_readings if (r.concept, r.stance) not in learned]
        for number, (concept, stance) in enumerate(self._labels):
            probability = 1 / (1 + math.exp(-scores[number]))
            if probability < THRESHOLD:
                continue
            phrase_reading = by_label.get((concept, stance))
            if phrase_reading is not None:
                readings.append(phrase_reading)
            else:
                readings.append(_learned_reading(concept, stance, probability, evidence[number],
                                                 features))
        return sorted(readings, key=lambda r: (r.start, r.concept))


def _learned_reading(concept: str, stance: str, probability: float,
                     evidence: list[tuple[float, str]], features: dict[str, tuple[int, int]]) -> Reading:
    strongest = [feature for weight, feature in sorted(evidence, reverse=True)[:3] if weight > 0]
    spans = [features[f] for f in strongest if features[f][0] >= 0]
    start, end = spans[0] if spans else (-1, -1)
    words = ", ".join(f.split(":", 2)[-1] for f in strongest)
    return Reading(concept, stance, round(probability, 2), f"learned: {words}", start, end)


def _features(words: Sequence[Word], lang: str,
              readings: Iterable[Reading]) -> dict[str, tuple[int, int]]:
    # Each feature with the character span it comes from.
    lang = lang.split("-")[0].lower()
    features: dict[str, tuple[int, int]] = {}
    negated_at = None
    for position, (word, stem, clause, start, end) in enumerate(words):
        if word in NEGATION_WORDS[lang]:
            negated_at = (clause, position)
            continue
        negated = (negated_at is not None and negated_at[0] == clause
                   and position - negated_at[1] <= NEGATION_SCOPE)
        features.setdefault(f"{lang}:{'not ' if negated else ''}{stem}", (start, end))
        if position + 1 < len(words):
            following = words[position + 1]
            features.setdefault(f"{lang}:{stem} {following.stem}", (start, following.end))
    for reading in readings:
        features.setdefault(f"phrase:{reading.concept} {reading.stance}", (reading.start, reading.end))
        features.setdefault(f"phrase:{reading.concept}", (reading.start, reading.end))
    return features


def train(ontology: Ontology, statements: Sequence) -> dict:
    """Fit one logistic regression per (concept, stance) on labelled ``statements``.

    Needs scikit-learn (``pip install grasp[train]``); reading does not.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    mapper = Mapper.for_ontology(ontology)
    rows = []
    for statement in statements:
        readings, words = mapper.read(statement.text, statement.lang)
        rows.append(dict.fromkeys(_features(words, statement.lang, readings), 1))
    counts: dict[str, int] = {}
    for row in rows:
        for feature in row:
            counts[feature] = counts.get(feature, 0) + 1
    rows = [{f: 1 for f in row if counts[f] >= MIN_STATEMENTS} for row in rows]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    names = vectorizer.get_feature_names_out()
    labels = sorted({pair for s in statements for pair in s.expected})
    bias, weights = [], {}
    for number, label in enumerate(labels):
        wanted = [label in s.expected for s in statements]
        model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")
        model.fit(matrix, wanted)
        bias.append(round(float(model.intercept_[0]), 4))
        for feature, weight in zip(names, model.coef_[0]):
            if abs(weight) >= SMALLEST_WEIGHT:
                weights.setdefault(str(feature), []).append([number, round(float(weight), 3)])
    return {"labels": [list(label) for label in labels], "bias": bias, "weights": weights}
