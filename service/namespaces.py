"""The IRIs Grasp speaks: its own vocabulary and the W3C ones it uses."""

from __future__ import annotations

from functools import cache

from pyoxigraph import NamedNode

GRASP = "https://w3id.org/grasp/ontology#"
ONTOLOGY_IRI = "https://w3id.org/grasp/ontology"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SH = "http://www.w3.org/ns/shacl#"

#: Prefixes used when Grasp writes Turtle or shortens IRIs for people.
PREFIXES = {
    "grasp": GRASP,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
}


@cache  # nodes are immutable; the request path asks for the same few hundreds of times
def grasp(local_name: str) -> NamedNode:
    """Return the node ``grasp:<local_name>``.

    >>> grasp("Claim").value
    'https://w3id.org/grasp/ontology#Claim'
    """
    return NamedNode(GRASP + local_name)


def expand(name: str) -> str:
    """Expand a compact IRI with a known prefix; return other strings unchanged.

    >>> expand("grasp:Architect")
    'https://w3id.org/grasp/ontology#Architect'
    >>> expand("https://example.org/x")
    'https://example.org/x'
    """
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def compact(iri: str) -> str:
    """Shorten an IRI with a known prefix, for tables and messages.

    >>> compact("https://w3id.org/grasp/ontology#Architect")
    'grasp:Architect'
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


RDF_TYPE = NamedNode(RDF + "type")
RDFS_LABEL = NamedNode(RDFS + "label")
PROV_GENERATED_AT = NamedNode(PROV + "generatedAtTime")
PROV_USED = NamedNode(PROV + "used")
