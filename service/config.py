"""Configuration: one typed settings object, read from ``GRASP_*`` environment variables.

Nothing else in Grasp reads the environment. The API and the CLI build one
:class:`Settings` and pass it down.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The project's root folder: ontology/, shapes/ and queries/ live beside service/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_store() -> Path:
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "grasp" / "store"


def _default_cache() -> Path:
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "grasp"


class Settings(BaseSettings):
    """Every setting of Grasp; each field is the environment variable ``GRASP_<NAME>``.

    >>> Settings(ontology="ontology:extra.ttl").ontology_paths[-1].name
    'extra.ttl'
    """

    model_config = SettingsConfigDict(env_prefix="GRASP_", extra="ignore")

    ontology: str = Field(
        default=str(PROJECT_ROOT / "ontology"),
        description="Ontology files or folders to load, separated by ':'.",
    )
    store: Path = Field(
        default_factory=_default_store,
        description="Directory of the embedded persistent triple store.",
    )
    cache: Path = Field(
        default_factory=_default_cache,
        description="Directory for built helpers (the compiled OWL API tool).",
    )
    base_iri: str = Field(
        default="https://w3id.org/grasp/data/",
        description="Namespace for the IRIs Grasp mints (assessments, claims, persons).",
    )
    max_body_bytes: int = Field(default=1024 * 1024, gt=0, description="Largest request body.")
    host: str = Field(default="127.0.0.1", description="Address `grasp serve` listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `grasp serve` listens on.")
    query_timeout: float = Field(default=10.0, gt=0, description="SPARQL query deadline, seconds.")
    query_max_rows: int = Field(default=10_000, gt=0, description="Most rows a SPARQL answer gives.")
    query_workers: int = Field(default=2, ge=1, description="Worker processes for SPARQL queries.")
    query_cache_bytes: int = Field(
        default=64 * 1024 * 1024, ge=0,
        description="Bytes of SPARQL answers kept in memory; 0 turns the cache off.",
    )
    update_token: str | None = Field(
        default=None, description="Bearer token that enables SPARQL Update; unset: read-only."
    )
    admin_token: str | None = Field(
        default=None, description="Bearer token for /admin endpoints; unset: they are off."
    )
    cors_origins: list[str] = Field(default=[], description="Origins allowed by CORS.")
    reader: bool = Field(
        default=True,
        description="Read free text with the learned reader when its weights (reader.json) lie beside the ontology; false: phrases only.",
    )
    reasoner: Literal["hermit", "owlrl", "none"] = Field(
        default="hermit",
        description="Reasoner that materialises the class hierarchy at each ontology load.",
    )
    watch_ontology: bool = Field(
        default=True, description="Reload the ontology when its files change."
    )
    access_log: bool = Field(default=True, description="`grasp serve` logs every request.")
    write_behind: bool = Field(
        default=True,
        description="Answer POST /assess before the disk write ends (every read waits for it).",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str) and not value.startswith("["):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def ontology_paths(self) -> list[Path]:
        """The ontology sources, in load order; relative paths resolve from the working folder."""
        return [Path(part) for part in self.ontology.split(":") if part]
