"""Content negotiation: small tables of what we offer, and one pure function that chooses.

>>> choose("text/turtle;q=0.5, application/ld+json", RDF_MEDIA_TYPES)
'application/ld+json'
>>> choose("image/png", RDF_MEDIA_TYPES) is None
True
>>> choose("text/turtle;q=0, */*", RDF_MEDIA_TYPES)
'application/rdf+xml'
>>> preferred_language("ru-RU,ru;q=0.9,en;q=0.5")
'ru'
"""

from __future__ import annotations

import pyoxigraph as ox

#: RDF serialisations of a graph, by media type; the first is the default.
RDF_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}

#: Languages Grasp labels its answers in; the first is the default.
LANGUAGES = ("en", "ru")


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Return the media ranges of an Accept-style header with their q-values, best first.

    >>> parse_accept("text/*;q=0.3, text/turtle")
    [('text/turtle', 1.0), ('text/*', 0.3)]
    """
    ranges = []
    for order, part in enumerate((header or "*/*").split(",")):
        media, *params = [item.strip() for item in part.split(";")]
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        # More specific ranges win ties: "text/turtle" before "text/*" before "*/*".
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((media.lower(), quality, specificity, -order))
    ranges.sort(key=lambda item: (item[1], item[2], item[3]), reverse=True)
    return [(media, quality) for media, quality, _, _ in ranges]


def choose(header: str | None, offered) -> str | None:
    """Return the offered media type the header prefers (the first offered on ties), or None."""
    best, best_quality = None, 0.0
    for candidate in offered:
        quality = _quality(header, candidate)
        if quality > best_quality:
            best, best_quality = candidate, quality
    return best


def preferred_language(header: str | None, offered=LANGUAGES) -> str:
    """Return the offered language an Accept-Language header prefers; the first by default."""
    for tag, quality in parse_accept(header):
        primary = tag.split("-")[0]
        if quality > 0 and primary in offered:
            return primary
    return offered[0]


def _quality(header: str | None, candidate: str) -> float:
    # The most specific range that matches decides (RFC 9110 §12.5.1):
    # "text/turtle;q=0, */*" refuses Turtle and accepts the rest.
    kind = candidate.split("/")[0]
    matching = dict(parse_accept(header))
    for media in (candidate, f"{kind}/*", "*/*"):
        if media in matching:
            return matching[media]
    return 0.0
