"""Content negotiation: one pure function over an Accept header, and the format table.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"])
'application/sparql-results+xml'
>>> negotiate("image/png", ["text/turtle"]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

#: Values of the ``format`` (or ``output``) parameter, and the media types they choose.
#: Clients such as SPARQLWrapper and YASGUI send these short names.
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "nt": ("application/n-triples",),
    "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",),
    "rdfxml": ("application/rdf+xml",),
    "rdf": ("application/rdf+xml",),
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
}

#: Other media types that clients send for a format we offer under its registered name.
ALIASES = {
    "application/sparql-results+json": ("application/json",),
    "application/sparql-results+xml": ("application/xml", "text/xml"),
    "application/rdf+xml": ("application/xml", "text/xml"),
    "application/ld+json": ("application/json",),
    "text/turtle": ("application/x-turtle", "application/turtle"),
}


def parse_accept(header: str) -> list[tuple[str, float]]:
    """Split an Accept header into (media range, q) pairs; malformed q counts as 0.

    >>> parse_accept("text/html, */*;q=0.8")
    [('text/html', 1.0), ('*/*', 0.8)]
    """
    ranges = []
    for part in header.split(","):
        fields = [field.strip() for field in part.split(";")]
        media_range = fields[0].lower()
        if not media_range:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media_range, quality))
    return ranges


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """Pick the offer the client prefers, or None when nothing acceptable is offered.

    The most specific matching range sets an offer's quality (RFC 9110, 12.5.1); ties
    go to the earlier offer, so ``offers`` lists the server's preference. No header, or
    an empty one, accepts anything.

    >>> negotiate(None, ["text/turtle", "application/rdf+xml"])
    'text/turtle'
    >>> negotiate("application/*;q=0.9, text/turtle;q=0.1", ["text/turtle", "application/rdf+xml"])
    'application/rdf+xml'
    >>> negotiate("application/json", ["application/sparql-results+json"])
    'application/sparql-results+json'
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = parse_accept(accept)
    best, best_quality = None, 0.0
    for offer in offers:
        quality = _quality(offer, ranges)
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    kind = offer.split("/")[0]
    names = (offer, *ALIASES.get(offer, ()))
    best_specificity, quality = -1, 0.0
    for media_range, range_quality in ranges:
        if media_range in names:
            specificity = 2
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity or (
            specificity == best_specificity and range_quality > quality
        ):
            best_specificity, quality = specificity, range_quality
    return quality


def choose_format(format_name: str | None, accept: str | None, offers: Sequence[str]) -> str | None:
    """Choose from a ``format`` parameter if given, else from the Accept header.

    The parameter takes a short name (``json``, ``turtle``) or a media type.

    >>> choose_format("json", "text/csv", ["application/sparql-results+json", "text/csv"])
    'application/sparql-results+json'
    >>> choose_format("text/csv", None, ["application/sparql-results+json", "text/csv"])
    'text/csv'
    >>> choose_format("turtle", None, ["application/sparql-results+json"]) is None
    True
    """
    if format_name:
        name = format_name.strip().lower()
        wanted = FORMAT_NAMES.get(name, (name,))
        return next(
            (offer for offer in offers if offer in wanted or name in ALIASES.get(offer, ())), None
        )
    return negotiate(accept, offers)
