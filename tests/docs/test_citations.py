"""Every citation of the paper notes in ``proofs_checks/`` and ``sgmverify/`` resolves.

Convention (``docs/papers/README.md``): a citation names a section of a notes file (``§4.1b``:
a heading ``#… §4.1b …``) and optionally labelled items (``claim 7``, ``R2``, ``C6``, ``Check A``: a
line whose first bold span starts with the label).  Inside a paper suite ``proofs_checks/<suite>/``
a ``§`` refers to ``docs/papers/<suite>.md`` (written ``notes §X``); everywhere else the citation
must name the file, ``docs/papers/<file>.md §X``.  The old name of the notes, "digest", must not
appear.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTES_DIR = ROOT / "docs" / "papers"
SCANNED = ("proofs_checks", "sgmverify")
SUITES = "proofs_checks"

SEC = r"\d+(?:\.\d+)*(?:[a-z](?![A-Za-z]))?"

# ------------------------------------------------------------------------------------- the notes files
HEADING_RE = re.compile(r"^(#{1,6})\s")
SECTION_RE = re.compile(rf"^#{{2,6}}\s+§({SEC})(?=\s|$)")
LABEL_LINE_RE = re.compile(r"^\s*(?:[-*+]\s+|\d+\.\s+)?\*\*(claim\s+\d+|[RC]\d+|Check\s+[A-Z])(?=[\s.:*)])")


@dataclass
class Notes:
    """Section ids of one notes file, with the labels inside each section (sub-sections included)."""

    name: str
    sections: dict[str, set[str]]
    labels: Counter
    problems: list[str]


def _norm_label(label: str) -> str:
    label = " ".join(label.split())
    return re.sub(r"^(?:claims?|items?)\b", "claim", label, flags=re.IGNORECASE)


def parse_notes(text: str, name: str) -> Notes:
    sections: dict[str, set[str]] = {}
    labels: Counter = Counter()
    problems: list[str] = []
    stack: list[tuple[int, str]] = []
    fenced = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = HEADING_RE.match(line)
        if heading:
            level = len(heading.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            section = SECTION_RE.match(line)
            if section:
                sid = section.group(1)
                if sid in sections:
                    problems.append(f"{name}.md:{lineno}: duplicate section §{sid}")
                sections.setdefault(sid, set())
                stack.append((level, sid))
            continue
        item = LABEL_LINE_RE.match(line)
        if item:
            label = _norm_label(item.group(1))
            labels[label] += 1
            for _, sid in stack:
                sections[sid].add(label)
    problems += [f"{name}.md: label {label!r} defined {n} times" for label, n in labels.items() if n > 1]
    return Notes(name, sections, labels, problems)


# ----------------------------------------------------------------------------------- citations in code
DIGEST_RE = re.compile(r"\bdigest\b", re.IGNORECASE)  # "hexdigest" has no word boundary before "digest"
NOTES_PATH_RE = re.compile(r"docs/papers/([\w.-]+?)\.md\b")
OTHER_MD_RE = re.compile(r"(?<![\w/.-])([\w.-]+)\.md\b(?=[`'\")\s]*§)")
MARKER_RE = re.compile(
    r"(?P<file>docs/papers/(?P<name>[\w.-]+?)\.md\b)"
    r"|(?P<local>\b(?:notes|reference)\b|\bref\.)"
    r"|(?P<external>\[\d+\]_?|\bet al\.|\(\s*(?:19|20)\d\d[a-z]?\s*\))",
    re.IGNORECASE,
)
ANCHOR_RE = re.compile(rf"§\s*({SEC})(?:\s*[-–]\s*§?\s*({SEC}))?")
LABEL_TOKEN_RE = re.compile(
    r"(?P<claims>(?:claims?|items?)\s+\d+(?:\s*(?:,|and|or|[-–])\s*\d+)*)"
    r"|(?P<rc>[RC]\d+(?:\s*[-–]\s*[RC]?\d+)?)\b"
    r"|(?P<check>Check\s+[A-Z])\b"
)
LABEL_SEP_RE = re.compile(r"\s*(?:,|\+|&|\band\b)\s*")
BLANKS_RE = re.compile(r"[ \t]*")
PRE_LABEL_RE = re.compile(
    r"\b(?P<kind>claims?|items?|checks?)\s+(?P<list>[\dA-Z](?:[\w\s,–-]*?))\s+"
    r"(?:of\s+the\s+notes\s*\(\s*|\(\s*notes\s+)$",
    re.IGNORECASE,
)
PARAGRAPH_BREAK_RE = re.compile(r"^[ \t]*(?:#:?)?[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Citation:
    where: str  # "path:line"
    notes: str  # notes file name, without ".md"
    sections: tuple[str, ...]
    labels: tuple[tuple[str, bool], ...]  # (label, must be inside the cited section)
    text: str


def _expand_numbers(spec: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|\band\b|\bor\b)\s*", spec.strip()):
        bounds = [int(n) for n in re.findall(r"\d+", part)]
        if len(bounds) == 2 and re.search(r"[-–]", part):
            out += range(bounds[0], bounds[1] + 1)
        else:
            out += bounds
    return out


def _labels_of(token: re.Match) -> list[str]:
    if token.group("claims"):
        return [f"claim {n}" for n in _expand_numbers(token.group("claims").split(None, 1)[1])]
    if token.group("rc"):
        spec = token.group("rc")
        kind = spec[0]
        return [f"{kind}{n}" for n in _expand_numbers(spec.replace(kind, " "))]
    return [" ".join(token.group("check").split())]


def _labels_after(text: str, pos: int) -> tuple[list[tuple[str, bool]], int]:
    """Labels after a section: attached (``§6 claim 7``) or after a separator (``§4, claim 12``)."""
    found: list[tuple[str, bool]] = []
    token = LABEL_TOKEN_RE.match(text, BLANKS_RE.match(text, pos).end())
    attached = token is not None
    while True:
        if token is None:
            sep = LABEL_SEP_RE.match(text, pos)
            if sep is None:
                break
            token = LABEL_TOKEN_RE.match(text, sep.end())
            if token is None:
                break
        found += [(label, attached) for label in _labels_of(token)]
        pos, token, attached = token.end(), None, False
    return found, pos


def _labels_before(text: str, start: int) -> list[tuple[str, bool]]:
    """Labels written before the section: ``Claims 3 and 7 of the notes (§6)``, ``Check C (notes §5)``."""
    match = PRE_LABEL_RE.search(text[max(0, start - 160) : start])
    if match is None:
        return []
    if match.group("kind").lower().startswith("check"):
        return [(f"Check {x}", True) for x in re.findall(r"\b[A-Z]\b", match.group("list"))]
    return [(f"claim {n}", True) for n in _expand_numbers(match.group("list"))]


def default_notes(rel: str) -> str | None:
    """The notes of the paper suite that ``rel`` belongs to (None for engine and top-level modules)."""
    parts = Path(rel).parts
    return parts[1] if parts[0] == SUITES and len(parts) > 2 else None


def extract(text: str, rel: str, known: set[str]) -> tuple[list[Citation], list[str]]:
    """Citations of the notes in one source file, and the problems that need no notes to detect."""
    problems: list[str] = []

    def where(pos: int) -> str:
        return f"{rel}:{text.count(chr(10), 0, pos) + 1}"

    for m in DIGEST_RE.finditer(text):
        problems.append(
            f"{where(m.start())}: 'digest' citation left (write notes §… / docs/papers/<file>.md §…)"
        )
    for m in NOTES_PATH_RE.finditer(text):
        if m.group(1) not in known:
            problems.append(f"{where(m.start())}: docs/papers/{m.group(1)}.md does not exist")
    for m in OTHER_MD_RE.finditer(text):
        if not text[: m.start()].endswith("docs/papers/"):
            problems.append(f"{where(m.start())}: {m.group(0)} § names no file of docs/papers/")

    breaks = [0] + [m.start() for m in PARAGRAPH_BREAK_RE.finditer(text)]
    markers = list(MARKER_RE.finditer(text))
    local = default_notes(rel)
    citations: list[Citation] = []
    for anchor in ANCHOR_RE.finditer(text):
        start = anchor.start()
        paragraph = max(b for b in breaks if b <= start)
        previous = [m for m in markers if paragraph <= m.start() and m.end() <= start]
        marker = previous[-1] if previous else None
        if marker is not None and marker.group("external"):
            continue  # a section of another source, named just before it
        notes = marker.group("name") if marker is not None and marker.group("file") else local
        if notes is None:
            problems.append(
                f"{where(start)}: {anchor.group(0)!r} does not name its notes file "
                "(engine modules write docs/papers/<file>.md §…)"
            )
            continue
        if notes not in known:
            continue  # reported above (unknown docs/papers/ file) or a suite without notes (test below)
        after, end = _labels_after(text, anchor.end())
        labels = _labels_before(text, start) + after
        sections = tuple(s for s in anchor.groups() if s)
        citations.append(Citation(where(start), notes, sections, tuple(labels), text[start:end].strip()))
    return citations, problems


def resolve(citation: Citation, notes: Notes) -> list[str]:
    problems = [
        f"{citation.where}: §{s} is not a section of {notes.name}.md ({citation.text!r})"
        for s in citation.sections
        if s not in notes.sections
    ]
    if problems:
        return problems
    for label, inside in citation.labels:
        if inside and label not in notes.sections[citation.sections[0]]:
            problems.append(
                f"{citation.where}: {label!r} is not in §{citation.sections[0]} of {notes.name}.md "
                f"({citation.text!r})"
            )
        elif not inside and label not in notes.labels:
            problems.append(f"{citation.where}: {label!r} is not in {notes.name}.md ({citation.text!r})")
    return problems


def check_source(text: str, rel: str, notes: dict[str, Notes]) -> tuple[list[Citation], list[str]]:
    citations, problems = extract(text, rel, set(notes))
    for citation in citations:
        problems += resolve(citation, notes[citation.notes])
    return citations, problems


# -------------------------------------------------------------------------------------- the repository
def load_notes() -> dict[str, Notes]:
    return {
        p.stem: parse_notes(p.read_text(encoding="utf-8"), p.stem)
        for p in sorted(NOTES_DIR.glob("*.md"))
        if p.name != "README.md"
    }


NOTES = load_notes()
SOURCES = sorted(p.relative_to(ROOT).as_posix() for d in SCANNED for p in (ROOT / d).rglob("*.py"))


def test_notes_exist():
    assert set(NOTES) == {
        "elamvazhuthi_oymak_pasqualetti_2023",
        "gao_nguyen_zhu_2023",
        "scarvelis_solomon_2025",
        "stephanovitch_2025",
    }
    assert (NOTES_DIR / "README.md").is_file()


@pytest.mark.parametrize("name", sorted(NOTES))
def test_notes_are_well_formed(name):
    """Unique section ids and labels; the notes' own cross-references resolve."""
    notes = NOTES[name]
    assert notes.sections, f"{name}.md has no '## §N …' headings"
    problems = list(notes.problems)
    text = (NOTES_DIR / f"{name}.md").read_text(encoding="utf-8")
    for anchor in ANCHOR_RE.finditer(text):
        labels, end = _labels_after(text, anchor.end())
        line = text.count("\n", 0, anchor.start()) + 1
        sections = tuple(s for s in anchor.groups() if s)
        citation = Citation(f"{name}.md:{line}", name, sections, tuple(labels), text[anchor.start() : end])
        problems += resolve(citation, notes)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.parametrize(
    "suite", sorted(p.name for p in (ROOT / SUITES).iterdir() if p.is_dir() and p.name[0] != "_")
)
def test_every_paper_suite_has_notes(suite):
    assert suite in NOTES, f"proofs_checks/{suite}/ has no docs/papers/{suite}.md"


@pytest.mark.parametrize("rel", SOURCES)
def test_citations_resolve(rel):
    text = (ROOT / rel).read_text(encoding="utf-8")
    _, problems = check_source(text, rel, NOTES)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_citations_are_found():
    """The scan sees the citations (a broken pattern would make every file pass vacuously)."""
    counts: Counter = Counter()
    for rel in SOURCES:
        citations, _ = check_source((ROOT / rel).read_text(encoding="utf-8"), rel, NOTES)
        counts.update(c.notes for c in citations)
    assert set(counts) == set(NOTES), counts
    assert sum(counts.values()) >= 100, counts


# --------------------------------------------------------------------------------- the resolver itself
FAKE = """# Notes: a fake paper

## §1 Setup
- **R1.** a result.

## §2 Claims
### §2.1 First
#### §2.1b Detail
- **claim 1.** one.
- **claim 2.** two.
**Check A.** a check.
"""
FAKE_NOTES = {"fake": parse_notes(FAKE, "fake")}
SUITE_FILE = "proofs_checks/fake/checks.py"
ENGINE_FILE = "sgmverify/module.py"


def _problems(source: str, rel: str) -> list[str]:
    return check_source(source, rel, FAKE_NOTES)[1]


def test_fake_notes_parse():
    notes = FAKE_NOTES["fake"]
    assert set(notes.sections) == {"1", "2", "2.1", "2.1b"}
    assert notes.sections["1"] == {"R1"}
    assert (
        notes.sections["2"]
        == notes.sections["2.1"]
        == notes.sections["2.1b"]
        == {"claim 1", "claim 2", "Check A"}
    )


@pytest.mark.parametrize(
    ("source", "rel"),
    [
        ("# notes §2.1b and §1 R1", SUITE_FILE),
        ('"""Claims 1 and 2 of the notes (§2)."""', SUITE_FILE),
        ("x = ref('notes §2 claims 1 and 2; §1, claim 2')", SUITE_FILE),
        ("# (reference §1-§2.1, §2 Check A)", SUITE_FILE),
        ("# Check A (notes §2.1)", SUITE_FILE),
        ("# see ``docs/papers/fake.md``\n# §2 item 1", ENGINE_FILE),
        ("# docs/papers/fake.md §1 R1, claim 2", ENGINE_FILE),
        ("# Kloeden, Platen (1992), [2]_ §10.3, Szegedy et al. 2014, §4.3", ENGINE_FILE),
        ("h = hashlib.sha256(b'').hexdigest()", ENGINE_FILE),
    ],
)
def test_resolver_accepts(source, rel):
    assert _problems(source, rel) == []


@pytest.mark.parametrize(
    ("source", "rel", "expected"),
    [
        ("# notes §9", SUITE_FILE, "§9 is not a section"),
        ("# notes §2.1c", SUITE_FILE, "§2.1c is not a section"),
        ("# notes §2 claim 3", SUITE_FILE, "'claim 3' is not in §2"),
        ("# notes §1 claim 1", SUITE_FILE, "'claim 1' is not in §1"),
        ("# notes §2, R7", SUITE_FILE, "'R7' is not in fake.md"),
        ('"""Claim 5 of the notes (§2)."""', SUITE_FILE, "'claim 5' is not in §2"),
        ("# notes §1–§3", SUITE_FILE, "§3 is not a section"),
        ("# digest §2", SUITE_FILE, "'digest' citation left"),
        ("# Digest (§2)", ENGINE_FILE, "'digest' citation left"),
        ("# notes §2", ENGINE_FILE, "does not name its notes file"),
        ("# docs/papers/missing.md §2", ENGINE_FILE, "docs/papers/missing.md does not exist"),
        ("# ``fake_old.md`` §2", SUITE_FILE, "names no file of docs/papers/"),
    ],
)
def test_resolver_rejects(source, rel, expected):
    problems = _problems(source, rel)
    assert problems, f"{source!r} was accepted"
    assert any(expected in p for p in problems), problems
