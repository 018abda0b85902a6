"""Reading request bodies safely: formats, positions of errors, hostile RDF."""

import pytest

from grasp.claims import (InputError, InputFormat, MalformedInput, MAX_NESTING, read_claims,
                          subject_iri)
from grasp.namespaces import grasp

from conftest import case

BASE = "https://w3id.org/grasp/data/"


def test_json_claims_get_minted_iris_and_detected_languages():
    body = b'{"subject": "alice", "claims": [{"text": "LLM \xe2\x80\x94 \xd0\xbc\xd0\xb0\xd1\x88\xd0\xb8\xd0\xbd\xd0\xb0"}]}'
    claims = read_claims(body, InputFormat.JSON, base_iri=BASE)
    texts = [t.object for t in claims.triples if t.predicate == grasp("text")]
    assert texts[0].language == "ru"
    assert claims.assessment.value.startswith(BASE + "assessment/")


def test_malformed_json_names_the_position():
    with pytest.raises(MalformedInput) as raised:
        read_claims(b'{"subject": "a",\n "claims": [}', InputFormat.JSON, base_iri=BASE)
    assert (raised.value.line, raised.value.column) == (2, 13)


def test_malformed_turtle_names_the_position():
    with pytest.raises(MalformedInput) as raised:
        read_claims(b'@prefix g: <urn:g#> .\n[] a g:Assessment ;;; "', InputFormat.TURTLE, base_iri=BASE)
    assert raised.value.line == 2


def test_turtle_blank_nodes_become_minted_claim_iris():
    claims = read_claims(case("gold.ttl").read_bytes(), InputFormat.TURTLE, base_iri=BASE)
    subjects = {t.subject.value for t in claims.triples if t.predicate == grasp("index")}
    assert subjects == {f"{claims.assessment.value}#claim-{i}" for i in range(5)}


def test_deep_nesting_is_refused_before_parsing():
    body = b"<urn:a> <urn:b> " + b"[ <urn:c> " * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1) + b" ."
    with pytest.raises(MalformedInput, match="Nesting"):
        read_claims(body, InputFormat.TURTLE, base_iri=BASE)


def test_deep_json_is_refused_before_parsing():
    body = b'{"subject": "a", "claims": ' + b"[" * 100 + b"]" * 100 + b"}"
    with pytest.raises(MalformedInput, match="nested"):
        read_claims(body, InputFormat.JSON, base_iri=BASE)


@pytest.mark.parametrize("context", [
    '"http://127.0.0.1:9/context.jsonld"', '"file:///etc/passwd"', '["/etc/hosts", {}]',
    '{"@import": "file:///etc/hosts"}',
])
def test_json_ld_contexts_must_be_inline(context):
    body = ('{"@context": %s, "@id": "urn:x", "urn:p": "v"}' % context).encode()
    with pytest.raises(MalformedInput, match="inline"):
        read_claims(body, InputFormat.JSON_LD, base_iri=BASE)


def test_json_ld_with_an_inline_context_is_read():
    body = b'''{"@context": {"grasp": "https://w3id.org/grasp/ontology#"},
      "@type": "grasp:Assessment", "grasp:assesses": {"@id": "urn:person:a"},
      "grasp:hasClaim": {"@type": "grasp:Claim", "grasp:text": {"@value": "x", "@language": "en"}}}'''
    claims = read_claims(body, InputFormat.JSON_LD, base_iri=BASE)
    assert any(t.predicate == grasp("text") for t in claims.triples)


@pytest.mark.parametrize("doctype", [b"<!DOCTYPE r [<!ENTITY a 'aaaa'>]>", b"<!ENTITY x SYSTEM 'file:///etc/passwd'>"])
def test_rdf_xml_with_a_doctype_is_refused(doctype):
    body = b'<?xml version="1.0"?>' + doctype + b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    with pytest.raises(MalformedInput, match="DOCTYPE"):
        read_claims(body, InputFormat.RDF_XML, base_iri=BASE)


def test_a_bad_language_tag_names_the_field():
    with pytest.raises(InputError) as raised:
        read_claims(b'{"subject": "a", "claims": [{"text": "x", "lang": "not a tag"}]}',
                    InputFormat.JSON, base_iri=BASE)
    assert raised.value.field == "claims[0].lang"


def test_a_subject_iri_is_kept_and_a_name_is_minted():
    assert subject_iri("urn:person:1", BASE).value == "urn:person:1"
    assert subject_iri("Анна Петрова", BASE).value == BASE + "person/%D0%90%D0%BD%D0%BD%D0%B0%20%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D0%B0"
