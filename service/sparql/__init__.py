"""Grasp's SPARQL 1.1 endpoint: query checks, worker processes, formats, description.

The HTTP layer is :mod:`grasp.api.sparql`; this package imports nothing from FastAPI.
"""
