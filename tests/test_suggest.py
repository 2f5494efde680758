"""Code suggestions from the codebook, and coding by search, on real project files with the real pipeline."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qualcode.errors import QualcodeError
from qualcode.project.store import Project
from qualcode.suggest.autocode import apply_hits, find_hits
from qualcode.suggest.suggester import Suggester, dismiss


def test_lemma_keywords_with_reasons(demo_copy: Path, nlp) -> None:
    with Project.open(demo_copy, write=True) as project:
        suggester = Suggester(project, nlp)
        ranked = suggester.rank("Stopped drinking last year, and the tenancies are sorted.")
    codes = {code: (score, reasons) for code, score, reasons in ranked}
    score, reasons = codes["mt-mentee-substance-use"]
    assert score >= 0.5 and 'keyword "stopped drinking"' in reasons  # a capital letter does not hide a word
    assert 'keyword "drinking"' not in reasons  # the same words count once
    assert any("tenancy" in r for r in codes["mt-mentee-accommodation"][1])
    assert ranked == sorted(ranked, key=lambda s: -s[1])


def test_fuzzy_spelling_and_exclusion(demo_copy: Path, nlp) -> None:
    with Project.open(demo_copy, write=True) as project:
        suggester = Suggester(project, nlp)
        spelled = dict((c, r) for c, _, r in suggester.rank("She sorted my tennancy out."))
        assert any("close to keyword" in r and "tennancy" in r for r in spelled["mt-mentee-accommodation"])
        for code in suggester.exclusion:  # the exclusion halves a score, and says so
            profile = suggester.exclusion[code]
            if profile and code in dict((c, 0) for c, _, _ in suggester.rank(" ".join(profile))):
                reasons = dict((c, r) for c, _, r in suggester.rank(" ".join(profile)))[code]
                if any("exclusion" in r for r in reasons):
                    break
        else:
            pytest.fail("no code's exclusion criteria ever lowered its score")


def test_document_suggestions_leave_out_applied_dismissed_and_interviewers(demo_copy: Path, nlp) -> None:
    with Project.open(demo_copy, write=True) as project:
        document = project.document("mentee_ryan.md")
        suggester = Suggester(project, nlp, "amira")
        found = suggester.document(project, document, "amira", top=3)
        assert found and all(s.score >= 0.5 for s in found)
        roles = {
            r[0]
            for s in found
            for r in project.db.execute(
                'SELECT role FROM turn WHERE document_id = ? AND start <= ? AND "end" > ?',
                [document["id"], s.start, s.start],
            )
        }
        assert "interviewer" not in roles
        first = found[0]
        dismiss(project, "amira", document["id"], first.start, first.end, first.code)
        again = suggester.document(project, document, "amira", top=3)
        assert (first.start, first.code) not in {(s.start, s.code) for s in again}
        assert (first.start, first.code) in {
            (s.start, s.code) for s in suggester.document(project, document, "ben", top=3)
        }


def test_suggest_cli_json(demo_copy: Path, invoke) -> None:
    result = invoke("suggest", demo_copy, "--document", "mentee_ryan.md", "--coder", "amira", "--top", "2", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and set(rows[0]) == {"document", "start", "end", "code", "score", "reasons"}
    per_sentence: dict[int, list[float]] = {}
    for row in rows:
        per_sentence.setdefault(row["start"], []).append(row["score"])
    assert all(len(s) <= 2 and s == sorted(s, reverse=True) for s in per_sentence.values())
    assert invoke("suggest", demo_copy, "--document", "nope.txt").exit_code == 1


def test_autocode_terms_lemma_fuzzy_scope_group(demo_copy: Path, nlp) -> None:
    with Project.open(demo_copy, write=True) as project:
        plain = find_hits(project, terms="joint")
        assert {h.matched for h in plain} == {"joint"}
        exact = {h.matched.lower() for h in find_hits(project, terms="drink")}
        lemma = {h.matched.lower() for h in find_hits(project, terms="drink", lemma=True, nlp=nlp)}
        assert exact == {"drink"} and lemma == {"drink", "drinking", "drinks"}  # every form of the word
        fuzzy = find_hits(project, terms="tenancy", fuzzy=85, nlp=nlp)
        assert {h.matched.lower() for h in fuzzy} >= {"tenancy"}
        segments = find_hits(project, terms="joint", scope="segment")
        assert all(len(h.context) <= h.end - h.start + 1 for h in segments)
        mentors = find_hits(project, pattern=r"\bmentee", group="mentor")
        documents = {h.document for h in mentors}
        assert documents and all(d.startswith("mentor") for d in documents)
        added, present = apply_hits(project, plain, "carol", "mt-mentee-substance-use")
        assert (added, present) == (len(plain), 0)
        assert apply_hits(project, plain, "carol", "mt-mentee-substance-use") == (0, len(plain))
    with sqlite3.connect(demo_copy) as conn:
        assert conn.execute("SELECT count(*) FROM coding WHERE origin = 'auto'").fetchone()[0] == len(plain)


def test_autocode_cli_dry_run_and_errors(demo_copy: Path, invoke) -> None:
    before = demo_copy.read_bytes()
    dry = invoke(
        "autocode",
        demo_copy,
        "--coder",
        "carol",
        "--code",
        "mt-mentee-substance-use",
        "--terms",
        "joint",
        "--dry-run",
        "--json",
    )
    assert dry.exit_code == 0 and json.loads(dry.output)["added"] == 0 and json.loads(dry.output)["hits"]
    for args, message in (
        (["--pattern", "("], "--pattern '('"),
        (["--pattern", "x*"], "matches empty text"),
        (["--terms", " ; "], "one or more words"),
        (["--pattern", "a", "--terms", "b"], "either --pattern or --terms"),
        (["--terms", "a", "--fuzzy", "20"], "from 50 to 100"),
    ):
        result = invoke("autocode", demo_copy, "--coder", "carol", "--code", "mt-mentee-substance-use", *args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    unknown = invoke("autocode", demo_copy, "--coder", "carol", "--code", "nope", "--terms", "joint")
    assert unknown.exit_code == 1
    assert demo_copy.read_bytes() == before
    done = invoke("autocode", demo_copy, "--coder", "carol", "--code", "mt-mentee-substance-use", "--terms", "joint")
    assert "Coded 1 passage(s)" in done.output or "Coded 2 passage(s)" in done.output


def test_find_hits_needs_one_search(demo_copy: Path) -> None:
    with Project.open(demo_copy, write=True) as project, pytest.raises(QualcodeError, match="--lemma and --fuzzy"):
        find_hits(project, pattern="x", lemma=True)


def test_workbench_search_syntax() -> None:
    from qualcode.tui.autocode import parse_search

    assert parse_search("drink; drugs | turn") == {"terms": "drink; drugs", "lemma": True, "scope": "turn"}
    assert parse_search(" /dr[iu]nk/ ") == {"pattern": "dr[iu]nk", "scope": "match"}
    with pytest.raises(QualcodeError, match="not 'paragraph'"):
        parse_search("drink | paragraph")
