"""The workbench's core: undo/redo, codebook editing, navigation, progress, search, memos."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import INTERVIEW, write

from qualcode.codebook.edits import add_code, merge_codes, move_code, update_code
from qualcode.coding.codings import add_coding, adding, code_counts, document_codings, removing, set_key_quotes
from qualcode.coding.history import History
from qualcode.coding.memos import get_memo, remember_coder, remembered_coder, set_memo
from qualcode.coding.navigation import next_coded, next_uncoded, progress, search
from qualcode.errors import QualcodeError
from qualcode.project.changes import Change, ChangeConflict, Edit, apply
from qualcode.project.facts import Coding, content
from qualcode.project.store import Project


@pytest.fixture
def project(invoke, project_path: Path, tmp_path: Path):
    write(tmp_path / "d" / "a.txt", INTERVIEW)
    write(tmp_path / "d" / "b.txt", INTERVIEW.replace("flat", "café flat"))
    invoke("import", project_path, tmp_path / "d", "--group", "mentee")
    with Project.open(project_path, write=True) as opened:
        yield opened


def text_of(project: Project, name: str) -> str:
    return project.db.execute("SELECT text FROM document WHERE name = ?", [name]).fetchone()[0]


def span(project: Project, name: str, words: str) -> tuple[int, int, int]:
    doc = project.document(name)
    start = doc["text"].index(words)
    return doc["id"], start, start + len(words)


def test_undo_redo_add_and_remove(project: Project) -> None:
    amira = project.coder_id("amira")
    history = History(project)
    doc, start, end = span(project, "a.txt", "I got a flat")
    history.do(lambda: adding(project, doc, ["housing", "trust"], amira, start, end))
    assert sorted(c["code_id"] for c in document_codings(project, doc, [amira])) == ["housing", "trust"]
    history.undo()
    assert document_codings(project, doc, [amira]) == []
    history.redo()
    codings = document_codings(project, doc, [amira])
    assert len(codings) == 2
    history.do(lambda: removing(project, [codings[0]["id"]]))
    assert len(document_codings(project, doc, [amira])) == 1
    history.undo()
    assert len(document_codings(project, doc, [amira])) == 2
    assert not history.do(lambda: adding(project, doc, ["trust"], amira, start, end))  # already there: no step
    history.undo()  # undoes the first step, whose coding was removed and restored (new id) meanwhile
    assert document_codings(project, doc, [amira]) == []
    assert history.undo() is None


def test_undo_of_a_removal_brings_back_memo_star_and_time(project: Project) -> None:
    """A coding with a memo and a star, removed and brought back: exactly as it was, under a new id."""
    amira = project.coder_id("amira")
    history = History(project)
    doc, start, end = span(project, "a.txt", "I got a flat")
    coding = add_coding(project, doc, "housing", amira, start, end)
    set_memo(project, "coding", coding, amira, "Her own flat, at last.")
    set_key_quotes(project, [coding], True)
    before = content(project.db)
    change = history.do(lambda: removing(project, [coding]))
    assert "1 memo(s)" in change.what
    assert project.count("memo") == 0 and project.count("coding") == 0
    history.undo()
    assert content(project.db) == before
    restored = document_codings(project, doc, [amira])[0]["id"]
    assert get_memo(project, "coding", restored, amira) == "Her own flat, at last."
    history.redo()
    assert project.count("memo") == 0


def test_a_removal_that_would_orphan_a_memo_is_refused(project: Project) -> None:
    amira = project.coder_id("amira")
    doc, start, end = span(project, "a.txt", "I got a flat")
    coding = add_coding(project, doc, "housing", amira, start, end)
    set_memo(project, "coding", coding, amira, "A memo.")
    only_the_coding = removing(project, [coding]).edits[-1:]
    with pytest.raises(ChangeConflict, match="would be left without its coding"):
        apply(project, Change("bare removal", only_the_coding))
    assert project.count("coding") == 1 and project.count("memo") == 1


def test_undo_that_no_longer_fits_is_refused_whole_and_dropped(project: Project) -> None:
    amira = project.coder_id("amira")
    history = History(project)
    doc, start, end = span(project, "a.txt", "I got a flat")
    history.do(lambda: adding(project, doc, ["housing"], amira, start, end))
    set_key_quotes(project, [document_codings(project, doc, [amira])[0]["id"]], True)  # changed since, elsewhere
    before = content(project.db)
    with pytest.raises(ChangeConflict, match="cannot undo .* taken off the list"):
        history.undo()
    assert content(project.db) == before and history.undo_steps == []


def test_codebook_editing_keeps_codings(project: Project) -> None:
    amira = project.coder_id("amira")
    doc, start, end = span(project, "a.txt", "trust")
    new = add_code(project, "Rent arrears", parent="housing")
    assert new == "housing-rent-arrears"
    add_coding(project, doc, new, amira, start, end)
    add_coding(project, doc, "trust", amira, start, end)
    update_code(project, "trust", name="Trust in mentor", definition="Believing the mentor.")
    with pytest.raises(QualcodeError, match="own descendant"):
        move_code(project, "outcomes", "housing")
    move_code(project, new, "trust")
    assert merge_codes(project, new, "trust") == 1  # the same passage: folded into the existing coding
    assert [c["code_id"] for c in document_codings(project, doc, [amira])] == ["trust"]
    assert code_counts(project, doc, [amira]) == {"trust": (1, 1)}
    with pytest.raises(QualcodeError, match="unknown code"):
        merge_codes(project, new, "trust")


def test_navigation_across_documents(project: Project) -> None:
    amira = project.coder_id("amira")
    a, a_start, a_end = span(project, "a.txt", "flat")
    b, b_start, b_end = span(project, "b.txt", "café flat")
    add_coding(project, a, "housing", amira, a_start, a_end)
    add_coding(project, b, "housing", amira, b_start, b_end)
    place = next_coded(project, ["housing"], [amira], a, a_start)
    assert (place.document, place.start, place.end) == ("b.txt", b_start, b_end)
    back = next_coded(project, ["housing"], [amira], b, b_start, backwards=True)
    assert (back.document, back.start) == ("a.txt", a_start)
    assert next_coded(project, ["housing"], [amira], b, b_start) is None
    # segment 0 is the header, 1 and 6 the interviewer's questions: not waiting to be coded
    assert next_uncoded(project, a, [amira], -1) == 2
    assert next_uncoded(project, a, [amira], 5) == 7
    assert next_uncoded(project, a, [amira], 7) is None  # segment 8, the last, holds the coded "flat"
    assert next_uncoded(project, a, [project.coder_id("ben")], 7) == 8
    done = progress(project, amira)
    assert done[a] == (1, 6) and done[b] == (1, 6)  # Dee's six sentences; not the header or the questions


def test_progress_reaches_all_when_every_participant_sentence_is_coded(project: Project) -> None:
    amira = project.coder_id("amira")
    a = project.document("a.txt")["id"]
    rows = project.db.execute(
        'SELECT s.start, s."end", t.role FROM segment s JOIN turn t ON t.id = s.turn_id WHERE s.document_id = ?',
        [a],
    ).fetchall()
    for start, end, role in rows:
        if role == "participant":
            add_coding(project, a, "trust", amira, start, end)
    assert progress(project, amira)[a] == (6, 6)
    assert next_uncoded(project, a, [amira], -1) is None
    # a question coded as well changes nothing: the interviewer's words are not counted either way
    start, end, _ = next(r for r in rows if r[2] == "interviewer")
    add_coding(project, a, "trust", amira, start, end)
    assert progress(project, amira)[a] == (6, 6)


def test_search_ignores_accents_and_case(project: Project) -> None:
    hits = search(project, "CAFE fla")
    assert [(h["document"], text_of(project, "b.txt")[h["start"] : h["end"]]) for h in hits] == [
        ("b.txt", "I got a café flat in May!")
    ]
    assert search(project, '"; DROP TABLE') == []
    assert len(search(project, "trust")) == 2


def test_memos_and_remembered_coder(project: Project) -> None:
    amira = project.coder_id("amira")
    set_memo(project, "document", 1, amira, "Interviewed at the hub.")
    assert get_memo(project, "document", 1, amira) == "Interviewed at the hub."
    set_memo(project, "document", 1, amira, "  ")
    assert get_memo(project, "document", 1, amira) == ""
    assert remembered_coder(project, "unix-user") is None
    remember_coder(project, "unix-user", "amira")
    assert remembered_coder(project, "unix-user") == "amira"


def test_rank_codes_names_keywords_definitions(project: Project) -> None:
    from qualcode.codebook.files import import_codebook, load_codebook, project_codes
    from qualcode.codebook.matching import rank_codes

    import_codebook(project, load_codebook(Path(__file__).parent.parent / "codebooks" / "mentoring-logic-model.yaml"))
    codes = project_codes(project)
    top = lambda q: [c["id"] for c, _ in rank_codes(q, codes)[:3]]  # noqa: E731
    assert top("housing")[0] == "housing" or "mt-mentee-accommodation" in top("housing")
    assert "mt-mentee-accommodation" in top("tenancy")  # a keyword
    assert top("substance")[0] == "mt-mentee-substance-use"
    assert "mt-mentee-substance-use" in top("stoped drinkin")  # typos still find it
    assert top("act-signposting")[0] == "act-signposting"
    assert rank_codes("zzzzqqq", codes) == []


def test_a_change_adding_a_coding_already_there_names_that_one_and_writes_nothing(project: Project) -> None:
    amira = project.coder_id("amira")
    doc, start, end = span(project, "a.txt", "I got a flat")
    add_coding(project, doc, "housing", amira, start, end)
    before = content(project.db)
    new = Coding(doc, "trust", amira, start, end, "manual", "2026-01-01")
    there = Coding(doc, "housing", amira, start, end, "manual", "2026-01-01")
    with pytest.raises(ChangeConflict, match=rf"'housing' at \[{start}, {end}\) is already there"):
        apply(project, Change("two", (Edit(None, new), Edit(None, there))))
    assert content(project.db) == before
