"""Optional sentence embeddings for suggestions: closeness in meaning, not only in shared words.

Never required and never downloaded. A user who has installed the ``embeddings`` extra (the ``model2vec``
package) and put a static embedding model in a folder on this machine names that folder with
``qualcode --embeddings DIR`` (or ``QUALCODE_EMBEDDINGS=DIR``). The folder is read with the Hugging Face hub
told to stay offline, so nothing is fetched even when the name looks like a hub model.

With a model, a passage is compared with each code's own text (name, definition, inclusion criteria, example,
participants' words) and with the passages the team coded with it, as vectors; what is close in meaning is one
more kind of evidence, said in words ("close in meaning to the code's description (0.71)"). Without one,
everything else works as before.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import QualcodeError

DESCRIBED, LEARNED = 1.5, 1.5  # weights of closeness in meaning to a code's text and to the team's passages
CUTOFF = 0.35  # cosine similarity below which closeness in meaning says nothing
BEST = 5  # a passage counts as close in meaning to at most this many codes' descriptions

_chosen: list[Path | None] = [None]  # the folder asked for on this command line (``use``)
_loaded: dict[Path, Any] = {}  # each folder's model, loaded once per process


def use(folder: Path | None) -> None:
    """Suggestions in this process use the model in ``folder`` (None: none, or as QUALCODE_EMBEDDINGS says).
    A folder that is not a model is refused now, before any work; the model itself is read when first needed."""
    if folder is not None:
        looks_like_model(folder)
    _chosen[0] = folder


def looks_like_model(folder: Path) -> None:
    if not (folder / "config.json").is_file() or not (folder / "tokenizer.json").is_file():
        raise QualcodeError(
            f"--embeddings {folder}: not a model2vec model folder (it needs config.json, tokenizer.json and "
            "model.safetensors); see the README's 'Adding embeddings'"
        )


def chosen() -> Path | None:
    """The embedding model's folder asked for, if any: ``--embeddings``, else ``QUALCODE_EMBEDDINGS``."""
    given = os.environ.get("QUALCODE_EMBEDDINGS", "").strip()
    return _chosen[0] or (Path(given).expanduser() if given else None)


def load(folder: Path) -> Any:
    """The static embedding model in ``folder``, read from disk only; a clear error if it cannot be."""
    folder = folder.resolve()
    if folder in _loaded:
        return _loaded[folder]
    looks_like_model(folder)
    os.environ["HF_HUB_OFFLINE"] = "1"  # a local folder only: never the network, whatever the name says
    try:
        from model2vec import StaticModel
    except ImportError:
        raise QualcodeError(
            "--embeddings: the model2vec package is not installed; install it with "
            "pip install 'qualcode[embeddings]', or leave --embeddings out"
        ) from None
    try:
        model = StaticModel.from_pretrained(folder)
    except Exception as error:  # a damaged or foreign folder: name it, not a traceback
        raise QualcodeError(f"--embeddings {folder}: cannot read the model ({type(error).__name__})") from None
    _loaded[folder] = model
    return model


def unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


class Meaning:
    """One suggester's embedding evidence: the codes' texts as vectors, and a running sum of the vectors of the
    passages the team coded with each code (a coding adds one vector; nothing is rebuilt)."""

    def __init__(self, model: Any, texts: dict[str, str]) -> None:
        self.model = model
        self.codes = list(texts)
        self.described = unit(self.vectors(list(texts.values())))
        self.sums: dict[str, np.ndarray] = {}

    def vectors(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(texts, use_multiprocessing=False), dtype=np.float32)

    def learn(self, code_id: str, vector: np.ndarray, weight: float) -> None:
        self.sums[code_id] = self.sums.get(code_id, 0.0) + weight * vector

    def forget(self, code_id: str | None = None) -> None:
        """Every code's passages (or one code's) unlearned."""
        if code_id is None:
            self.sums.clear()
        else:
            self.sums.pop(code_id, None)

    def evidence(self, vector: np.ndarray, counted: dict[str, int]) -> list[tuple[str, float, str]]:
        """(code, evidence, reason) for one passage's vector: the ``BEST`` codes whose text it is closest to in
        meaning, and every code in ``counted`` (code -> passages coded with it) whose passages it is close to on
        average."""
        norm = float(np.linalg.norm(vector))
        if norm == 0:
            return []
        vector = vector / norm
        found = []
        similarity = self.described @ vector
        for i in np.argsort(-similarity)[:BEST]:
            if similarity[i] >= CUTOFF:
                value = DESCRIBED * (similarity[i] - CUTOFF) / (1 - CUTOFF)
                why = f"close in meaning to the code's description ({similarity[i]:.2f})"
                found.append((self.codes[i], value, why))
        for code_id, total in self.sums.items():
            if code_id not in counted:
                continue
            length = float(np.linalg.norm(total))
            close = float(total @ vector) / length if length else 0.0
            if close >= CUTOFF:
                why = f"close in meaning to {counted[code_id]} passage(s) the team coded with it ({close:.2f})"
                found.append((code_id, LEARNED * (close - CUTOFF) / (1 - CUTOFF), why))
        return found


def meaning_for(texts: dict[str, str]) -> Meaning | None:
    """The embedding evidence for a codebook (code id -> its text), if a model was asked for; else None."""
    folder = chosen()
    return Meaning(load(folder), texts) if folder else None
