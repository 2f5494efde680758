"""REFI-QDA export: every file validates against the official schemas (xmlschema), with the rules the schemas
cannot check, and GUIDs stay the same from one export to the next."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

xmlschema = pytest.importorskip("xmlschema")

from conftest import with_memos  # noqa: E402

from qualcode.project.store import Project  # noqa: E402

SCHEMAS = Path(__file__).parent / "data" / "refi-qda"
NS = {"p": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture(scope="module")
def project_schema():
    return xmlschema.XMLSchema(str(SCHEMAS / "Project-mrt2019.xsd"))


@pytest.fixture(scope="module")
def codebook_schema():
    return xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd"))


def test_the_shipped_examples_are_valid(project_schema, codebook_schema) -> None:
    codebook_schema.validate(str(SCHEMAS / "examples" / "minimal.qdc"))
    project_schema.validate(str(SCHEMAS / "examples" / "minimal-qdpx" / "project.qde"))


def test_qdpx_validates_and_holds_everything(demo_copy: Path, invoke, tmp_path: Path, project_schema) -> None:
    with_memos(demo_copy)
    target = tmp_path / "study.qdpx"
    result = invoke("export", "qdpx", demo_copy, "-o", target)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        xml = archive.read("project.qde")
        project_schema.validate(io.BytesIO(xml))
        from xml.etree import ElementTree as ET

        tree = ET.fromstring(xml)
        sources = tree.findall("p:Sources/p:TextSource", NS)
        for source in sources:  # the rule the schema cannot check: every internal file is in the archive
            path = source.get("plainTextPath")
            assert path.startswith("internal://") and f"sources/{path.removeprefix('internal://')}" in names
            assert source.find("p:PlainTextContent", NS) is None  # by path, never both
        with Project.open(demo_copy, write=True) as project:
            assert len(sources) == project.count("document")
            codings = tree.findall(".//p:PlainTextSelection/p:Coding", NS)
            assert len(codings) == project.count("coding")
            text = {
                s.get("name"): archive.read(f"sources/{s.get('plainTextPath')[11:]}").decode("utf-8") for s in sources
            }
            for source in sources:  # positions are code points into exactly the text written
                document = project.document(source.get("name"))
                assert text[source.get("name")] == document["text"]
                for selection in source.findall("p:PlainTextSelection", NS):
                    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                    assert 0 <= start < end <= len(document["text"])
            cases = tree.findall("p:Cases/p:Case", NS)
            assert sorted(c.get("name") for c in cases) == sorted(
                r[0] for r in project.db.execute("SELECT pseudonym FROM participant")
            )
        notes = [n.findtext("p:PlainTextContent", namespaces=NS) for n in tree.findall("p:Notes/p:Note", NS)]
        assert sorted(notes) == sorted(
            [
                "Fieldwork ran late: see the ethics log.",
                "Hostels count as accommodation.",
                "Dee was interviewed twice.",
                "Audio dropped out at 12 minutes.",
                "Borderline: mentor's words, not Dee's.",
                "A key example.",
                "Trust is described as built by meeting regularly, not by the memorandum: see housing and lead org.",
            ]
        )
        variables = {v.get("name"): v.get("typeOfVariable") for v in tree.findall("p:Variables/p:Variable", NS)}
        assert variables["stakeholder group"] == "Text" and variables["document kind"] == "Text"
        assert not [e for e in tree.iter() if e.tag.endswith(("Codes", "Sets", "Cases", "Notes")) and len(e) == 0]


def test_guids_are_stable_across_exports(demo_copy: Path, invoke, tmp_path: Path) -> None:
    for name in ("one.qdpx", "two.qdpx"):
        assert invoke("export", "qdpx", demo_copy, "-o", tmp_path / name).exit_code == 0
    first, second = (zipfile.ZipFile(tmp_path / n).read("project.qde") for n in ("one.qdpx", "two.qdpx"))
    assert first == second


def test_qdc_validates_with_descriptions(demo_copy: Path, invoke, tmp_path: Path, codebook_schema) -> None:
    target = tmp_path / "codebook.qdc"
    assert invoke("codebook", "export", demo_copy, "-o", target).exit_code == 0
    codebook_schema.validate(str(target))
    from xml.etree import ElementTree as ET

    codes = ET.parse(target).getroot().findall(".//c:Code", NS)
    with Project.open(demo_copy, write=True) as project:
        assert len(codes) == project.count("code")
    described = next(c for c in codes if c.get("name") == "Ability to source and sustain suitable accommodation")
    text = described.findtext("c:Description", namespaces=NS)
    assert "Include:" in text and "Exclude:" in text and "Logic-model level: medium-term-outcome (mentee)" in text
    assert all(c.get("color") is None or len(c.get("color")) in (4, 7) for c in codes)
    assert invoke("codebook", "export", demo_copy, "-o", tmp_path / "codebook.txt").exit_code == 1
    assert invoke("export", "qdpx", demo_copy, "-o", tmp_path / "study.zip").exit_code == 1


def test_empty_projects_write_no_empty_lists(invoke, tmp_path: Path, project_schema, codebook_schema) -> None:
    empty = tmp_path / "empty.qdb"
    assert invoke("init", empty).exit_code == 0
    assert invoke("export", "qdpx", empty, "-o", tmp_path / "empty.qdpx").exit_code == 0
    xml = zipfile.ZipFile(tmp_path / "empty.qdpx").read("project.qde")
    project_schema.validate(io.BytesIO(xml))
    coded = tmp_path / "codes.qdb"
    codebook = Path(__file__).resolve().parent.parent / "codebooks" / "barriers-enablers.yaml"
    assert invoke("init", coded, "--codebook", codebook).exit_code == 0
    assert invoke("export", "qdpx", coded, "-o", tmp_path / "codes.qdpx").exit_code == 0
    project_schema.validate(io.BytesIO(zipfile.ZipFile(tmp_path / "codes.qdpx").read("project.qde")))
    assert invoke("codebook", "export", coded, "-o", tmp_path / "codes.qdc").exit_code == 0
    codebook_schema.validate(str(tmp_path / "codes.qdc"))
