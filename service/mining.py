"""Propose indicator phrases from labelled statements, for an ontology engineer to review.

Phrases written by hand from a few hundred errors fix those errors and little else
(``eval/README.md``). Given a few thousand labelled statements written by many hands, the
miner finds the phrases that the statements themselves support:

1. **Prune.** A phrase of the ontology whose readings do more harm than good on the
   statements ("attention" read as ComponentView where people speak of how attention
   works) is proposed for removal.
2. **Grow.** Every run of one to three words (small words left out) from a statement
   labelled with a concept is a candidate phrase for that concept, as a ``grasp:indicator``
   and as a ``grasp:denialIndicator``. Each is tried in the real mapper, negation, dismissal
   and all, on the statements that contain its words; the one that corrects the most labels
   is kept, and the search goes on (lazily: a candidate's gain is measured again before it is
   kept, since earlier phrases change the statements it touches).

A phrase is proposed only when it corrects at least ``min_gain`` labels more than it
breaks, breaks at most a third as many as it corrects, breaks no statement of the seed (the
gold case is the specification), and helps statements by at least ``min_hands`` different
writers (the ``hand`` of a statement): a wording that only one writer uses is that writer's
habit, not the language's. A denial phrase needs one writer more (``DENIAL_EXTRA_HANDS``):
negated, it affirms, so a wrong one errs both ways. A label that affirms a concept some
level forbids counts ``FORBIDDEN_WEIGHT`` times, whether hit or false alarm: one such
reading blocks every level above it, so it moves more verdicts than any other label.

The result is a list of proposals; :func:`apply_to_turtle` writes them into an ontology file
as ``grasp:indicator`` / ``grasp:denialIndicator`` annotations (and deletes the pruned
ones), so that what the mapper knows stays in the ontology, where Protégé shows it.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grasp.evaluation import Pair, Statement, denial_supports, entailed
from grasp.mapping import FILLER_WORDS, NEGATION_WORDS, Mapper, Word
from grasp.namespaces import compact
from grasp.ontology import Indicator, Ontology

#: Longest candidate phrase, in words (small words not counted).
MAX_PHRASE_WORDS = 3
#: A candidate that touches more statements than this is too common a word to be evidence.
MAX_STATEMENTS_TOUCHED = 400
#: A phrase may break at most one label for every BREAK_RATIO labels it corrects.
BREAK_RATIO = 3
#: A denial phrase must help this many writers more than an indicator phrase.
DENIAL_EXTRA_HANDS = 1
#: Weight of a label that affirms a concept some level forbids (grasp:forbids).
FORBIDDEN_WEIGHT = 2

# Words too plain to be a phrase on their own, or to make one with only each other.
PLAIN_WORDS = {
    "en": set("i you he she it we they me my your is are was were be been am do does did have "
              "has had this that these those what which who how why when where there here so "
              "just very really about can could would should will than then also only more "
              "most some any all one it's or if".split()),
    "ru": set("я ты он она оно мы вы они это этот эта эти то так как что кто где когда там тут "
              "здесь же ли бы был была было были есть быть мне меня мой моя его ее их у а но и "
              "или да уже еще очень просто только все вот даже".split()),
}


@dataclass(frozen=True)
class Proposal:
    """Add (``add``) or remove a phrase; ``gain`` is the labels it corrects net of those it breaks."""

    add: bool
    indicator: Indicator
    denial: bool
    gain: int

    def row(self) -> str:
        return (f"{'+' if self.add else '-'} | {compact(self.indicator.concept)} | "
                f"{_property(self.denial)} | "
                f"\"{self.indicator.phrase}\"@{self.indicator.lang} | {self.gain}")


class Miner:
    """The phrases of one ontology, measured against labelled statements."""

    def __init__(self, ontology: Ontology, statements: Sequence[Statement], *,
                 min_gain: int = 2, min_hands: int = 2) -> None:
        self.mapper = Mapper.for_ontology(ontology)
        self.statements = list(statements)
        self.min_gain, self.min_hands = min_gain, min_hands
        self._ancestors = ontology.ancestors
        self._denial_supports = denial_supports(ontology)
        self._forbidden = {rule.concept for level in ontology.levels for rule in level.rules
                           if rule.prohibition}
        self._words = [self.mapper.words(s.text, s.lang) for s in self.statements]
        self._containing: dict[tuple[str, str], set[int]] = defaultdict(set)
        for number, (statement, words) in enumerate(zip(self.statements, self._words)):
            for word in words:
                self._containing[(statement.lang, word.stem)].add(number)
        self._scores = [self._score(n) for n in range(len(self.statements))]

    def prune(self) -> list[Proposal]:
        """Remove, one by one, the phrases that break more labels than they correct."""
        removed = []
        for indicator, denial in self.mapper.phrases():
            touched = self._touched(indicator)
            if not touched:
                continue
            self.mapper.remove_phrase(indicator, denial=denial)
            gain = self._gain(touched, denial)
            if gain >= self.min_gain:
                self._rescore(touched)
                removed.append(Proposal(False, indicator, denial, gain))
            else:
                self.mapper.add_phrase(indicator, denial=denial)
        return removed

    def grow(self, limit: int = 1000) -> list[Proposal]:
        """Add, greedily, the candidate phrases that correct the most labels."""
        queue = []
        for order, (indicator, denial) in enumerate(self._candidates()):
            gain = self._trial(indicator, denial)
            if gain >= self.min_gain:
                queue.append((-gain, order, indicator, denial))
        heapq.heapify(queue)
        added = []
        while queue and len(added) < limit:
            _, order, indicator, denial = heapq.heappop(queue)
            gain = self._trial(indicator, denial)  # earlier phrases may have changed it
            if gain < self.min_gain:
                continue
            if queue and gain < -queue[0][0]:
                heapq.heappush(queue, (-gain, order, indicator, denial))
                continue
            self.mapper.add_phrase(indicator, denial=denial)
            self._rescore(self._touched(indicator))
            added.append(Proposal(True, indicator, denial, gain))
        return added

    def _candidates(self) -> Iterable[tuple[Indicator, bool]]:
        # Runs of words that come in at least two statements labelled with the concept.
        support: dict[tuple, int] = defaultdict(int)
        first_seen: dict[tuple, Indicator] = {}
        for statement, words in zip(self.statements, self._words):
            concepts = {concept for concept, _ in statement.expected}
            kept = [w for w in words if w.word not in FILLER_WORDS[statement.lang]]
            for size in range(1, MAX_PHRASE_WORDS + 1):
                for first in range(len(kept) - size + 1):
                    run = kept[first:first + size]
                    if not _phrase_like(run, statement.lang):
                        continue
                    phrase = " ".join(w.word for w in run)
                    stems = tuple(w.stem for w in run)
                    for concept in concepts:
                        key = (statement.lang, stems, concept)
                        support[key] += 1
                        first_seen.setdefault(key, Indicator(concept, phrase, statement.lang))
        present = set(self.mapper.phrases())
        for key, indicator in first_seen.items():
            if support[key] < 2:
                continue
            for denial in (False, True):
                if (indicator, denial) not in present:
                    yield indicator, denial

    def _trial(self, indicator: Indicator, denial: bool) -> int:
        touched = self._touched(indicator)
        if not touched or len(touched) > MAX_STATEMENTS_TOUCHED:
            return 0
        self.mapper.add_phrase(indicator, denial=denial)
        gain = self._gain(touched, denial)
        self.mapper.remove_phrase(indicator, denial=denial)
        return gain

    def _gain(self, touched: set[int], denial: bool) -> int:
        # Labels corrected net of labels broken, over the statements the change can touch;
        # zero unless the change passes the break ratio and helps enough hands.
        corrected = broken = 0
        hands = set()
        for number in touched:
            hits, alarms = self._score(number)
            old_hits, old_alarms = self._scores[number]
            if self.statements[number].source == "seed" and (hits < old_hits or alarms > old_alarms):
                return 0  # the seed's statements are the specification: never broken
            corrected += max(0, hits - old_hits) + max(0, old_alarms - alarms)
            broken += max(0, old_hits - hits) + max(0, alarms - old_alarms)
            if (hits - old_hits) - (alarms - old_alarms) > 0:
                hands.add(self.statements[number].hand)
        needed = self.min_hands + (DENIAL_EXTRA_HANDS if denial else 0)
        if broken * BREAK_RATIO > corrected or len(hands) < needed:
            return 0
        return corrected - broken

    def _touched(self, indicator: Indicator) -> set[int]:
        stems = self.mapper.phrase_stems(indicator.phrase, indicator.lang)
        sets = [self._containing.get((indicator.lang, stem), set()) for stem in stems]
        return set.intersection(*sets) if sets else set()

    def _rescore(self, numbers: Iterable[int]) -> None:
        for number in numbers:
            self._scores[number] = self._score(number)

    def _score(self, number: int) -> tuple[int, int]:
        statement = self.statements[number]
        read: set[Pair] = {(r.concept, r.stance) for r in self.mapper.map(statement.text, statement.lang)}
        read -= entailed(statement.expected, self._ancestors, self._denial_supports)
        return (sum(map(self._weight, read & statement.expected)),
                sum(map(self._weight, read - statement.expected)))

    def _weight(self, label: Pair) -> int:
        concept, stance = label
        return FORBIDDEN_WEIGHT if stance == "affirms" and concept in self._forbidden else 1


def _phrase_like(run: list[Word], lang: str) -> bool:
    # One clause; no negation (that is the mapper's business, not the phrase's); no stray
    # letter ("it's" gives "it" and "s"); and content words at both ends, so that a phrase
    # reads as a wording ("helpful assistant"), not as a fragment ("it fancy", "chatbot is").
    words = [w.word for w in run]
    return (len({w.clause for w in run}) == 1
            and not any(word in NEGATION_WORDS[lang] for word in words)
            and all(len(word) > 1 or word.isdigit() for word in words)
            and words[0] not in PLAIN_WORDS[lang] and words[-1] not in PLAIN_WORDS[lang]
            and (len(words) > 1 or len(words[0]) >= 4))


def mine(ontology: Ontology, statements: Sequence[Statement], *, min_gain: int = 2,
         min_hands: int = 2, prune: bool = True) -> list[Proposal]:
    """Propose removals (with ``prune``) and additions of phrases, best first."""
    miner = Miner(ontology, statements, min_gain=min_gain, min_hands=min_hands)
    removed = miner.prune() if prune else []
    return removed + miner.grow()


# --- writing proposals into an ontology file ---------------------------------------------


def apply_to_turtle(path: Path, proposals: Sequence[Proposal]) -> None:
    """Write ``proposals`` into the Turtle file at ``path``, keeping its layout.

    Removed phrases are deleted from their lists; added ones go into one new
    ``grasp:indicator`` (or ``grasp:denialIndicator``) list per concept and language, at the
    end of the concept's block. The concept must be declared in the file as ``grasp:Name``.
    """
    text = path.read_text(encoding="utf-8")
    for proposal in proposals:
        if not proposal.add:
            text = _delete_literal(text, proposal.indicator, proposal.denial)
    additions: dict[tuple[str, bool, str], list[str]] = defaultdict(list)
    for proposal in proposals:
        if proposal.add:
            key = (compact(proposal.indicator.concept), proposal.denial, proposal.indicator.lang)
            additions[key].append(_literal(proposal.indicator))
    for (concept, denial, _), literals in sorted(additions.items()):
        text = _append_to_block(text, concept, _property(denial), literals)
    path.write_text(text, encoding="utf-8")


# A Turtle string literal, with its language tag: a "." or ";" inside one is not syntax.
_TURTLE_LITERAL = r'"(?:[^"\\]|\\.)*"(?:@[\w-]+)?'


def _property(denial: bool) -> str:
    return "grasp:denialIndicator" if denial else "grasp:indicator"


def _literal(indicator: Indicator) -> str:
    phrase = indicator.phrase.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{phrase}"@{indicator.lang}'


def _block(text: str, concept: str) -> tuple[int, int]:
    start = re.search(rf"^{re.escape(concept)}\s*$", text, re.MULTILINE)
    if start is None:
        raise ValueError(f"{concept} is not declared in this file")
    end = re.compile(rf"{_TURTLE_LITERAL}|\.\s*$", re.MULTILINE)
    position = start.end()
    while (match := end.search(text, position)) and not match.group().startswith("."):
        position = match.end()  # skip literals: a "." inside one does not end the block
    if match is None:
        raise ValueError(f"the block of {concept} has no end")
    return start.start(), match.start()


def _delete_literal(text: str, indicator: Indicator, denial: bool) -> str:
    begin, end = _block(text, compact(indicator.concept))
    block = text[begin:end]
    literal = re.escape(_literal(indicator))
    prop = _property(denial)
    # Only in the list of ``prop``: one phrase may be an indicator and a denial indicator.
    for start, stop in _predicate_lists(block):
        part = block[start:stop]
        if not re.match(rf"\s*{re.escape(prop)}\s", part):
            continue
        # The literal with the comma after it, or, as the last of its list, with the one
        # before; the only phrase of its list takes the property, and its ";", with it.
        changed, count = re.subn(rf"{literal}[ \t]*,[ \t]*", "", part, count=1)
        if not count:
            changed, count = re.subn(rf"[ \t]*,\s*{literal}", "", part, count=1)
        if not count and re.fullmatch(rf"\s*{re.escape(prop)}\s+{literal}\s*", part):
            changed, count, start = "", 1, start - 1  # start - 1: the ";" before it
        if count:
            changed = block[:start] + changed + block[stop:]
            changed = re.sub(r"[ \t]+\n", "\n", changed)
            changed = re.sub(r"\n[ \t]*(?=\n)", "", changed)  # a line left empty
            return text[:begin] + changed + text[end:]
    raise ValueError(f"{_literal(indicator)} is not a phrase of {compact(indicator.concept)} "
                     f"as {prop}")


def _predicate_lists(block: str) -> list[tuple[int, int]]:
    # The spans between the ";" of a block (its predicate-object lists), skipping literals.
    spans, start = [], 0
    for match in re.finditer(rf"{_TURTLE_LITERAL}|;", block):
        if match.group() == ";":
            spans.append((start, match.start()))
            start = match.end()
    spans.append((start, len(block)))
    return spans


def _append_to_block(text: str, concept: str, property_name: str, literals: list[str]) -> str:
    begin, end = _block(text, concept)
    lines, line = [], "       "
    for literal in literals:
        if len(line) + len(literal) + 3 > 96:
            lines.append(line.rstrip())
            line = "       "
        line += f" {literal} ,"
    lines.append(line.rstrip())
    listed = "\n".join(lines).rstrip(",").rstrip()
    body = text[begin:end].rstrip()
    return text[:begin] + f"{body} ;\n    {property_name}\n{listed} " + text[end:]
