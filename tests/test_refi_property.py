"""The REFI-QDA round trip where features meet: Hypothesis builds small projects — transcripts with emoji,
mathematical letters, accents and CRLF line breaks, typed front-matter attributes, codings by two coders at
any offsets (right beside a character outside the Basic Multilingual Plane too), stars, coding memos — and
each must come back from ``export qdpx`` and ``import-qdpx`` equal, and be quoted at the same words by an
independent reader (pyqdpx) as by qualcode."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import SMALL_CODEBOOK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_refi_import import assert_same, round_trip

pyqdpx = pytest.importorskip("pyqdpx")

WORDS = ["hope", "flat", "trust", "mentor", "café", "cafe\u0301", "\u200d", "한국", "😀", "🎉", "𝒯", "Ωmega", "naïve", "zoë", "ok", "…", "x"]
SPEAKERS = ["Dee", "Interviewer", "Sam"]


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


@st.composite
def studies(draw: st.DrawFn) -> dict:
    documents = []
    for n in range(draw(st.integers(1, 2))):
        lines = []
        for _ in range(draw(st.integers(2, 5))):
            words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=10))
            lines.append(f"{draw(st.sampled_from(SPEAKERS))}: {' '.join(words)}.")
        newline = draw(st.sampled_from(["\n", "\r\n"]))
        attributes = draw(st.fixed_dictionaries({}, optional={
            "phase": st.integers(-5, 500), "score": st.sampled_from([2.5, 0.25, -1.75]), "kept": st.booleans(),
            "site": st.sampled_from(["Carrick", "Lenton 😀", "12"]), "when": st.just("2024-06-03")}))  # fmt: skip
        documents.append({"name": f"doc{n}.md", "lines": lines, "newline": newline, "attributes": attributes,
                          "title": draw(st.sampled_from([None, "Interview 😀 one", "Dee: phase 1"]))})  # fmt: skip
    codings = draw(st.lists(st.tuples(st.integers(0, len(documents) - 1), st.floats(0, 1), st.floats(0, 1),
                                      st.sampled_from(["housing", "trust"]), st.sampled_from(["ann", "ben"]),
                                      st.booleans(), st.sampled_from([None, "why 😀", "because"])),
                            max_size=6))  # fmt: skip
    return {"documents": documents, "codings": codings}


def front_matter(document: dict) -> str:
    lines = ["---"]
    if document["title"]:
        lines.append(f"title: {json.dumps(document['title'], ensure_ascii=False)}")
    for key, value in document["attributes"].items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join([*lines, "---", ""]) if len(lines) > 1 else ""


def build(study: dict, folder: Path, invoke) -> Path:
    project = folder / "study.qdb"
    codebook = folder / "small.yaml"
    codebook.write_text(SMALL_CODEBOOK, encoding="utf-8")
    assert invoke("init", project, "--codebook", codebook).exit_code == 0
    for document in study["documents"]:
        body = front_matter(document) + document["newline"].join(document["lines"]) + document["newline"]
        path = folder / document["name"]
        path.write_bytes(body.encode("utf-8"))
        result = invoke("import", project, path, "--interviewer", "Interviewer", "--group", "mentee")
        assert result.exit_code == 0, result.output
    texts = dict(rows(project, "SELECT name, text FROM document"))
    for index, a, b, code, coder, star, memo in study["codings"]:
        name = study["documents"][index]["name"]
        text = texts[name]
        start, end = sorted((int(a * len(text)), int(b * len(text))))
        if end <= start or not text[start:end].strip():
            continue
        offsets = ["--start", start, "--end", end]
        extra = ["--memo", memo] if memo else []
        result = invoke("code", project, "--coder", coder, "--document", name, "--code", code, *offsets, *extra)
        assert result.exit_code in (0, 1), result.output  # 1: the same coding twice, said so
        if star and result.exit_code == 0:
            assert invoke("star", project, "--coder", coder, "--document", name, "--code", code,
                          *offsets).exit_code == 0  # fmt: skip
    return project


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])  # fmt: skip
@given(study=studies())
def test_any_small_project_comes_back_equal(study: dict, invoke, tmp_path_factory, capsys) -> None:
    folder = tmp_path_factory.mktemp("round")
    project = build(study, folder, invoke)
    archive, copy = round_trip(invoke, project, folder)
    assert_same(copy, project)
    capsys.readouterr()
    read = pyqdpx.QDPX(str(archive)).get_project()
    quoted = sorted(selection.text.replace("\u200b", "") for source in read.sources.values()
                    for selection in source.coded_selections.values())  # fmt: skip
    assert "Warning" not in capsys.readouterr().out
    assert quoted == sorted(q for (q,) in rows(project, 'SELECT substr(d.text, c.start + 1, c."end" - c.start) '
                                                        "FROM coding c JOIN document d ON d.id = c.document_id"))
