"""REFI-QDA import: a round trip loses nothing; the shipped examples and files in NVivo's and ATLAS.ti's
position conventions import exactly; what real tools vary is tolerated; malicious archives are refused."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import with_memos

EXAMPLES = Path(__file__).parent / "data" / "refi-qda" / "examples"


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


SNAPSHOT = {  # the whole project as a coder and a report see it: everything must come back equal
    "documents": "SELECT name, sha256, kind, title, source_format, attributes, words, imported_at FROM document "
                 "ORDER BY name",
    "codings": 'SELECT d.sha256, c.code_id, r.name, c.start, c."end", coalesce(c.memo, ""), c.key_quote, c.created_at, '
               "c.origin FROM coding c JOIN document d ON d.id = c.document_id JOIN coder r ON r.id = c.coder_id "
               "ORDER BY 1, 2, 3, 4, 5",
    "codes": "SELECT id, parent, name, level, beneficiary, definition, include, exclude, example, keywords, phrases, "
             "colour, codebook FROM code ORDER BY id",
    "participants": "SELECT pseudonym, stakeholder_group, attributes FROM participant ORDER BY pseudonym",
    "turns": "SELECT d.name, t.seq, t.start, t.\"end\", t.speaker, t.role, coalesce(p.pseudonym, ''), t.time_start, "
             "t.time_end FROM turn t JOIN document d ON d.id = t.document_id "
             "LEFT JOIN participant p ON p.id = t.participant_id ORDER BY 1, 2",
    "memos": "SELECT target_type, r.name, text FROM memo m LEFT JOIN coder r ON r.id = m.coder_id ORDER BY 1, 3",
    "decisions": 'SELECT x.code_id, d.sha256, x.start, x."end", r.name, x.choice, x.memo, x.decided_at FROM decision x '
                 "JOIN document d ON d.id = x.document_id JOIN coder r ON r.id = x.coder_id ORDER BY 1, 2, 3",
    "dismissals": 'SELECT x.code_id, d.sha256, x.start, x."end", r.name FROM dismissal x '
                  "JOIN document d ON d.id = x.document_id JOIN coder r ON r.id = x.coder_id ORDER BY 1, 2, 3",
    "labels and framework": "SELECT key, value FROM project WHERE key LIKE 'label:%' OR key LIKE 'framework%' "
                            "ORDER BY key",
}  # fmt: skip


def with_decisions(path: Path) -> Path:
    """A decision on a disagreement (in the consensus, with its reason), a dismissed suggestion, a label for an
    attribute value, and codings made from a suggestion and by autocode (one starred): what a round trip must
    keep too."""
    from qualcode.ingest.labels import set_label
    from qualcode.project.changes import adding, apply
    from qualcode.project.facts import Coding, Decision, Dismissal
    from qualcode.project.store import Project

    with Project.open(path, write=True) as project:
        document, start, end = project.db.execute(
            'SELECT s.document_id, s.start, s."end" FROM segment s JOIN document d ON d.id = s.document_id '
            "WHERE d.name = 'mentee_dee_phase1.txt' ORDER BY s.start LIMIT 1 OFFSET 20"
        ).fetchone()
        with project.transaction():
            facts = [Decision("mt-mentee-accommodation", document, start, end, project.coder_id("consensus"),
                              "second", "Ben's reading: she means the hostel. 😀", "2025-03-01T10:00:00+00:00"),
                     Dismissal(project.coder_id("amira"), document, start, end, "lt-integration"),
                     Coding(document, "lt-integration", project.coder_id("amira"), start, end, "suggestion",
                            "2025-03-02T09:00:00+00:00"),
                     Coding(document, "act-contact", project.coder_id("amira"), start, end, "auto",
                            "2025-03-02T09:01:00+00:00", True)]  # fmt: skip
            apply(project, adding("a decision and a dismissal", facts))
        set_label(project, "Carrick", "Carrick (Ayrshire)", attribute="site")
    return path


def tree(path: Path) -> list[tuple[str, str | None, int]]:
    from qualcode.codebook.files import project_codes
    from qualcode.project.store import Project

    with Project.open(path) as project:
        return [(code["id"], code["parent"], code["depth"]) for code in project_codes(project)]


def round_trip(invoke, project: Path, folder: Path) -> tuple[Path, Path]:
    """``project`` exported to ``folder``/study.qdpx and imported into a new ``folder``/copy.qdb, every
    selection landing; the archive and the copy."""
    archive, copy = folder / "study.qdpx", folder / "copy.qdb"
    assert invoke("export", "qdpx", project, "-o", archive).exit_code == 0
    result = invoke("import-qdpx", copy, archive, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mismatches"] == []
    return archive, copy


def assert_same(copy: Path, original: Path) -> None:
    """The two projects hold the same study: every ``SNAPSHOT`` table, and the codebook in the same order."""
    for name, sql in SNAPSHOT.items():
        if name == "memos":  # memos on ids (documents, codings) point at the new ids: compare what they say
            assert sorted(rows(copy, sql)) == sorted(rows(original, sql)), name
        else:
            assert rows(copy, sql) == rows(original, sql), name
    assert tree(copy) == tree(original)  # the codebook in the same order (its position numbers may differ)


def test_round_trip_loses_nothing(demo_copy: Path, invoke, tmp_path: Path) -> None:
    with_decisions(with_memos(demo_copy))
    archive, copy = round_trip(invoke, demo_copy, tmp_path)
    assert_same(copy, demo_copy)
    assert rows(copy, "SELECT count(*) FROM segment") == rows(demo_copy, "SELECT count(*) FROM segment")
    assert rows(copy, "SELECT count(*) FROM coding WHERE key_quote") == [(13,)]
    assert rows(copy, "SELECT origin, count(*) FROM coding GROUP BY 1") == [("auto", 1), ("manual", 98),
                                                                            ("suggestion", 1)]  # fmt: skip
    assert len(rows(copy, SNAPSHOT["decisions"])) == len(rows(copy, SNAPSHOT["dismissals"])) == 1
    assert len(rows(copy, SNAPSHOT["labels and framework"])) == 8  # five groups, a value, the framework
    again = json.loads(invoke("import-qdpx", copy, archive, "--json").output)  # into an existing project
    assert again["documents_added"] == 0 and again["codings_added"] == 0 and again["memos_added"] == 0
    assert_same(copy, demo_copy)  # a second import into it changes nothing at all
    damaged = tmp_path / "damaged.qdpx"  # a record that cannot be read: said so, the rest imported
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace(b"qualcode project record: {", b"qualcode project record: {]")
                            if name == "project.qde" else data)  # fmt: skip
    result = invoke("import-qdpx", tmp_path / "third.qdb", damaged, "--json")
    assert result.exit_code == 0, result.output
    assert any("project record" in w and "could not be read" in w for w in json.loads(result.output)["warnings"])
    assert rows(tmp_path / "third.qdb", SNAPSHOT["codings"]) == rows(demo_copy, SNAPSHOT["codings"])
    assert rows(tmp_path / "third.qdb", SNAPSHOT["decisions"]) == []


def test_qdc_round_trip_and_import(demo_copy: Path, invoke, tmp_path: Path, project_path: Path) -> None:
    target = tmp_path / "codebook.qdc"
    assert invoke("codebook", "export", demo_copy, "-o", target).exit_code == 0
    fresh = tmp_path / "fresh.qdb"
    assert invoke("init", fresh).exit_code == 0
    assert "116 codes added" in invoke("codebook", "import", fresh, target).output
    assert rows(fresh, SNAPSHOT["codes"]) == rows(demo_copy, SNAPSHOT["codes"])
    example = invoke("codebook", "import", fresh, EXAMPLES / "minimal.qdc")
    assert example.exit_code == 0 and "2 codes added" in example.output
    assert rows(fresh, "SELECT id, parent, level FROM code WHERE name IN ('Drinks', 'Coffee') ORDER BY id") == [
        ("coffee", "drinks", "other"),
        ("drinks", None, "other"),
    ]


def zip_folder(folder: Path, target: Path, rename: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, (rename or {}).get(name, name))
    return target


def test_the_shipped_example(invoke, tmp_path: Path) -> None:
    archive = zip_folder(EXAMPLES / "minimal-qdpx", tmp_path / "minimal.qdpx")
    result = invoke("import-qdpx", tmp_path / "p.qdb", archive, "--json")
    assert result.exit_code == 0, result.output
    text = (EXAMPLES / "minimal-qdpx" / "sources" / "9b2d7c1e-1111-4111-8111-000000000010.txt").read_text("utf-8")
    found = rows(tmp_path / "p.qdb", 'SELECT c.start, c."end", r.name, k.name, p.pseudonym FROM coding c '
                 "JOIN coder r ON r.id = c.coder_id JOIN code k ON k.id = c.code_id, participant p")  # fmt: skip
    assert found == [(20, 26, "Alice", "Coffee", "Participant 1")] and text[20:26].lower() == "coffee"
    assert rows(tmp_path / "p.qdb", "SELECT attributes FROM participant") == [('{"Age": 34}',)]  # a number stays one


QDE = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="{ns}" name="t" origin="{origin}">
  <Users><User guid="{{AAAAAAAA-0000-4000-8000-000000000001}}" name="Nadia"/></Users>
  <CodeBook><Codes><Code guid="AAAAAAAA-0000-4000-8000-000000000002" name="Hope" isCodable="true"/></Codes></CodeBook>
  <Cases><Case guid="aaaaaaaa-0000-4000-8000-000000000009"/></Cases>
  <Sources>
    <TextSource guid="aaaaaaaa-0000-4000-8000-000000000003" name="café.txt"
                plainTextPath="internal://aaaaaaaa-0000-4000-8000-000000000004.txt">
      <PlainTextSelection guid="aaaaaaaa-0000-4000-8000-000000000005" name="{name}" startPosition="{start}"
                          endPosition="{end}" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
        <Coding guid="aaaaaaaa-0000-4000-8000-000000000006" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
          <CodeRef targetGUID="{{aaaaaaaa-0000-4000-8000-000000000002}}"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="aaaaaaaa-0000-4000-8000-000000000007" startPosition="0" endPosition="4"/>
    </TextSource>
  </Sources>
</Project>
"""
# a BOM, CRLF line breaks, an emoji (two UTF-16 units) and a decomposed accent (two code points, one after NFC)
SOURCE = "\ufeffDee: Café 🙂 life.\r\nDee: I have hope now, real hope.\r\n".replace("é", "e\u0301")


def archive_for(tmp_path: Path, origin: str, start: int, end: int, name: str, **options: str) -> Path:
    qde = QDE.format(ns=options.get("ns", "urn:QDA-XML:project:1.0"), origin=origin, start=start, end=end, name=name)
    target = tmp_path / f"{origin.split()[0]}-{start}.qdpx"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(options.get("qde", "project.qde"), "\ufeff" + qde if options.get("bom") else qde)
        archive.writestr(f"{options.get('folder', 'sources')}/aaaaaaaa-0000-4000-8000-000000000004.txt",
                         SOURCE.encode("utf-8"))  # fmt: skip
    return target


@pytest.mark.parametrize(
    ("origin", "start", "end"),
    [
        ("NVivo 12 (Windows)", 33, 37),  # UTF-16 units: BOM not counted, emoji counts 2, CRLF counts 2
        ("ATLAS.ti 23", 31, 35),  # code points with a line break counted as one
        ("QualCoder 3.5", 32, 36),  # the spec: code points (CRLF is two of them)
    ],
)
def test_position_conventions_of_real_tools(invoke, tmp_path: Path, origin: str, start: int, end: int) -> None:
    archive = archive_for(tmp_path, origin, start, end, "hope")
    project = tmp_path / "p.qdb"
    result = invoke("import-qdpx", project, archive, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mismatches"] == []
    text = rows(project, "SELECT text FROM document")[0][0]
    ((start_, end_),) = rows(project, 'SELECT start, "end" FROM coding')
    assert text[start_:end_] == "hope" and "Café 🙂" in text  # NFC: é is one character in the project
    assert rows(project, "SELECT name FROM coder") == [("Nadia",)]


def test_variants_real_tools_write(invoke, tmp_path: Path) -> None:
    archive = archive_for(tmp_path, "QualCoder", 32, 36, "hope", ns="urn:QDA-XML:project:0:4", bom="1",
                          qde="My study.qde", folder="Sources")  # fmt: skip
    result = invoke("import-qdpx", tmp_path / "p.qdb", archive, "--json")
    assert result.exit_code == 0, result.output
    people = rows(tmp_path / "p.qdb", "SELECT pseudonym FROM participant ORDER BY 1")
    assert people == [("Case 1",), ("Dee",)]  # a case without a name; Dee speaks in the transcript
    assert rows(tmp_path / "p.qdb", "SELECT count(*) FROM coding") == [(1,)]


def test_mismatches_are_reported_not_shifted(invoke, tmp_path: Path) -> None:
    archive = archive_for(tmp_path, "QualCoder", 32, 36, "real hope here, not this")  # the name says otherwise
    result = invoke("import-qdpx", tmp_path / "p.qdb", archive)
    assert result.exit_code == 0 and "not imported: café.txt [32, 36): named 'real hope here" in result.output
    assert rows(tmp_path / "p.qdb", "SELECT count(*) FROM coding") == [(0,)]
    outside = archive_for(tmp_path, "QualCoder", 32, 999, "hope")
    assert "outside the text" in invoke("import-qdpx", tmp_path / "q.qdb", outside).output


def evil(tmp_path: Path, name: str, **entries: bytes) -> Path:
    target = tmp_path / name
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            archive.writestr(entry.replace("__", "/").replace("DOTDOT", ".."), data)
    return target


def test_malicious_archives_are_refused(invoke, tmp_path: Path) -> None:
    qde = QDE.format(ns="urn:QDA-XML:project:1.0", origin="x", start=0, end=4, name="x").encode()
    bomb = b"\0" * (50 * 1024**2)
    link = zipfile.ZipInfo("sources/link.txt")
    link.external_attr = 0o120777 << 16
    cases = {
        "escape": evil(tmp_path, "escape.qdpx", **{"project.qde": qde, "DOTDOT__DOTDOT__etc__passwd": b"x"}),
        "absolute": evil(tmp_path, "absolute.qdpx", **{"project.qde": qde, "__etc__passwd": b"x"}),
        "bomb": evil(tmp_path, "bomb.qdpx", **{"project.qde": qde, "sources__big.txt": bomb}),
        "entities": evil(tmp_path, "entities.qdpx", **{"project.qde": b'<?xml version="1.0"?><!DOCTYPE p '
                         b'[<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Project name="&b;"/>'}),
        "external": evil(tmp_path, "external.qdpx", **{"project.qde": b'<?xml version="1.0"?><!DOCTYPE p '
                         b'[<!ENTITY x SYSTEM "file:///etc/passwd">]><Project name="&x;"/>'}),
        "not a zip": tmp_path / "plain.qdpx",
        "no qde": evil(tmp_path, "noqde.qdpx", **{"sources__a.txt": b"x"}),
    }  # fmt: skip
    (tmp_path / "plain.qdpx").write_bytes(b"just text")
    with zipfile.ZipFile(tmp_path / "link.qdpx", "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(link, "/etc/passwd")
    cases["symlink"] = tmp_path / "link.qdpx"
    messages = {"escape": "escapes", "absolute": "escapes", "bomb": "zip bomb", "entities": "refused",
                "external": "refused", "not a zip": "not a .qdpx", "no qde": "expected one .qde",
                "symlink": "symbolic link"}  # fmt: skip
    existing = tmp_path / "existing.qdb"
    assert invoke("init", existing).exit_code == 0
    before = hashlib.sha256(existing.read_bytes()).hexdigest()
    for name, archive in cases.items():
        result = invoke("import-qdpx", existing, archive)
        assert result.exit_code == 1 and messages[name] in result.output, (name, result.output)
        fresh = tmp_path / f"fresh-{name.replace(' ', '-')}.qdb"
        assert invoke("import-qdpx", fresh, archive).exit_code == 1 and not fresh.exists()
    assert hashlib.sha256(existing.read_bytes()).hexdigest() == before


def test_position_map_edges() -> None:
    from qualcode.exchange.reading import PositionMap

    raw = "a🙂b\r\nc\u2126d".encode()  # an emoji, a CRLF, and the ohm sign (NFC makes it a Greek omega)
    nvivo = PositionMap(raw, "t", "utf16")
    assert nvivo.text == "a🙂b\ncΩd" and nvivo.text == __import__("unicodedata").normalize("NFC", nvivo.text)
    assert [nvivo(p) for p in range(9)] == [0, 1, None, 2, 3, None, 4, 5, 6]  # 🙂 is 2 units; CRLF 2
    assert nvivo(10) is None and nvivo(-1) is None
    atlas = PositionMap(raw, "t", "atlas")
    assert [atlas(p) for p in range(8)] == [0, 1, 2, 3, 4, 5, 6, 7]  # a line break counts one
    spec = PositionMap(raw, "t", "codepoints")
    assert [spec(p) for p in range(9)] == [0, 1, 2, 3, None, 4, 5, 6, 7]
