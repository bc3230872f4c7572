"""Hostile text never reaches the terminal raw: control characters and bidi overrides planted in
paper text, titles, committees and file names are shown, not obeyed, by every command's text output.
JSON output keeps the data exactly (the characters parse back unchanged)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import minutebook.models.registry
from minutebook import sync
from minutebook.cli import main

# What a hostile paper can carry: clear screen, retitle the window, an OSC 8 hyperlink,
# colour codes, a bell, a C1 CSI, a backspace, a carriage return and bidi overrides/isolates.
HOSTILE = (
    "\x1b[2J", "\x1b]0;pwned\x07", "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "\x1b[31m",
    "\x1b[0m", "\x07", "\x9b31m", "\x08", "\r", "\u202e", "\u2066", "\u2069", "\x7f", "\u202d",
)


# Plain minutes around the hostile lines: a text file more than 1% control characters is binary.
PADDING = "6. Other business\n\n" + (
    "The committee noted the report on road maintenance and resurfacing across the county, and "
    "thanked the officers for their work over the winter months. ") * 40 + "\n"


def raw_controls(text: str) -> list[str]:
    """Every character in ``text`` a terminal would act on (newline and tab are fine)."""
    return sorted({
        repr(c) for c in text
        if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F
        or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 or c in "\u2028\u2029"
    })


def sprinkle(text: str, rng: random.Random) -> str:
    """``text`` with hostile sequences planted between its words."""
    words = text.split(" ")
    for _ in range(4):
        words.insert(rng.randrange(len(words) + 1), rng.choice(HOSTILE))
    return " ".join(words)


def hostile_corpus(folder: Path, seed: int) -> dict[str, Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    name = "evil\x1b[2J\u202e-highways\x07-2024-01-15-minutes.txt"
    body = (
        "Highways and Children's Scrutiny Committee minutes, 15 January 2024\n\n"
        "4. Caseloads\n\n"
        + sprinkle("Caseloads rose from 20 to 30 cases per social worker, the committee heard, and agency "
                   "staff covered the vacancies in the assessment teams during the autumn.", rng)
        + "\n\n5. Recommendations\n\n"
        + sprinkle("RESOLVED – That the Committee asks officers to report on caseloads and agency staff "
                   "at its next meeting.", rng)
        + "\n\n" + sprinkle("Officers agreed to share the caseload figures with Members.", rng) + "\n\n"
        + PADDING
    )
    paper = folder / name
    paper.write_text(body, encoding="utf-8")
    meta = {"title": "Minutes \x1b]0;retitled\x07 of the \u202eeettimmoC\u202c meeting",
            "committee": "Children's \x1b[31mScrutiny\x1b[0m \u2066Committee\u2069", "council": "Evil\x9b2J Council",
            "meeting_date": "2024-01-15", "doc_type": "minutes"}
    (folder / (name + ".meta.json")).write_text(json.dumps(meta), encoding="utf-8")
    html = folder / "report\u202e\x1b[7m-2024-02-01.html"
    html.write_text(
        "<html><head><title>Report \x1b[2J on \x1b]8;;https://x.example/\x1b\\caseloads\x1b]8;;\x1b\\</title></head>"
        "<body><h1>Caseloads report</h1><p>"
        + sprinkle("The average caseload was 19 per social worker in February, down from 24 in the "
                   "summer, and the service recruited twelve permanent staff.", rng)
        + "</p></body></html>", encoding="utf-8")
    # A file that fails, with a hostile name: its name and reason appear in index and status output.
    (folder / "empty\x1b[41m\u202e.txt").write_bytes(b"")
    return {"paper": paper, "html": html}


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory, minilm) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hostile")
    corpus, index = root / "papers", root / "index"
    hostile_corpus(corpus, seed=7)
    report = sync(index, [corpus], minilm)
    assert len(report.added) == 2 and len(report.failed) == 1, report
    return corpus, index


@pytest.fixture()
def real_model(monkeypatch: pytest.MonkeyPatch, minilm) -> None:
    """The commands load the same real MiniLM the index was built with (once per test run)."""
    monkeypatch.setattr(minutebook.models.registry, "index_embedder", lambda settings: minilm)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_no_raw_control_character_reaches_the_text_output_of_any_command(
    hostile_index: tuple[Path, Path], real_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, index = hostile_index
    paper = next(p for p in corpus.iterdir() if p.name.startswith("evil"))
    commands = {
        "search": ["search", "caseloads agency staff"],
        "ask": ["ask", "what was said about caseloads?"],
        "timeline": ["timeline", "caseloads"],
        "decisions": ["decisions"],
        "decisions caseloads": ["decisions", "caseloads"],
        "index": ["index", str(corpus), "-q"],
        "status": ["status", "--documents"],
        "check": ["check"],
        "inspect": ["inspect", str(paper)],
    }
    shown: dict[str, str] = {}
    for name, argv in commands.items():
        code, out = run(capsys, *argv, *([] if name == "inspect" else ["--index", str(index)]))
        assert code in (0, 1), (name, out)
        assert raw_controls(out) == [], (name, raw_controls(out), out)
        shown[name] = out
    # The hostile text did reach each output, in visible form: the test is not passing on empty output.
    for name in ("search", "ask", "timeline", "decisions", "decisions caseloads", "inspect"):
        assert "␛[" in shown[name] or "\\u202e" in shown[name], (name, shown[name])
    for name in ("index", "status"):
        assert "empty␛[41m\\u202e.txt" in shown[name], (name, shown[name])  # the failed file, by its name
    assert "␛[31mScrutiny␛[0m \\u2066Committee\\u2069" in shown["status"]  # the committee, from the sidecar


def test_a_damaged_file_name_in_an_error_message_is_shown_not_obeyed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "gone\x1b]0;pwned\x07\u202e.txt"
    code, out = run(capsys, "inspect", str(missing))
    assert code != 0 and raw_controls(out) == [] and "gone␛]0;pwned␇\\u202e.txt" in out


def test_json_output_carries_the_text_exactly_and_no_raw_control_byte(
    hostile_index: tuple[Path, Path], real_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _, index = hostile_index
    for argv in (["search", "caseloads"], ["ask", "what was said about caseloads?"], ["timeline", "caseloads"],
                 ["decisions"], ["status", "--documents"]):
        code, out = run(capsys, *argv, "--index", str(index), "--json")
        assert code == 0 and raw_controls(out) == [], (argv, raw_controls(out))
        text = " ".join(strings(json.loads(out)))
        assert "\x1b[" in text and "\u202e" in text, argv  # the data itself is unchanged


def strings(value: object) -> list[str]:
    """Every string inside a parsed JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []
