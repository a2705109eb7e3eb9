"""`--only` with nothing in it is a mistake, not "every target"."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import ORG, Result


def test_empty_only_is_refused(cli: Callable[..., Result]) -> None:
    for value in ("", " , "):
        result = cli("plan", "--root", str(ORG), "--only", value)
        assert result.code == 1
        assert "setops: error: --only: name at least one target; targets are:" in result.err


def test_import_names_its_argument(cli: Callable[..., Result]) -> None:
    result = cli("import", "bogus", "--root", str(ORG))
    assert result.code == 1
    assert "Invalid value for 'SOURCE'" in result.err
