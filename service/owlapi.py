"""Protégé's own reader and writer, the OWL API, through a small Java program.

``tools/owlapi/GraspOwlApi.java`` is compiled on first use against the OWL API jars that
Debian's ``libowlapi-java`` puts in ``/usr/share/java``, into
``$XDG_CACHE_HOME/grasp/owlapi/<hash of the source>/`` (``~/.cache`` by default); a changed
source compiles anew. Each call starts a JVM (about 1 s), so call it from checks and tests,
never per request.
"""

from __future__ import annotations

import enum
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grasp.config import PROJECT_ROOT, Settings

SOURCE = PROJECT_ROOT / "tools" / "owlapi" / "GraspOwlApi.java"
JAVA_LIBS = Path("/usr/share/java")
#: The OWL API bundle and what it needs at run time, as Debian names the jars.
JARS = (
    "owlapi-distribution.jar",
    "guava.jar",
    "caffeine.jar",
    "commons-io.jar",
    "commons-rdf-api.jar",
    "slf4j-api.jar",
    "slf4j-nop.jar",
    "atinject-jsr330-api.jar",
    "hppcrt.jar",
    "xz.jar",
    "jsonld-java.jar",
)
TIMEOUT_SECONDS = 300


class OwlApiError(Exception):
    """The OWL API tool is missing or failed; the message says which and why."""


class SaveFormat(enum.Enum):
    """The syntaxes Protégé can save in (the names the Java tool takes)."""

    RDF_XML = "rdfxml"
    OWL_XML = "owlxml"
    TURTLE = "turtle"
    FUNCTIONAL = "functional"
    MANCHESTER = "manchester"


@dataclass(frozen=True)
class ProfileViolation:
    """One way an ontology leaves the OWL 2 DL profile, as ``OWL2DLProfile`` reports it."""

    kind: str
    entity: str
    message: str


def available() -> bool:
    """Tell whether Java, javac and the OWL API jars are on this machine."""
    return (
        shutil.which("java") is not None
        and shutil.which("javac") is not None
        and (JAVA_LIBS / JARS[0]).is_file()
    )


def convert(path: Path, out: Path, fmt: SaveFormat | str) -> Path:
    """Load ``path`` with the OWL API and save it to ``out`` in ``fmt``, as Protégé would."""
    name = SaveFormat(fmt).value
    _run("convert", str(Path(path).resolve()), str(Path(out).resolve()), name)
    return Path(out)


def dl_profile_violations(path: Path) -> list[str]:
    """List the ``OWL2DLProfile`` violations of an ontology file in plain words; [] if in DL."""
    return [violation.message for violation in dl_profile_report(path)]


def dl_profile_report(path: Path) -> list[ProfileViolation]:
    """Check an ontology file against the OWL 2 DL profile; one entry per violation."""
    output = _run("profile", str(Path(path).resolve()))
    violations = []
    for line in output.splitlines():
        kind, _, rest = line.partition("\t")
        entity, _, message = rest.partition("\t")
        if kind:
            violations.append(ProfileViolation(kind=kind, entity=entity, message=message))
    return violations


def _run(*args: str) -> str:
    command = ["java", "-cp", _classpath(), "GraspOwlApi", *args]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise OwlApiError(f"the OWL API tool took more than {TIMEOUT_SECONDS} s") from error
    if done.returncode != 0:
        raise OwlApiError(f"the OWL API could not {args[0]} {args[1]}: {done.stderr.strip()}")
    return done.stdout


def _classpath() -> str:
    if not available():
        raise OwlApiError(
            "the OWL API is not installed: apt-get install default-jdk-headless libowlapi-java"
        )
    jars = [JAVA_LIBS / jar for jar in JARS]
    # The rdf4j parsers register themselves with the OWL API; without them loading fails.
    jars += sorted(p for p in JAVA_LIBS.glob("rdf4j-*.jar") if not p.stem[-1].isdigit())
    return os.pathsep.join([str(_compiled()), *map(str, jars)])


@cache
def _compiled() -> Path:
    """Compile the Java tool once per source version; return the folder of its class."""
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    target = Settings().cache / "owlapi" / digest
    if (target / "GraspOwlApi.class").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Compile into a fresh folder and rename it, so two processes never see half a build.
    building = Path(tempfile.mkdtemp(dir=target.parent))
    jars = os.pathsep.join(str(JAVA_LIBS / jar) for jar in JARS)
    done = subprocess.run(
        ["javac", "-nowarn", "-d", str(building), "-cp", jars, str(SOURCE)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        raise OwlApiError(f"javac could not compile {SOURCE}: {done.stderr.strip()}")
    try:
        building.rename(target)
    except OSError:  # another process finished first; its build is the same source
        shutil.rmtree(building, ignore_errors=True)
    return target
