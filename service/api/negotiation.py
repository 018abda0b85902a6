"""Content negotiation for the REST resources: small tables; the choosing is
:func:`grasp.sparql.negotiation.negotiate`, the one pure function the SPARQL endpoint uses too.

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

from collections.abc import Sequence

import pyoxigraph as ox

from grasp.ontology import LANGUAGES
from grasp.sparql.negotiation import negotiate, parse_accept

#: RDF serialisations of a graph, by media type; the first is the default.
RDF_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}



def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """Return the offered media type the Accept header prefers, or None (then answer 406)."""
    return negotiate(accept, list(offered))


def preferred_language(header: str | None, offered: Sequence[str] = LANGUAGES) -> str:
    """Return the offered language an Accept-Language header prefers; the first by default."""
    ranked = sorted(parse_accept(header or ""), key=lambda item: item[1], reverse=True)
    for tag, quality in ranked:
        primary = tag.split("-")[0]
        if quality > 0 and primary in offered:
            return primary
    return offered[0]
