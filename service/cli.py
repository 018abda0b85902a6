"""The ``grasp`` command: assess claims, list levels, serve the API.

Each command calls the same functions as the HTTP API.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from grasp.assessment import Assessment, InvalidClaims
from grasp.claims import InputError, InputFormat, read_claims
from grasp.config import Settings
from grasp.evaluation import eval_command
from grasp.explanation import explain
from grasp.ontology import Ontology, OntologyError
from grasp.runtime import Runtime
from grasp.transcript import claims_from_transcript

app = typer.Typer(help="Grasp: assess how deeply a person understands LLMs.",
                  no_args_is_help=True, add_completion=False)

STATUS_MARKS = {"met": "✅", "partial": "🔄", "unmet": "❌"}
FORMATS_BY_SUFFIX = {
    ".json": InputFormat.JSON,
    ".ttl": InputFormat.TURTLE,
    ".jsonld": InputFormat.JSON_LD,
    ".rdf": InputFormat.RDF_XML,
    ".owl": InputFormat.RDF_XML,
    ".xml": InputFormat.RDF_XML,
}

Lang = Annotated[str, typer.Option("--lang", help="Language of labels: en or ru.")]


@app.command()
def assess(
    file: Annotated[Optional[str], typer.Argument(
        help="Claims file (JSON, Turtle, JSON-LD, RDF/XML), or - for stdin.")] = None,
    transcript: Annotated[Optional[Path], typer.Option(
        "--transcript", help="A chat export: assess the user's own turns.")] = None,
    subject: Annotated[str, typer.Option(
        help="Who the transcript's user is (with --transcript).")] = "transcript-user",
    table: Annotated[bool, typer.Option("--table", help="Print the level table instead of JSON.")] = False,
    lang: Lang = "en",
    input_format: Annotated[Optional[InputFormat], typer.Option(
        "--format", help="Input media type; guessed from the file name otherwise.")] = None,
    save: Annotated[bool, typer.Option("--save", help="Also store the assessment.")] = False,
) -> None:
    """Assess the claims in FILE (or a chat transcript) and print the assessment."""
    if (file is None) == (transcript is None):
        _fail("Give either a claims FILE or --transcript FILE.")
    settings = Settings()
    # A one-off command gains nothing by answering before its write: write, then print.
    runtime = _open(settings.model_copy(update={"write_behind": False})) if save else None
    try:
        assessor = runtime.assessor if runtime else _assessor(settings)
        if transcript is not None:
            claims = claims_from_transcript(transcript.read_text(encoding="utf-8"),
                                            subject=subject, base_iri=settings.base_iri)
        else:
            body = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
            fmt = input_format or FORMATS_BY_SUFFIX.get(Path(file).suffix.lower(), InputFormat.JSON)
            claims = read_claims(body, fmt, base_iri=settings.base_iri)
        assessment = runtime.assess(claims) if runtime else assessor.assess(claims)
    except InvalidClaims as error:
        _fail(f"The claims do not conform to the claims shapes:\n{error.report.text()}")
    except InputError as error:
        _fail(f"{error.field}: {error.message}")
    finally:
        if runtime:
            runtime.close()
    if table:
        typer.echo(level_table(assessment, assessor.ontology, lang))
        typer.echo("")
        typer.echo(explain(assessment, assessor.ontology, lang))
    else:
        typer.echo(json.dumps(assessment.to_json(assessor.ontology, lang), ensure_ascii=False, indent=2))


@app.command()
def levels(lang: Lang = "en") -> None:
    """Print the levels of the ontology with their requirements and prohibitions."""
    ontology = _assessor(Settings()).ontology
    for level in ontology.levels:
        typer.echo(f"{level.rank}. {ontology.label(level.iri, lang)}  <{level.iri}>")
        for base in level.builds_on:
            typer.echo(f"   builds on: {ontology.label(base, lang)}")
        for rule in level.rules:
            verb = "forbids" if rule.prohibition else "requires"
            typer.echo(f"   {verb}: {ontology.label(rule.concept, lang)}")


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (GRASP_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to listen on (GRASP_PORT).")] = None,
) -> None:
    """Serve the HTTP API on the configured store."""
    import uvicorn

    from grasp.api.app import create_app

    settings = Settings()
    runtime = _open(settings)
    try:
        uvicorn.run(create_app(runtime=runtime), host=host or settings.host,
                    port=port if port is not None else settings.port,
                    access_log=settings.access_log)
    finally:
        runtime.close()


@app.command()
def check(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Ontology files or folders; GRASP_ONTOLOGY by default.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    no_reasoner: Annotated[bool, typer.Option("--no-reasoner", help="Skip HermiT.")] = False,
) -> None:
    """Check the ontology: consistency, level rules, QC queries, OWL 2 DL profile.

    Exit status: 0 clean, 1 errors found, 2 the checks could not run.
    """
    from grasp.check import main

    raise typer.Exit(main(paths or Settings().ontology_paths, as_json=as_json,
                          reasoner=not no_reasoner))


@app.command()
def mine(
    files: Annotated[list[Path], typer.Argument(help="Labelled statements (JSON Lines), as in eval/.")],
    write: Annotated[Optional[Path], typer.Option(
        "--write", help="Write the proposals into this Turtle file (the ontology's own).")] = None,
    min_gain: Annotated[int, typer.Option(
        "--min-gain", help="Labels a phrase must correct, net of those it breaks.")] = 2,
    min_hands: Annotated[int, typer.Option(
        "--min-hands", help="Writers whose statements a phrase must help.")] = 2,
    prune: Annotated[bool, typer.Option(
        "--prune/--no-prune", help="Also propose removing harmful phrases.")] = True,
) -> None:
    """Propose indicator phrases (and removals) that the labelled statements support."""
    from grasp.evaluation import tuning_statements
    from grasp.mining import apply_to_turtle
    from grasp.mining import mine as propose
    from grasp.ontology import load_ontology

    settings = Settings()
    statements = tuning_statements(files)
    proposals = propose(load_ontology(settings.ontology_paths), statements,
                        min_gain=min_gain, min_hands=min_hands, prune=prune)
    typer.echo("| change | concept | property | phrase | gain |\n|---|---|---|---|---:|")
    for proposal in proposals:
        typer.echo(f"| {proposal.row()} |")
    if write is not None:
        apply_to_turtle(write, proposals)
        typer.echo(f"{len(proposals)} changes written to {write}", err=True)


@app.command("train-reader")
def train_reader(
    files: Annotated[list[Path], typer.Argument(help="Labelled statements (JSON Lines), as in eval/.")],
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Weights file. Default: reader.json beside the ontology.")] = None,
) -> None:
    """Train the learned reader on labelled statements (held-out ones are skipped)."""
    from grasp.evaluation import tuning_statements
    from grasp.ontology import load_ontology
    from grasp.reader import reader_path, train

    settings = Settings()
    ontology = load_ontology(settings.ontology_paths)
    statements = tuning_statements(files)
    model = train(ontology, statements)
    out = out or reader_path(ontology)
    out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    typer.echo(f"{len(statements)} statements, {len(model['weights'])} features: {out}", err=True)


def level_table(assessment: Assessment, ontology: Ontology, lang: str = "en") -> str:
    """Return the seed's table: each level, its characteristic statement, ✅ 🔄 or ❌."""
    head = {"en": ("Level", "Characteristic view", "Status"),
            "ru": ("Уровень", "Краткое описание", "Статус")}[lang if lang == "ru" else "en"]
    rows = [f"| {head[0]} | {head[1]} | {head[2]} |", "|---|---|---|"]
    for result in assessment.levels:
        statement = ontology.statement(result.level, lang) or ""
        rows.append(f"| {result.rank}. {ontology.label(result.level, lang)} | {statement} "
                    f"| {STATUS_MARKS.get(result.status, result.status)} |")
    highest = (f"{ontology.label(assessment.level, lang)}" if assessment.level else "—")
    rows.append("")
    rows.append(("Наивысший выполненный уровень: " if lang == "ru" else "Highest met level: ")
                + highest)
    return "\n".join(rows)


def _assessor(settings: Settings):
    from grasp.assessment import Assessor
    from grasp.ontology import load_ontology

    try:
        return Assessor(load_ontology(settings.ontology_paths, reasoner=settings.reasoner),
                        learned_reader=settings.reader)
    except OntologyError as error:
        _fail(f"The ontology cannot be used:\n{error}")


def _open(settings: Settings) -> Runtime:
    try:
        return Runtime.open(settings)
    except OntologyError as error:
        _fail(f"The ontology cannot be used:\n{error}")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


app.command("eval")(eval_command)


if __name__ == "__main__":
    app()
