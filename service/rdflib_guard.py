"""Keep rdflib from reaching the network or the disk while it evaluates SPARQL.

rdflib executes ``SERVICE`` clauses and, on a dataset, loads ``FROM <url>`` graphs by itself
(see the security notes in the README). Grasp never needs either, so importing this module
turns both off for the whole process; every module that runs SPARQL through rdflib or
pySHACL imports it first.
"""

from __future__ import annotations

import rdflib.plugins.sparql as rdflib_sparql
from rdflib.plugins.sparql.sparql import SPARQLError


def _refuse_service(ctx, part):  # noqa: ANN001 - rdflib's custom-eval signature
    if part.name == "ServiceGraphPattern":
        raise SPARQLError("SERVICE is disabled in Grasp")
    raise NotImplementedError  # let rdflib evaluate every other part itself


rdflib_sparql.SPARQL_LOAD_GRAPHS = False
rdflib_sparql.CUSTOM_EVALS["grasp-refuse-service"] = _refuse_service
