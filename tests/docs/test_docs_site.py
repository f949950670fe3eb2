"""The documentation site is consistent: every page is in a toctree, every wing has an API page, the README's
links resolve, and LICENSE / CITATION.cff agree with the package.  The full ``sphinx-build -W`` (about 40 s)
is the slow test here and a step of ``.ci/run``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PKG = ROOT / "sgmverify"

#: Top-level modules of the engine that are part of the public API (each has an ``__all__``).
PUBLIC_MODULES = ("estimates", "expressions", "symbolic", "errors")


def _pages() -> set[str]:
    """Every source page of the site, as a docname (``api/laws``), outside ``_build`` and ``_templates``."""
    out = set()
    for path in DOCS.rglob("*"):
        rel = path.relative_to(DOCS)
        if path.suffix in (".rst", ".md") and rel.parts[0] not in ("_build", "_templates"):
            out.add(rel.with_suffix("").as_posix())
    return out


def _toctree_entries(page: str) -> list[str]:
    """Docnames listed in the toctrees of one page (rst ``.. toctree::`` or MyST ```{toctree}``` blocks)."""
    path = next(DOCS.glob(f"{page}.*"))
    entries: list[str] = []
    mode = None  # "rst" / "md" inside a toctree
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if mode == "md" and stripped.startswith("```"):
            mode = None
            continue
        if mode == "rst" and stripped and not line[0].isspace():
            mode = None  # the toctree ended; this line may open the next one
        if mode is None:
            mode = "rst" if stripped == ".. toctree::" else "md" if stripped == "```{toctree}" else None
        elif stripped and not stripped.startswith(":"):
            entries.append((Path(page).parent / stripped).as_posix())
    return entries


def test_every_toctree_entry_exists_and_every_page_is_reachable():
    pages = _pages()
    assert "index" in pages
    reached, todo = {"index"}, ["index"]
    while todo:
        page = todo.pop()
        for entry in _toctree_entries(page):
            assert entry in pages, f"{page} lists {entry!r}, which is not a page of docs/"
            if entry not in reached:
                reached.add(entry)
                todo.append(entry)
    assert pages - reached == set(), f"pages in no toctree (sphinx -W fails on them): {pages - reached}"


def test_every_public_namespace_has_an_api_page():
    wings = sorted(p.name for p in PKG.iterdir() if (p / "__init__.py").exists() and p.name != "cli")
    for name in [*wings, *PUBLIC_MODULES]:
        page = DOCS / "api" / f"{name}.rst"
        assert page.exists(), f"no API page for sgmverify.{name}: add docs/api/{name}.rst"
        assert f".. wing-api:: sgmverify.{name}\n" in page.read_text()
        assert f"   {name}\n" in (DOCS / "api" / "index.rst").read_text()


def test_the_cli_page_documents_the_parser():
    text = (DOCS / "cli.rst").read_text()
    assert ":module: sgmverify.cli" in text and ":func: build_parser" in text


def test_readme_links_to_docs_resolve():
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(((?:docs|examples)/[^)#]*)\)", readme)
    for needed in ("docs/own_theorem.md", "docs/own_model.md", "examples/"):
        assert needed in targets, f"the README should link to {needed}"
    for target in targets:
        if target.startswith("docs/"):
            assert (ROOT / target).exists(), f"README links to missing {target}"


def test_license_and_citation_agree_with_the_package():
    yaml = pytest.importorskip("yaml")
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = { text = "MIT" }' in pyproject
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License") and "The sgmverify authors" in license_text
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    version = re.search(r'__version__ = "([^"]+)"', (PKG / "_version.py").read_text()).group(1)
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "version", "license", "date-released"} <= set(cff)
    assert str(cff["version"]) == version
    assert cff["license"] == "MIT"
    assert cff["authors"] == [{"name": "The sgmverify authors"}]


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    """The CI command: warnings are errors."""
    if shutil.which("sphinx-build") is None:
        pytest.skip("sphinx is not installed (pip install -e '.[docs]')")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert (tmp_path / "index.html").exists() and (tmp_path / "api" / "laws.html").exists()
