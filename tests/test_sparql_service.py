"""The SPARQL endpoint of the real service: what REST stores, SPARQL sees at once."""

from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from grasp.namespaces import expand

from conftest import case_json

LEVEL_COUNTS = """
PREFIX grasp: <https://w3id.org/grasp/ontology#>
SELECT ?level (COUNT(?assessment) AS ?assessments)
WHERE { ?assessment a grasp:Assessment ; grasp:highestLevel ?level }
GROUP BY ?level
"""


def test_an_assessment_made_over_rest_is_visible_over_sparql(server, client):
    endpoint = SPARQLWrapper(f"{server.url}/sparql")
    endpoint.setReturnFormat(JSON)
    endpoint.setQuery(LEVEL_COUNTS)

    def architects() -> int:
        rows = endpoint.queryAndConvert()["results"]["bindings"]
        return sum(int(r["assessments"]["value"]) for r in rows
                   if r["level"]["value"] == expand("grasp:Architect"))

    before = architects()
    created = client.post("/assess", json=case_json("gold-en.json")).json()
    assert architects() == before + 1

    endpoint.setQuery(f"""
        PREFIX grasp: <https://w3id.org/grasp/ontology#>
        SELECT ?text WHERE {{ GRAPH <{created['assessment']}> {{ ?claim grasp:text ?text }} }}""")
    texts = {row["text"]["value"] for row in endpoint.queryAndConvert()["results"]["bindings"]}
    assert texts == {claim["text"] for claim in case_json("gold-en.json")["claims"]}


def test_the_ontology_is_in_its_named_graph(server):
    store = SPARQLStore(f"{server.url}/sparql")
    rows = list(store.query("""
        PREFIX grasp: <https://w3id.org/grasp/ontology#>
        SELECT ?level ?rank WHERE {
          GRAPH <https://w3id.org/grasp/ontology> { ?level a grasp:Level ; grasp:rank ?rank }
        } ORDER BY ?rank"""))
    assert [int(row.rank) for row in rows] == [1, 2, 3, 4, 5]


def test_the_endpoint_is_read_only_by_default(client):
    answer = client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert answer.status_code in (401, 403)
