"""Read the ontology from the files an engineer edits, whatever Protégé saved them as.

Every file is parsed by its content, not its extension: Turtle (and N-Triples), RDF/XML or
OWL/XML. ``owl:imports`` are resolved offline, through the ``catalog-v001.xml`` beside the
importing file (Protégé's catalog, relative paths) or to a file already being loaded;
nothing is ever fetched. The result is one rdflib graph, cleaned of what would make
owlready2 run code (``python_module`` annotations), ready for reasoning and checks.

Any failure raises :class:`OntologyLoadError` with the file and, where known, the line.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "a.owl").write_text(
...     '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
...     ' xmlns:owl="http://www.w3.org/2002/07/owl#"><owl:Class rdf:about="urn:x:A"/></rdf:RDF>')
>>> len(read_ontology([folder]))
1
"""

from __future__ import annotations

import enum
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse
from xml.etree import ElementTree

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from grasp.config import PROJECT_ROOT

#: File names read from a folder; the catalog is Protégé's import map, not an ontology.
ONTOLOGY_SUFFIXES = (".ttl", ".owl", ".rdf", ".owx", ".xml")
CATALOG_NAME = "catalog-v001.xml"

#: Larger files are refused: parsing cost grows fast with size (../shared/security-notes.md).
MAX_FILE_BYTES = 32 * 1024 * 1024

_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_IRI_AT_START = re.compile(rb"<[^\s<>\"]*>")
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_OWL_NS = "http://www.w3.org/2002/07/owl#"
_CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
_PLAIN_LITERAL = RDF.PlainLiteral


class OntologyLoadError(Exception):
    """The ontology could not be read; the message says which file, where and why."""


class Format(enum.Enum):
    """The syntaxes Grasp reads, as detected from a file's content."""

    TURTLE = "turtle"
    RDF_XML = "xml"
    OWL_XML = "owlxml"


def read_ontology(paths: Sequence[Path | str]) -> Graph:
    """Load ontology files and folders, with their imports, into one cleaned graph.

    A folder contributes every ontology file in it (sorted by name), except the catalog.
    A relative path is looked up in the working directory, then in the project root.
    """
    files = _expand(paths)
    if not files:
        raise OntologyLoadError("no ontology files found in " + ", ".join(map(str, paths)))
    loaded: list[_Source] = [_parse(path) for path in files]
    _resolve_imports(loaded)
    graph = Graph()
    for source in loaded:
        graph += source.graph
    _bind_prefixes(graph, loaded)
    return graph


def detect_format(data: bytes) -> Format:
    """Tell the syntax of an ontology document from its first element or statement.

    >>> detect_format(b'<?xml version="1.0"?><Ontology xmlns="http://www.w3.org/2002/07/owl#"/>')
    <Format.OWL_XML: 'owlxml'>
    >>> detect_format(b"<urn:x:a> <urn:x:b> <urn:x:c> .")
    <Format.TURTLE: 'turtle'>
    """
    if not _looks_like_xml(data):
        return Format.TURTLE
    root = _root_element(data)
    # RDF/XML may also open with owl:Ontology, but then it names it with rdf:about.
    if (
        root is not None
        and root.tag == f"{{{_OWL_NS}}}Ontology"
        and f"{{{_RDF_NS}}}about" not in root.attrib
    ):
        return Format.OWL_XML
    return Format.RDF_XML


def _looks_like_xml(data: bytes) -> bool:
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    # N-Triples and some Turtle start with an IRI in angle brackets, not with a tag.
    return text.startswith(b"<") and not _IRI_AT_START.match(text)


# --- finding the files ------------------------------------------------------------------


def _expand(paths: Sequence[Path | str]) -> list[Path]:
    files: list[Path] = []
    for given in paths:
        path = locate(Path(given))
        if path.is_dir():
            files.extend(
                sorted(
                    child
                    for child in path.iterdir()
                    if child.is_file()
                    and child.suffix.lower() in ONTOLOGY_SUFFIXES
                    and child.name != CATALOG_NAME
                )
            )
        else:
            files.append(path)
    # The same file named twice (directly and through its folder) is read once.
    unique: dict[Path, None] = dict.fromkeys(file.resolve() for file in files)
    return list(unique)


def locate(path: Path) -> Path:
    """Find an ontology path: as given if absolute, else in the working directory, then in
    the project; raise :class:`OntologyLoadError` when it is nowhere."""
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = [Path.cwd() / path, PROJECT_ROOT / path]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise OntologyLoadError(f"{path}: no such file or folder")


# --- parsing one file -------------------------------------------------------------------


@dataclass
class _Source:
    path: Path
    graph: Graph
    format: Format
    ontology_iris: set[URIRef] = field(default_factory=set)
    imports: list[URIRef] = field(default_factory=list)


def _parse(path: Path) -> _Source:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise OntologyLoadError(
                f"{path}: {size} bytes is more than the {MAX_FILE_BYTES} Grasp reads"
            )
        data = path.read_bytes()
    except OSError as error:
        raise OntologyLoadError(f"{path}: cannot read: {error.strerror}") from error
    if _looks_like_xml(data):
        _refuse_declarations(path, data)
    fmt = detect_format(data)
    graph = _parse_owl_xml(path, data) if fmt is Format.OWL_XML else _parse_rdf(path, data, fmt)
    _clean(graph)
    source = _Source(path=path, graph=graph, format=fmt)
    for ontology in graph.subjects(RDF.type, OWL.Ontology):
        if isinstance(ontology, URIRef):
            source.ontology_iris.add(ontology)
            source.ontology_iris.update(
                v for v in graph.objects(ontology, OWL.versionIRI) if isinstance(v, URIRef)
            )
            source.imports.extend(
                i for i in graph.objects(ontology, OWL.imports) if isinstance(i, URIRef)
            )
    return source


def _refuse_declarations(path: Path, data: bytes) -> None:
    # A DOCTYPE can declare entities that expand without bound (billion laughs).
    match = _XML_DECLARATIONS.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise OntologyLoadError(
            f"{path}, line {line}: XML <!{match.group(1).decode().upper()}> declarations are "
            "not accepted; save the file again from Protégé 5 (it writes none) or remove the "
            "DOCTYPE block and write the IRIs out in full"
        )


def _parse_rdf(path: Path, data: bytes, fmt: Format) -> Graph:
    graph = Graph()
    try:
        # publicID gives relative IRIs a stable base that is not this machine's file path.
        graph.parse(data=data, format=fmt.value, publicID=path.as_uri())
    except Exception as error:  # rdflib raises many types; each is a syntax problem here
        raise OntologyLoadError(f"{path}: not valid {_name(fmt)}: {_where(error)}") from error
    return graph


def _parse_owl_xml(path: Path, data: bytes) -> Graph:
    # owlready2's OWL/XML reader is a plain expat parser that reports triples; using it
    # directly (not through a World) means nothing is imported, fetched or executed.
    from owlready2.owlxml_2_ntriples import parse as parse_owl_xml

    try:
        # Well-formedness first: owlready2's reader reports a broken tag less clearly.
        ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        line, column = error.position
        message = str(error).split(":")[0]
        raise OntologyLoadError(
            f"{path}, line {line}, column {column}: not valid OWL/XML: {message}"
        ) from error
    graph = Graph()
    blanks: dict[str, BNode] = {}

    def node(term: str) -> URIRef | BNode:
        if term.startswith("_:"):
            return blanks.setdefault(term, BNode())
        return URIRef(term)

    def add_object(s: str, p: str, o: str) -> None:
        graph.add((node(s), URIRef(p), node(o)))

    def add_data(s: str, p: str, value: object, datatype: str) -> None:
        if datatype.startswith("@"):
            literal = Literal(str(value), lang=datatype[1:])
        elif datatype and URIRef(datatype) != _PLAIN_LITERAL:
            literal = Literal(str(value), datatype=URIRef(datatype))
        else:
            literal = Literal(str(value))
        graph.add((node(s), URIRef(p), literal))

    counter = 0

    def new_blank() -> str:
        nonlocal counter
        counter += 1
        return f"_:b{counter}"

    try:
        parse_owl_xml(io.BytesIO(data), add_object, add_data, new_blank)
    except Exception as error:
        # owlready2 reports "..., line L, column C." and keeps the real cause underneath.
        position = re.search(r"line \d+, column \d+", str(error))
        cause = error.__cause__ or error
        reason = f"{type(cause).__name__} {cause}".strip()
        if isinstance(cause, KeyError):
            reason = f"the prefix {cause} is not declared with <Prefix name={cause}>"
        where = position.group(0) if position else "position unknown"
        raise OntologyLoadError(f"{path}, {where}: not valid OWL/XML ({reason})") from error
    return graph


def _clean(graph: Graph) -> None:
    """Remove what would make owlready2 run code, and make equal literals equal."""
    for s, p, o in list(graph):
        if str(p).endswith("python_module"):
            graph.remove((s, p, o))
        elif isinstance(o, Literal) and o.datatype in (XSD.string, _PLAIN_LITERAL):
            # RDF 1.1: "x" and "x"^^xsd:string are one literal; rdflib keeps them apart,
            # and Turtle and the OWL API's serialisers write them differently.
            graph.remove((s, p, o))
            graph.add((s, p, Literal(str(o))))


def _where(error: Exception) -> str:
    """Say where a parser stopped and why, in one line."""
    if hasattr(error, "_why") and hasattr(error, "_str"):  # rdflib's Turtle BadSyntax
        line = error._str[: error._i].count(b"\n") + 1
        return f"line {line}: {error._why}"
    if hasattr(error, "getLineNumber"):  # xml.sax, under rdflib's RDF/XML parser
        return f"line {error.getLineNumber()}, column {error.getColumnNumber()}: " + (
            error.getMessage() if hasattr(error, "getMessage") else str(error)
        )
    message = " ".join(str(error).split())
    return message[:300] + ("…" if len(message) > 300 else "")


def _name(fmt: Format) -> str:
    return {Format.TURTLE: "Turtle", Format.RDF_XML: "RDF/XML", Format.OWL_XML: "OWL/XML"}[fmt]


def _root_element(data: bytes) -> ElementTree.Element | None:
    try:
        for _event, element in ElementTree.iterparse(io.BytesIO(data), events=("start",)):
            return element
    except ElementTree.ParseError:
        return None
    return None


# --- imports ----------------------------------------------------------------------------


def _resolve_imports(loaded: list[_Source]) -> None:
    """Load every imported ontology from the load set or the importer's catalog, in place."""
    known: dict[URIRef, _Source] = {iri: s for s in loaded for iri in s.ontology_iris}
    pending = list(loaded)
    while pending:
        source = pending.pop(0)
        for iri in source.imports:
            if iri in known:
                continue
            target = _catalog_lookup(source.path, iri)
            if target is None:
                raise OntologyLoadError(
                    f"{source.path}: imports <{iri}>, which is not among the files loaded and "
                    f"has no entry in {source.path.parent / CATALOG_NAME}; add the imported "
                    "file to the load set or map the IRI to it in the catalog (relative path)"
                )
            already = next((s for s in loaded if s.path == target), None)
            imported = already or _parse(target)
            if already is None:
                loaded.append(imported)
                pending.append(imported)
            known[iri] = imported
            for other in imported.ontology_iris:
                known.setdefault(other, imported)


def _catalog_lookup(importer: Path, iri: URIRef) -> Path | None:
    catalog = importer.parent / CATALOG_NAME
    if not catalog.is_file():
        return None
    for name, uri in _catalog_entries(catalog):
        if name != str(iri):
            continue
        if urlparse(uri).scheme:
            raise OntologyLoadError(
                f"{catalog}: the entry for <{iri}> points at {uri}; Grasp reads imports only "
                "from files named by a relative path"
            )
        target = (catalog.parent / unquote(uri)).resolve()
        if not target.is_file():
            raise OntologyLoadError(
                f"{catalog}: the entry for <{iri}> points at {uri}, which does not exist"
            )
        return target
    return None


def _catalog_entries(catalog: Path) -> list[tuple[str, str]]:
    """Read ``<uri name=... uri=...>`` entries, in groups too, as Protégé writes them."""
    data = catalog.read_bytes()
    _refuse_declarations(catalog, data)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        line = error.position[0]
        raise OntologyLoadError(f"{catalog}, line {line}: not valid XML: {error}") from error
    return [
        (element.get("name", ""), element.get("uri", ""))
        for element in root.iter(f"{{{_CATALOG_NS}}}uri")
    ]


def _bind_prefixes(graph: Graph, loaded: list[_Source]) -> None:
    for source in loaded:
        for prefix, namespace in source.graph.namespaces():
            if prefix and not prefix.startswith("ns"):
                graph.bind(prefix, namespace, override=False, replace=False)
