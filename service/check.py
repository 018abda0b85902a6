"""``grasp check``: report every mistake in the ontology, in plain words, before users see it.

The checks, in the order they run (ROBOT ``reason``/``report``/``validate-profile`` style):

1. ``load``: the files parse and their imports resolve offline (:mod:`grasp.sources`).
2. ``consistency``: HermiT finds the ontology consistent and every named class satisfiable.
3. ``ontology-rules``: the SHACL shapes ``shapes/ontology-rules.shacl.ttl``.
4. ``qc/<name>``: each ``queries/qc/<name>-violation.rq``; every row is a finding.
5. ``owl2-dl-profile``: the OWL API's ``OWL2DLProfile``, as Protégé's library sees it.

A failed check is a finding, not an exception. The exit status is 0 when there is no
error, 1 when there is one, 2 when the ontology could not be loaded or a check could not
run (no Java, for example).
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal, TextIO

from rdflib import Graph
from rdflib.namespace import OWL

from grasp.config import PROJECT_ROOT
from grasp.queries import QUERIES_DIR

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
QC_FOLDER = QUERIES_DIR / "qc"
DEFAULT_PATHS = (PROJECT_ROOT / "ontology",)


@dataclass(frozen=True)
class Finding:
    """One problem a check found: where it is (entity, property, value) and what it means."""

    check: str
    severity: Severity
    entity: str
    property: str
    value: str
    message: str


@dataclass
class CheckResult:
    """Everything ``grasp check`` found, and the checks it could not run."""

    findings: list[Finding] = field(default_factory=list)
    #: check name -> why it could not run (Java missing, the ontology did not load, ...).
    not_run: dict[str, str] = field(default_factory=dict)
    #: check name -> why it was left out on purpose (``--no-reasoner``).
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """Return 2 if a check could not run, else 1 if any error was found, else 0.

        >>> CheckResult().exit_code
        0
        >>> CheckResult([Finding("qc/x", "warning", "", "", "", "")]).exit_code
        0
        """
        if self.not_run:
            return 2
        return 1 if any(f.severity == "error" for f in self.findings) else 0

    def to_json(self) -> str:
        """Render the result as JSON: exit code, findings, checks not run or skipped."""
        return json.dumps(
            {
                "exit_code": self.exit_code,
                "findings": [asdict(f) for f in self.findings],
                "not_run": self.not_run,
                "skipped": self.skipped,
            },
            ensure_ascii=False,
            indent=2,
        )

    def to_table(self) -> str:
        """Render the result as a plain-text table for a terminal, worst findings first."""
        lines = []
        rows = [
            (
                f.severity.upper(),
                f.check,
                _short(f.entity),
                _short(f.property),
                _short(f.value),
                f.message,
            )
            for f in sorted(self.findings, key=lambda f: (SEVERITIES.index(f.severity), f.check))
        ]
        if rows:
            header = ("SEVERITY", "CHECK", "ENTITY", "PROPERTY", "VALUE", "MESSAGE")
            widths = [
                min(48, max(len(row[i]) for row in [header, *rows])) for i in range(len(header))
            ]
            for row in [header, *rows]:
                cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
                lines.append("  ".join([*cells, row[-1]]).rstrip())
        for check, reason in self.not_run.items():
            lines.append(f"NOT RUN  {check}: {reason}")
        for check, reason in self.skipped.items():
            lines.append(f"skipped  {check}: {reason}")
        counts = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        lines.append(
            f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes"
            + (f", {len(self.not_run)} checks not run" if self.not_run else "")
        )
        return "\n".join(lines)


def run_checks(paths: Sequence[Path | str] = (), *, reasoner: bool = True) -> CheckResult:
    """Load the ontology from ``paths`` (default: the shipped one) and run every check."""
    from grasp.reasoning import ReasoningError, reason
    from grasp.sources import OntologyLoadError, read_ontology

    result = CheckResult()
    try:
        graph = read_ontology(list(paths) or list(DEFAULT_PATHS))
    except OntologyLoadError as error:
        result.not_run["load"] = str(error)
        result.findings.append(Finding("load", "error", "", "", "", str(error)))
        return result

    # The profile check is a JVM of its own: run it while HermiT runs in another.
    profile = CheckResult()
    profile_thread = threading.Thread(target=_run_profile, args=(graph, profile), daemon=True)
    profile_thread.start()

    # The QC queries and shapes see the inferred hierarchy, so that a subclass stated in
    # Protégé counts the way the assessment counts it.
    if reasoner:
        try:
            reasoned = reason(graph, reasoner="hermit")
        except ReasoningError as error:
            result.not_run["consistency"] = str(error)
            reasoned = reason(graph, reasoner="none")
        else:
            result.findings.extend(_consistency_findings(reasoned))
    else:
        result.skipped["consistency"] = "--no-reasoner: HermiT not run"
        reasoned = reason(graph, reasoner="none")
    closed = Graph()
    closed += graph
    closed += reasoned.hierarchy

    _run_shapes(closed, result)
    for query in sorted(QC_FOLDER.glob("*-violation.rq")):
        result.findings.extend(run_query(query, closed))
    profile_thread.join()
    result.findings.extend(profile.findings)
    result.not_run.update(profile.not_run)
    return result


def main(
    paths: Sequence[Path | str] = (),
    *,
    as_json: bool = False,
    reasoner: bool = True,
    out: TextIO | None = None,
) -> int:
    """Run the checks, print the table (or JSON) and return the exit status for the CLI."""
    result = run_checks(paths, reasoner=reasoner)
    print(result.to_json() if as_json else result.to_table(), file=out or sys.stdout)
    return result.exit_code


def run_query(query: Path, graph: Graph) -> list[Finding]:
    """Run one ``*-violation.rq`` over the graph; each row it returns is a finding."""
    check = "qc/" + query.name.removesuffix("-violation.rq")
    described = describe_query(query)
    findings = []
    for row in graph.query(query.read_text(encoding="utf-8")):
        values = row.asdict()
        severity = str(values.get("severity", "error"))
        findings.append(
            Finding(
                check=check,
                severity=severity if severity in SEVERITIES else "error",  # type: ignore[arg-type]
                entity=str(values.get("entity", "")),
                property=str(values.get("property", "")),
                value=str(values.get("value", "")),
                message=str(values.get("message") or described),
            )
        )
    return findings


def describe_query(query: Path) -> str:
    """Return what a QC query checks: the text of its opening comment line."""
    first = query.read_text(encoding="utf-8").splitlines()[0]
    return first.lstrip("#").strip()


# --- the checks that need more than a query ---------------------------------------------


def _consistency_findings(reasoned) -> list[Finding]:
    if not reasoned.consistent:
        return [
            Finding(
                "consistency",
                "error",
                "",
                "",
                "",
                "the ontology is inconsistent: no world satisfies all its axioms "
                "(open it in Protégé, run HermiT and use 'Explain inconsistent ontology')",
            )
        ]
    return [
        Finding(
            "consistency",
            "error",
            str(iri),
            str(OWL.equivalentClass),
            str(OWL.Nothing),
            "is unsatisfiable: no individual can belong to it, so no claim can affirm it "
            "(often two disjoint superclasses)",
        )
        for iri in reasoned.unsatisfiable
    ]


def _run_shapes(graph: Graph, result: CheckResult) -> None:
    try:
        from grasp.validation import validate_ontology_rules
    except ImportError as error:
        result.not_run["ontology-rules"] = f"grasp.validation is not available: {error}"
        return
    report = validate_ontology_rules(graph)
    for violation in report.violations:
        severity = str(getattr(violation, "severity", "error")).rsplit("#", 1)[-1].lower()
        severity = {"violation": "error", "warning": "warning", "info": "info"}.get(
            severity, severity if severity in SEVERITIES else "error"
        )
        result.findings.append(
            Finding(
                "ontology-rules",
                severity,  # type: ignore[arg-type]
                _text(violation.focus),
                _text(violation.path),
                _text(violation.value),
                str(violation.message),
            )
        )


def _run_profile(graph: Graph, result: CheckResult) -> None:
    from grasp import owlapi

    if not owlapi.available():
        result.not_run["owl2-dl-profile"] = (
            "the OWL API is not installed (apt-get install default-jdk-headless libowlapi-java)"
        )
        return
    # The OWL API reads the merged, cleaned graph: the imports are already in it, and it
    # must not go looking for them.
    with tempfile.TemporaryDirectory(prefix="grasp-check-") as folder:
        document = Path(folder) / "ontology.ttl"
        merged = Graph()
        merged += graph
        merged.remove((None, OWL.imports, None))
        merged.serialize(document, format="turtle", encoding="utf-8")
        try:
            violations = owlapi.dl_profile_report(document)
        except owlapi.OwlApiError as error:
            result.not_run["owl2-dl-profile"] = str(error)
            return
    for violation in violations:
        result.findings.append(
            Finding(
                "owl2-dl-profile",
                "error",
                violation.entity,
                "",
                violation.kind,
                violation.message,
            )
        )


def _text(node: object) -> str:
    return "" if node is None else str(node)


def _short(text: str) -> str:
    if not text:
        return ""
    from grasp.namespaces import compact

    return compact(text)


if __name__ == "__main__":  # `python -m grasp.check [--json] [--no-reasoner] [PATH...]`
    arguments = sys.argv[1:]
    flags = {a for a in arguments if a.startswith("--")}
    sys.exit(
        main(
            [a for a in arguments if not a.startswith("--")],
            as_json="--json" in flags,
            reasoner="--no-reasoner" not in flags,
        )
    )
