"""Explain an assessment in plain words: what carried the verdict and what the next level needs.

The text says only what the assessment itself shows: which claims satisfied each requirement
of the highest met level, which requirements of the next level are still missing or which
claim blocks it. It praises no one and compares the person with no population: Grasp stores
no sample from which such a figure could be computed here.
"""

from __future__ import annotations

from grasp.assessment import Assessment, ClaimResult, LevelResult, Requirement
from grasp.ontology import Ontology

#: Longest quotation of a claim, in characters.
QUOTE_LENGTH = 90

TEXTS = {
    "en": {
        "highest": "Highest level met: {rank}. {label}.",
        "none": "No level is met.",
        "carried": "What carried it:",
        "by": "{concept}: claim {claims}",
        "by_many": "{concept}: claims {claims}",
        "forbidden_clear": "{concept} (forbidden): no claim affirms it.",
        "next": "Next level, {rank}. {label} ({status}):",
        "has": "{concept}: already shown by claim {claims}.",
        "has_many": "{concept}: already shown by claims {claims}.",
        "needs": "{concept}: needs a claim that affirms it.",
        "blocked": "{concept} is forbidden at this level, and claim {claims} affirms it.",
        "blocked_many": "{concept} is forbidden at this level, and claims {claims} affirm it.",
        "top": "There is no level above it in the ontology.",
        "unmapped": "Claims that matched no concept: {claims}.",
        "explicit": "(stated as a concept)",
        "and": " and ",
    },
    "ru": {
        "highest": "Наивысший выполненный уровень: {rank}. {label}.",
        "none": "Ни один уровень не выполнен.",
        "carried": "На чём это основано:",
        "by": "{concept}: утверждение {claims}",
        "by_many": "{concept}: утверждения {claims}",
        "forbidden_clear": "{concept} (запрещено): ни одно утверждение этого не подтверждает.",
        "next": "Следующий уровень, {rank}. {label} ({status}):",
        "has": "{concept}: уже есть в утверждении {claims}.",
        "has_many": "{concept}: уже есть в утверждениях {claims}.",
        "needs": "{concept}: нужно утверждение, которое это подтверждает.",
        "blocked": "{concept} на этом уровне запрещено, а утверждение {claims} это подтверждает.",
        "blocked_many": "{concept} на этом уровне запрещено, а утверждения {claims} это подтверждают.",
        "top": "Уровня выше в онтологии нет.",
        "unmapped": "Утверждения, в которых не найдено ни одного концепта: {claims}.",
        "explicit": "(задано концептом)",
        "and": " и ",
    },
}


def explain(assessment: Assessment, ontology: Ontology, lang: str = "en") -> str:
    """Explain an assessment in ``lang`` (en or ru): the evidence for the highest met level
    and what the next level still needs.

    Claims are numbered as in the assessment's JSON (``index``).
    """
    lang = "ru" if lang.lower().startswith("ru") else "en"
    words = TEXTS[lang]
    claims = {claim.index: claim for claim in assessment.claims}
    levels = sorted(assessment.levels, key=lambda level: (level.rank is None, level.rank or 0))
    highest = next((level for level in levels if level.level == assessment.level), None)
    lines = []
    if highest is None:
        lines.append(words["none"])
    else:
        lines.append(words["highest"].format(rank=highest.rank,
                                             label=ontology.label(highest.level, lang)))
        lines.append(words["carried"])
        lines += [f"- {line}" for line in _evidence(highest, claims, ontology, lang)]
    following = _next_level(levels, highest)
    if following is None:
        if highest is not None:
            lines.append(words["top"])
    else:
        status = ontology.label(f"https://w3id.org/grasp/ontology#{following.status.capitalize()}",
                                lang)
        lines.append(words["next"].format(rank=following.rank,
                                          label=ontology.label(following.level, lang),
                                          status=status))
        lines += [f"- {line}" for line in _needs(following, claims, ontology, lang)]
    unmapped = [claim.index for claim in assessment.claims if not claim.readings]
    if unmapped:
        lines.append(words["unmapped"].format(claims=", ".join(map(str, unmapped))))
    return "\n".join(lines)


def _next_level(levels: list[LevelResult], highest: LevelResult | None) -> LevelResult | None:
    if highest is None:
        return levels[0] if levels else None
    above = [level for level in levels if (level.rank or 0) > (highest.rank or 0)]
    return above[0] if above else None


def _evidence(level: LevelResult, claims: dict[int, ClaimResult], ontology: Ontology,
              lang: str) -> list[str]:
    words = TEXTS[lang]
    lines = []
    for requirement in _requirements(level):
        concept = ontology.label(requirement.concept, lang)
        if requirement.prohibition:
            lines.append(words["forbidden_clear"].format(concept=concept))
            continue
        key = "by_many" if len(requirement.evidence) > 1 else "by"
        lines.append(words[key].format(concept=concept,
                                       claims=_quoted(requirement.evidence, claims, lang)))
    return lines


def _needs(level: LevelResult, claims: dict[int, ClaimResult], ontology: Ontology,
           lang: str) -> list[str]:
    words = TEXTS[lang]
    lines = []
    # What is missing or blocks the level first: that is what the reader has to act on.
    order = sorted(_requirements(level), key=lambda r: r.satisfied)
    for requirement in order:
        concept = ontology.label(requirement.concept, lang)
        many = len(requirement.evidence) > 1
        if requirement.prohibition:
            if not requirement.satisfied:
                key = "blocked_many" if many else "blocked"
                lines.append(words[key].format(concept=concept,
                                               claims=_quoted(requirement.evidence, claims, lang)))
        elif requirement.satisfied:
            key = "has_many" if many else "has"
            lines.append(words[key].format(concept=concept,
                                           claims=_quoted(requirement.evidence, claims, lang)))
        else:
            lines.append(words["needs"].format(concept=concept))
    return lines


def _requirements(level: LevelResult) -> list[Requirement]:
    # Requirements first, then prohibitions; each group in a stable order.
    return sorted(level.requirements, key=lambda r: (r.prohibition, r.concept))


def _quoted(indexes: tuple[int, ...], claims: dict[int, ClaimResult], lang: str) -> str:
    words = TEXTS[lang]
    parts = []
    for index in indexes:
        claim = claims.get(index)
        if claim is None or not claim.text:
            parts.append(f"{index} {words['explicit']}")
            continue
        text = " ".join(claim.text.split()).rstrip(".;:")
        if len(text) > QUOTE_LENGTH:
            text = text[:QUOTE_LENGTH - 1].rstrip() + "…"
        parts.append(f"{index} «{text}»" if lang == "ru" else f'{index} "{text}"')
    return words["and"].join(parts) if len(parts) == 2 else ", ".join(parts)
