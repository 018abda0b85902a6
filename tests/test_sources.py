"""Reading the ontology: formats by content, imports offline, errors in plain words."""

from __future__ import annotations

import shutil
import socket
import sys
import threading
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF

from grasp.config import PROJECT_ROOT
from grasp.sources import Format, OntologyLoadError, detect_format, read_ontology

GRASP = "https://w3id.org/grasp/ontology#"
SHIPPED = PROJECT_ROOT / "ontology" / "grasp.ttl"
CASES = Path(__file__).parent / "cases"

TURTLE = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
<urn:x:onto> a owl:Ontology .
<urn:x:A> a owl:Class .
"""
RDF_XML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:owl="http://www.w3.org/2002/07/owl#">
  <owl:Ontology rdf:about="urn:x:onto"/>
  <owl:Class rdf:about="urn:x:A"/>
</rdf:RDF>
"""
OWL_XML = """<?xml version="1.0"?>
<Ontology xmlns="http://www.w3.org/2002/07/owl#" ontologyIRI="urn:x:onto">
  <Prefix name="" IRI="urn:x:"/>
  <Declaration><Class IRI="urn:x:A"/></Declaration>
</Ontology>
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_ontology_loads_from_its_folder_and_from_its_file():
    from_folder = read_ontology([SHIPPED.parent])
    from_file = read_ontology([SHIPPED])
    assert len(from_folder) == len(from_file) > 100
    assert (URIRef(GRASP + "Architect"), RDF.type, URIRef(GRASP + "Level")) in from_file


def test_a_relative_path_resolves_against_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(read_ontology([Path("ontology")])) == len(read_ontology([SHIPPED]))


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # Each syntax under a misleading extension: the content decides.
        ("a.owl", TURTLE, Format.TURTLE),
        ("a.ttl", RDF_XML, Format.RDF_XML),
        ("a.rdf", OWL_XML, Format.OWL_XML),
        ("a.xml", "<urn:x:A> <urn:x:p> <urn:x:B> .\n", Format.TURTLE),
    ],
)
def test_the_format_is_detected_from_content_not_extension(tmp_path, name, text, expected):
    path = write(tmp_path, name, text)
    assert detect_format(path.read_bytes()) is expected
    graph = read_ontology([path])
    assert any(True for _ in graph.triples((None, None, None)))


def test_turtle_rdf_xml_and_owl_xml_give_the_same_triples(tmp_path):
    graphs = [
        read_ontology([write(tmp_path, name, text)])
        for name, text in [("t.ttl", TURTLE), ("r.owl", RDF_XML), ("o.owx", OWL_XML)]
    ]
    assert set(graphs[0]) == set(graphs[1]) == set(graphs[2])


def test_a_folder_gives_its_ontology_files_but_not_the_catalog(tmp_path):
    write(tmp_path, "b.ttl", "<urn:x:B> a <http://www.w3.org/2002/07/owl#Class> .")
    write(tmp_path, "a.owl", RDF_XML)
    write(tmp_path, "notes.txt", "not an ontology")
    write(
        tmp_path,
        "catalog-v001.xml",
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog"/>',
    )
    graph = read_ontology([tmp_path])
    assert set(graph.subjects(RDF.type, OWL.Class)) == {URIRef("urn:x:A"), URIRef("urn:x:B")}


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("broken.ttl", "@prefix : <urn:x:> .\n:a :b :c .\n:a :b \n", "line 3"),
        ("broken.owl", RDF_XML.replace("</rdf:RDF>", ""), "line 7"),
        ("broken.owx", OWL_XML.replace("</Declaration>", ""), "line 5"),
    ],
)
def test_a_syntax_error_names_the_file_and_the_line(tmp_path, name, text, where):
    path = write(tmp_path, name, text)
    with pytest.raises(OntologyLoadError) as raised:
        read_ontology([path])
    assert str(path) in str(raised.value)
    assert where in str(raised.value)


@pytest.mark.parametrize("declaration", ['<!DOCTYPE rdf:RDF [<!ENTITY a "b">]>', "<!ENTITY a 'b'>"])
def test_xml_with_a_doctype_or_entity_is_refused(tmp_path, declaration):
    text = RDF_XML.replace("?>\n", "?>\n" + declaration + "\n", 1)
    path = write(tmp_path, "entities.owl", text)
    with pytest.raises(OntologyLoadError, match="line 2: XML <!(DOCTYPE|ENTITY)>"):
        read_ontology([path])


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(OntologyLoadError, match="no such file or folder"):
        read_ontology([tmp_path / "nothing.ttl"])


def test_python_module_annotations_are_stripped(tmp_path):
    text = (
        TURTLE
        + '<urn:x:onto> <http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module> "evil" .\n'
    )
    graph = read_ontology([write(tmp_path, "a.ttl", text)])
    assert not [p for p in graph.predicates() if str(p).endswith("python_module")]


def test_xsd_string_literals_equal_plain_ones(tmp_path):
    text = TURTLE + '<urn:x:A> <urn:x:note> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
    graph = read_ontology([write(tmp_path, "a.ttl", text)])
    assert (URIRef("urn:x:A"), URIRef("urn:x:note"), Literal("x")) in graph


# --- imports ----------------------------------------------------------------------------

IMPORTING = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
<urn:x:main> a owl:Ontology ; owl:imports <http://example.org/imported.owl> .
<urn:x:Main> a owl:Class .
"""
IMPORTED = """<?xml version="1.0"?>
<Ontology xmlns="http://www.w3.org/2002/07/owl#" ontologyIRI="http://example.org/imported.owl">
  <Prefix name="" IRI="urn:x:"/>
  <Declaration><Class IRI="urn:x:Imported"/></Declaration>
</Ontology>
"""


def catalog(entries: dict[str, str]) -> str:
    uris = "".join(
        f'  <uri id="User Entered Import Resolution" name="{name}" uri="{uri}"/>\n'
        for name, uri in entries.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n'
        f"{uris}</catalog>\n"
    )


def test_an_import_resolves_through_the_catalog_beside_the_importer(tmp_path):
    (tmp_path / "imports").mkdir()
    write(tmp_path / "imports", "imported.owx", IMPORTED)
    write(
        tmp_path,
        "catalog-v001.xml",
        catalog({"http://example.org/imported.owl": "imports/imported.owx"}),
    )
    graph = read_ontology([write(tmp_path, "main.ttl", IMPORTING)])
    assert (URIRef("urn:x:Imported"), RDF.type, OWL.Class) in graph


def test_an_import_resolves_to_a_file_already_in_the_load_set(tmp_path):
    main = write(tmp_path, "main.ttl", IMPORTING)
    imported = write(tmp_path, "other.owx", IMPORTED)
    graph = read_ontology([main, imported])
    assert (URIRef("urn:x:Imported"), RDF.type, OWL.Class) in graph


def test_an_unresolvable_import_names_the_iri(tmp_path):
    with pytest.raises(OntologyLoadError, match="imports <http://example.org/imported.owl>"):
        read_ontology([write(tmp_path, "main.ttl", IMPORTING)])


@pytest.mark.parametrize(
    ("uri", "message"),
    [("http://example.org/imported.owl", "relative path"), ("gone.owl", "does not exist")],
)
def test_a_catalog_entry_must_be_a_relative_path_to_a_file(tmp_path, uri, message):
    write(tmp_path, "catalog-v001.xml", catalog({"http://example.org/imported.owl": uri}))
    with pytest.raises(OntologyLoadError, match=message):
        read_ontology([write(tmp_path, "main.ttl", IMPORTING)])


def test_the_shipped_catalog_names_only_files_that_exist():
    from grasp.sources import _catalog_entries

    entries = _catalog_entries(SHIPPED.parent / "catalog-v001.xml")
    assert entries
    for _name, uri in entries:
        assert (SHIPPED.parent / uri).is_file(), uri


class Listener:
    """A local TCP listener that counts the connections made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")
def test_loading_and_reasoning_never_fetch_an_import_nor_run_a_python_module(tmp_path, monkeypatch):
    from grasp.reasoning import reason

    listener = Listener()
    marker = tmp_path / "module-ran"
    module_dir = tmp_path / "modules"
    module_dir.mkdir()
    write(module_dir, "grasp_planted_module.py", f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.setattr(sys, "path", [str(module_dir), *sys.path])
    remote = f"http://127.0.0.1:{listener.port}/remote.owl"
    text = f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
<urn:x:main> a owl:Ontology ; owl:imports <{remote}> ;
    <http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module> "grasp_planted_module" .
<urn:x:Main> a owl:Class .
"""
    write(tmp_path, "catalog-v001.xml", catalog({remote: "local.ttl"}))
    write(tmp_path, "local.ttl", f"<{remote}> a <http://www.w3.org/2002/07/owl#Ontology> .\n")
    try:
        graph = read_ontology([write(tmp_path, "main.ttl", text)])
        reason(graph, reasoner="hermit")
    finally:
        listener.close()
    assert listener.connections == 0
    assert not marker.exists()
