"""Build a synthetic study of N transcripts of realistic shape, for benchmarks.

Sentences are drawn from the invented sample study, so word lengths, punctuation and speech patterns are
those of real interview transcripts; the shape follows the evaluations qualcode is built for: mostly
one-to-one interviews (an interviewer and one participant), some focus groups of four to six speakers,
short interviewer questions and long answers, a header line, and a participants sheet mapping every
speaker to a pseudonym and stakeholder group.

    python bench/synthetic.py OUT_DIR --documents 1000 --words 8000
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualcode.ingest.formats import read_transcript  # noqa: E402

GROUPS = [
    "mentee",
    "mentee",
    "mentee",
    "mentor",
    "mentor",
    "lead_organisation",
    "partner_organisation",
    "national_stakeholder",
]
NAMES = [
    "Ash",
    "Bo",
    "Cal",
    "Dee",
    "Eli",
    "Fin",
    "Gus",
    "Hal",
    "Isla",
    "Jo",
    "Kit",
    "Lou",
    "Max",
    "Nia",
    "Ola",
    "Pip",
    "Ray",
    "Sam",
    "Tam",
    "Val",
]


def sentences() -> tuple[list[str], list[str]]:
    """Interviewer questions and participants' sentences from the sample study."""
    questions, answers = [], []
    for path in sorted((ROOT / "sample_transcripts").iterdir()):
        if path.suffix not in (".txt", ".md", ".docx", ".vtt"):
            continue
        transcript = read_transcript(path, path.name)
        for turn in transcript.turns:
            words = transcript.text[turn.start : turn.end]
            pieces = [s.strip() for s in re.split(r"(?<=[.!?])\s+", words.replace("\n", " ")) if s.strip()]
            (
                questions
                if turn.speaker
                and turn.speaker.lower() in {"interviewer", "facilitator", "evaluator", "i", "q", "priya shah"}
                else answers
            ).extend(pieces)
    return questions, answers


def transcript(rng: random.Random, questions: list[str], answers: list[str], speakers: list[str], words: int) -> str:
    lines = [f"Synthetic transcript {rng.randrange(10**6)}. Site: {rng.choice(['North', 'South', 'East'])}.", ""]
    count = 0
    first_round = True  # everyone listed in the participants sheet speaks at least once
    while count < words:
        question = rng.choice(questions)
        lines.append(f"Interviewer: {question}")
        count += len(question.split())
        voices = speakers if first_round else rng.sample(speakers, k=rng.randint(1, min(3, len(speakers))))
        first_round = False
        for speaker in voices:
            answer = " ".join(rng.choice(answers) for _ in range(rng.randint(1, 14)))
            if rng.random() < 0.15:  # a long answer in two paragraphs
                answer += "\n" + " ".join(rng.choice(answers) for _ in range(rng.randint(2, 8)))
            lines.append(f"{speaker}: {answer}")
            count += len(answer.split())
    return "\n".join(lines) + "\n"


def build(out: Path, documents: int, words: int, seed: int = 2026) -> Path:
    rng = random.Random(seed)
    questions, answers = sentences()
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for number in range(documents):
        name = f"doc{number:05d}.txt"
        focus_group = rng.random() < 0.15
        labels = rng.sample(NAMES, k=rng.randint(4, 6)) if focus_group else [rng.choice(NAMES)]
        group = rng.choice(GROUPS)
        (out / name).write_text(transcript(rng, questions, answers, labels, words), encoding="utf-8")
        for label in labels:
            rows.append([name, label, f"P{number:05d}-{label}", group, rng.choice(["North", "South", "East"])])
    with (out / "participants.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document", "speaker", "participant", "group", "site"])
        writer.writerows(rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=8000, help="approximate words per transcript")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    build(args.out, args.documents, args.words, args.seed)
    print(f"wrote {args.documents} transcripts of ~{args.words} words to {args.out}")


if __name__ == "__main__":
    main()
