"""Grasp: assess how deeply a person understands large language models.

The rules live in the OWL ontology (``ontology/``), the SHACL shapes (``shapes/``) and the
SPARQL queries (``queries/``); this package reads them and runs them.
"""

__version__ = "0.1.0"
