"""Optional local embeddings: the real loading code (model2vec's ``StaticModel.from_pretrained`` on a folder)
on a small model this test makes, whose word vectors put invented slang beside the codebook's words. A passage
in words no codebook has is suggested its code only with the model, says why, and learns from the team; a
missing or foreign folder is a clear error; without the extra, nothing changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qualcode.errors import QualcodeError
from qualcode.project.store import Project
from qualcode.suggest import meaning
from qualcode.suggest.suggester import Suggester

pytest.importorskip("model2vec")

CONCEPTS = {  # invented words ("zoomies", "kip") stand for slang no codebook has, beside the codebook's words
    0: ["drug", "drugs", "alcohol", "heroin", "methadone", "substance", "zoomies", "sober", "drink", "gear"],
    1: ["housing", "accommodation", "tenancy", "flat", "homeless", "kip", "house", "home", "hostel"],
}
PASSAGE = "Honestly it was zoomies every single morning."


def make_model(folder: Path) -> Path:
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    words = ["[UNK]", "[PAD]"] + [w for ws in CONCEPTS.values() for w in ws]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    vectors = np.zeros((len(words), 4), dtype=np.float32)
    for concept, members in CONCEPTS.items():
        for word in members:
            vectors[words.index(word), concept] = 1.0
    StaticModel(vectors, tokenizer).save_pretrained(folder)
    return folder


@pytest.fixture
def model(tmp_path: Path):
    folder = make_model(tmp_path / "tiny-model")
    meaning.use(folder)
    yield folder
    meaning.use(None)


def test_a_passage_in_no_codebook_words_is_suggested_by_meaning(demo_study: Path, nlp, model: Path) -> None:
    with Project.open(demo_study) as project:
        plain = {c for c, _, _ in Suggester(project, nlp, None, learn=False, embeddings=False).rank(PASSAGE)}
        suggester = Suggester(project, nlp, None, learn=False)
    assert "mt-mentee-substance-use" not in plain  # the words alone say nothing of drugs
    ranked = suggester.rank(PASSAGE)
    codes = [c for c, _, _ in ranked]
    assert "mt-mentee-substance-use" in codes[:3], codes[:5]
    why = dict((c, r) for c, _, r in ranked)["mt-mentee-substance-use"]
    assert any(r.startswith("close in meaning to the code's description") for r in why), why
    assert "mt-mentee-accommodation" not in codes[:3]  # a different meaning


def test_meaning_learns_from_the_teams_passages(demo_study: Path, nlp, model: Path) -> None:
    with Project.open(demo_study) as project:
        suggester = Suggester(project, nlp, None, learn=False)
    before = dict((c, v) for c, v, _ in suggester.rank("Got myself a kip at last"))
    for passage in ("The council found me a flat", "Moved out of the hostel into my own house"):
        suggester.learn_passage("mt-mentee-accommodation", passage)
    after = {c: (v, r) for c, v, r in suggester.rank("Got myself a kip at last")}
    value, why = after["mt-mentee-accommodation"]
    assert value > before.get("mt-mentee-accommodation", 0.0)
    assert any("close in meaning to 2 passage(s) the team coded" in r for r in why), why
    suggester.forget()
    assert not any("passage(s)" in r for r in dict((c, r) for c, _, r in suggester.rank("Got a kip")).get(
        "mt-mentee-accommodation", []))


def test_a_folder_that_is_not_a_model_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(QualcodeError, match="empty: not a model2vec model folder"):
        meaning.load(tmp_path / "empty")
    broken = make_model(tmp_path / "broken")
    (broken / "model.safetensors").write_bytes(b"\x00not a tensor file")
    with pytest.raises(QualcodeError, match="broken: cannot read the model"):
        meaning.load(broken)


def test_the_command_line_uses_the_model_and_says_so(demo_copy: Path, tmp_path: Path) -> None:
    """``qualcode --embeddings DIR suggest``, in a real process with the network unreachable by design: the
    reasons name closeness in meaning; a wrong folder is one line and exit 1, with nothing changed."""
    folder = make_model(tmp_path / "tiny")
    run = [sys.executable, "-m", "qualcode"]
    shown = subprocess.run([*run, "--embeddings", str(folder), "suggest", str(demo_copy), "--min-score", "0",
                            "--json"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "close in meaning" in shown.stdout
    before = demo_copy.read_bytes()
    wrong = subprocess.run([*run, "--embeddings", str(tmp_path), "suggest", str(demo_copy)],
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert wrong.returncode == 1
    assert f"{tmp_path}: not a model2vec model folder" in wrong.stderr
    assert demo_copy.read_bytes() == before


def test_without_the_package_the_error_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    folder = make_model(tmp_path / "tiny")
    monkeypatch.setitem(sys.modules, "model2vec", None)  # as if the extra were not installed
    with pytest.raises(QualcodeError, match=r"pip install 'qualcode\[embeddings\]'"):
        meaning.load(folder)
