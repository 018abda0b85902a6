"""Every query file is valid SPARQL and says what it returns."""

import pyoxigraph as ox
import pytest

from grasp.queries import QUERIES_DIR

QUERY_FILES = sorted(QUERIES_DIR.rglob("*.rq"))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: str(p.relative_to(QUERIES_DIR)))
def test_query_file_parses_and_opens_with_a_comment(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), "a query file opens with a comment saying what it returns"
    # pyoxigraph parses the query when it runs it; an empty store makes that instant.
    ox.Store().query(text)


def test_there_are_queries():
    assert len(QUERY_FILES) >= 10
