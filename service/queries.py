"""The SPARQL queries of Grasp, read from ``queries/``: one question a file.

A query's text is never built from user input: values are bound through pyoxigraph's
``substitutions`` (SPARQL 1.1 ``VALUES``-like binding), so a quote in a claim stays data.
"""

from __future__ import annotations

from functools import cache
from grasp.config import PROJECT_ROOT

QUERIES_DIR = PROJECT_ROOT / "queries"


@cache
def query(name: str) -> str:
    """Return the text of ``queries/api/<name>.rq``.

    >>> "CONSTRUCT" in query("highest-level")
    True
    """
    return (QUERIES_DIR / "api" / f"{name}.rq").read_text(encoding="utf-8")
