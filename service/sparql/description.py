"""The SPARQL 1.1 Service Description of the endpoint (https://www.w3.org/TR/sparql11-service-description/).

>>> b"sd:UnionDefaultGraph" in service_description("http://localhost/sparql", "text/turtle")
True
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from grasp.sparql.results import GRAPH_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
#: The named graph that holds the ontology (set by the core's loader).
ONTOLOGY_GRAPH = "https://w3id.org/grasp/ontology"

#: W3C format IRIs of every result format the endpoint writes.
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
)

DATASET_COMMENT = (
    "The default graph is the union of all named graphs. The ontology is in the named graph "
    f"<{ONTOLOGY_GRAPH}>; each assessment is in its own named graph <BASE" "assessment/{id}>. "
    "FROM, FROM NAMED, default-graph-uri and named-graph-uri select graphs of this store; "
    "nothing is fetched. SERVICE and LOAD are refused."
)


def service_description(
    endpoint: str,
    media_type: str,
    *,
    update_enabled: bool = False,
    base_iri: str = "https://w3id.org/grasp/data/",
) -> bytes:
    """Describe the endpoint at ``endpoint`` in one of :data:`GRAPH_FORMATS`' media types."""
    service = NamedNode(endpoint)
    dataset = BlankNode()
    default_graph = BlankNode()
    ontology_graph = BlankNode()

    def sd(name: str) -> NamedNode:
        return NamedNode(SD + name)

    triples = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), service),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        *(Triple(service, sd("resultFormat"), NamedNode(FORMATS + n)) for n in RESULT_FORMATS),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, RDFS_COMMENT,
               Literal(DATASET_COMMENT.replace("BASE", base_iri), language="en")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(dataset, sd("namedGraph"), ontology_graph),
        Triple(default_graph, RDF_TYPE, sd("Graph")),
        Triple(
            default_graph,
            RDFS_COMMENT,
            Literal("The union of all named graphs.", language="en"),
        ),
        Triple(ontology_graph, RDF_TYPE, sd("NamedGraph")),
        Triple(ontology_graph, sd("name"), NamedNode(ONTOLOGY_GRAPH)),
    ]
    if update_enabled:
        triples.insert(3, Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    prefixes = {"sd": SD, "formats": FORMATS, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    rdf_format = GRAPH_FORMATS[media_type]
    if rdf_format == RdfFormat.TURTLE:
        return serialize(triples, format=rdf_format, prefixes=prefixes) or b""
    return serialize(triples, format=rdf_format) or b""
