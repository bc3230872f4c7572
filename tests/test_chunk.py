"""The chunker's promises: passages fit the model, lose nothing, and follow the paper's structure."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from minutebook.chunking.chunker import CHUNKER_VERSION, MAX_TOKENS, chunk_document
from minutebook.chunking.tokens import approximate_counter, word_piece_counter
from minutebook.ingest.boilerplate import furniture_lines, is_boilerplate, is_page_number
from minutebook.types import Chunk, Document, Metadata, Page

SEEDS = Path("/work/shared/corpus/seeds")
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
needs_seeds = pytest.mark.skipif(len(SEED_NAMES) < 5, reason="seed papers not available")


def make_doc(text: str, pages: tuple[Page, ...] = (), fmt: str = "txt", name: str = "paper.txt") -> Document:
    return Document(name, hashlib.sha256(text.encode()).hexdigest(), fmt, text, pages, Metadata(title=name))


def read_seed(prefix: str) -> Document:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    # Decoded bytes keep the file's own line endings, so offsets index the file exactly.
    return make_doc(path.read_bytes().decode("utf-8"), name=path.name)


def paged_doc(pages_text: list[str]) -> Document:
    pages, pos = [], 0
    for i, body in enumerate(pages_text):
        pos += 1 if i else 0  # the form feed between pages
        pages.append(Page(i + 1, pos, pos + len(body)))
        pos += len(body)
    return make_doc("\f".join(pages_text), tuple(pages), fmt="pdf", name="paper.pdf")


def assert_lossless(doc: Document, chunks: list[Chunk]) -> None:
    """Every non-space character is in exactly one chunk, chunks in order, text an exact slice."""
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    covered = bytearray(len(doc.text))
    previous_end = 0
    for c in chunks:
        assert c.text == doc.text[c.start_char:c.end_char]
        assert c.text and c.text == c.text.strip(), "offsets should exclude surrounding whitespace"
        assert c.start_char >= previous_end, "chunks overlap or are out of order"
        previous_end = c.end_char
        covered[c.start_char:c.end_char] = b"\x01" * (c.end_char - c.start_char)
    lost = [i for i, ch in enumerate(doc.text) if not ch.isspace() and not covered[i]]
    assert not lost, f"{len(lost)} characters in no chunk, first near {doc.text[lost[0]:lost[0] + 40]!r}"


@pytest.fixture(scope="module")
def count():
    return word_piece_counter()


@pytest.fixture(scope="module")
def seed_chunks(count):
    return {name[:3]: chunk_document(read_seed(name[:3]), count) for name in SEED_NAMES}


# --- every seed paper -------------------------------------------------------------------


@needs_seeds
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_passages_fit_the_model_and_lose_nothing(prefix, count, seed_chunks):
    doc = read_seed(prefix)
    chunks = seed_chunks[prefix]
    assert len(chunks) >= 10
    assert max(count(c.text) for c in chunks) <= MAX_TOKENS
    assert_lossless(doc, chunks)
    assert all(c.page is None for c in chunks), "a .txt paper has no pages"
    # Most passages know which heading they sit under.
    assert sum(c.section is not None for c in chunks) >= 0.7 * len(chunks)


@needs_seeds
def test_seed_passages_are_sized_for_search(count, seed_chunks):
    sizes = [count(c.text) for chunks in seed_chunks.values() for c in chunks if not c.boilerplate]
    assert 70 <= sum(sizes) / len(sizes) <= 160
    # Few scraps: a passage of a handful of pieces rarely answers anything.
    assert sum(n < 10 for n in sizes) <= 3


@needs_seeds
def test_west_sussex_minutes_start_their_own_passages(seed_chunks):
    chunks = seed_chunks["002"]
    by_minute: dict[str | None, Chunk] = {}
    for c in chunks:
        by_minute.setdefault(c.minute, c)
    for minute in ("7.1", "7.4", "7.10", "7.15"):
        assert minute in by_minute, f"no passage for minute {minute}"
        assert by_minute[minute].text.startswith(minute)
    # The resolutions numbered 1-5 under 7.15 belong to minute 7.15, not minutes 1-5.
    resolved = [c for c in chunks if "Recognises the national and regional challenge" in c.text]
    assert resolved and resolved[0].minute == "7.15"
    assert not any(c.minute in ("1", "2", "3", "4", "5") for c in chunks)
    assert by_minute["7.4"].section == "Regulatory Scrutiny of Children's Services and Children's Workforce Development"


@needs_seeds
def test_worcestershire_minutes_and_issue_date(seed_chunks):
    chunks = seed_chunks["003"]
    minutes = {c.minute for c in chunks}
    assert {"262", "263", "264", "265", "266"} <= minutes
    feedback = [c for c in chunks if c.minute == "266"]
    assert len(feedback) > 10
    assert all(c.section == "Ofsted Inspection Feedback" for c in feedback if "Chairman" not in c.text)
    assert feedback[0].text.startswith("266 Ofsted Inspection Feedback")
    issue = [c for c in chunks if "Date of Issue" in c.text]
    assert len(issue) == 1 and issue[0].boilerplate and issue[0].text == "Date of Issue: 9 February 2017"


@needs_seeds
def test_devon_report_sections_and_paragraph_numbers(seed_chunks):
    chunks = seed_chunks["000"]
    visit = [c for c in chunks if c.minute == "4.1"]
    assert visit and all(c.section == "Ofsted Focused Visit" for c in visit)
    recruitment = next(c for c in chunks if "Cornwall's offer" in c.text)
    assert (recruitment.minute, recruitment.section) == ("4.2", "Recruitment and Retention Business Case")
    # A bare heading travels with the text under it rather than standing alone.
    attendance = next(c for c in chunks if c.text.startswith("3. Attendance"))
    assert "Scrutiny Members: Councillors" in attendance.text
    # "5. Next Meeting" after a bulleted list is a new section, not an item of the list.
    assert any(c.minute == "5" and c.section == "Next Meeting" for c in chunks)
    report = seed_chunks["004"]
    assert {c.minute for c in report} >= {"1", "2", "3", "4", "12"}
    iro = next(c for c in report if "154 formal escalations" in c.text)
    assert (iro.minute, iro.section) == ("3", "Independent Reviewing Officer (IRO) Service Annual Report")


@needs_seeds
def test_agenda_pack_visitor_notes_are_boilerplate_and_substance_is_not(seed_chunks):
    chunks = seed_chunks["001"]

    def holding(phrase: str) -> Chunk:
        return next(c for c in chunks if phrase in c.text)

    for phrase in (
        "You can view the agenda on the",
        "In the event of the fire alarm sounding",
        "publicly available Wi-Fi network",
        "switch off all mobile phones",
        "another format (e.g. large print",
        "Members are reminded that Part II Reports contain exempt information",
        "The proceedings of any meeting may be recorded",
        "For SatNav purposes",
    ):
        assert holding(phrase).boilerplate, phrase
    for phrase in (
        "Ofsted Monitoring Visit Letter (Pages 1 - 6)",
        "Minutes of the meeting held on 15 March 2022",
        "This letter summarises the findings of the monitoring visit",
        "A surge in referrals about children",
        "Inspectors reviewed the progress made",
        "I am copying this letter to the Department for Education",
    ):
        assert not holding(phrase).boilerplate, phrase
    # Notes and substance never share a passage.
    assert holding("Induction Loop available").text == "Induction Loop available"
    assert holding("Headline findings").section == "Headline findings"


@needs_seeds
def test_lead_in_line_stays_with_its_list(seed_chunks):
    for chunks in seed_chunks.values():
        for c in chunks[:-1]:
            if c.text.endswith("included the following areas:") or c.text.endswith("discussion points:"):
                pytest.fail(f"passage {c.ordinal} ends with a lead-in cut from its list: {c.text[-80:]!r}")


# --- line endings, pages, giant paragraphs ----------------------------------------------------


@needs_seeds
def test_crlf_text_keeps_offsets_exact_and_chunks_the_same(count, seed_chunks):
    lf = read_seed("000")
    crlf = make_doc(lf.text.replace("\n", "\r\n"))
    chunks = chunk_document(crlf, count)
    assert_lossless(crlf, chunks)
    assert [c.text.replace("\r\n", "\n") for c in chunks] == [c.text for c in seed_chunks["000"]]
    assert [(c.section, c.minute) for c in chunks] == [(c.section, c.minute) for c in seed_chunks["000"]]


HEADER = "Inspection of Exampleshire local authority children’s services \r\n"


def inspection_page(number: int, body: str) -> str:
    return f"{HEADER}10 to 14 March 2025 {number}\r\n{body}\r\nOfsted report ref 12{number}4\r\n"


def test_paged_text_gets_page_numbers_and_running_headers_are_boilerplate(count):
    bodies = [
        "The experiences and progress of children in care: good\r\n"
        "1. Children in care live in stable homes and are well supported by their social \r\n"
        "workers, who visit them often. \r\n"
        "2. Leaders know their services well and have acted on the findings of audits.",
        "3. Care leavers in Exampleshire receive effective help with housing and money. \r\n"
        "Personal advisers keep in touch with them, and the local offer is generous.",
        "4. Foster carers report that they feel valued, and the fostering panel is \r\n"
        "well run. Recruitment of carers has improved since the last inspection.",
        "What needs to improve?\r\n"
        "◼ The timeliness of initial health assessments for children coming into care.\r\n"
        "◼ The quality of return home interviews for children who go missing.",
    ]
    doc = paged_doc([inspection_page(i + 1, b) for i, b in enumerate(bodies)])
    chunks = chunk_document(doc, count)
    assert_lossless(doc, chunks)

    def holding(phrase: str) -> Chunk:
        return next(c for c in chunks if phrase in c.text)

    assert holding("Care leavers in Exampleshire").page == 2
    assert holding("Foster carers report").page == 3
    assert holding("return home interviews").page == 4
    assert holding("Care leavers in Exampleshire").minute == "3"
    assert holding("Care leavers in Exampleshire").section == "The experiences and progress of children in care: good"
    assert holding("return home interviews").section == "What needs to improve?"
    furniture = [c for c in chunks if "Exampleshire local authority" in c.text or "Ofsted report ref" in c.text]
    assert len(furniture) >= 4 and all(c.boilerplate for c in furniture)
    # Running headers are split off: no substance passage carries them.
    substance = [c for c in chunks if not c.boilerplate]
    assert all("March 2025" not in c.text and "report ref" not in c.text for c in substance)
    assert {c.page for c in substance} == {1, 2, 3, 4}


def test_bare_page_numbers_at_page_edges_are_boilerplate(count):
    topics = ["the library budget", "school transport", "the new care home"]
    pages = [f"{n}\nThe committee discussed {topic} and noted it.\n- {n} -" for n, topic in enumerate(topics, 1)]
    chunks = chunk_document(paged_doc(pages), count)
    assert_lossless(paged_doc(pages), chunks)
    for c in chunks:
        assert c.boilerplate == ("discussed" not in c.text), c.text
    assert sum(not c.boilerplate for c in chunks) == 3


@pytest.mark.parametrize("counter", [approximate_counter, word_piece_counter])
def test_giant_paragraph_without_punctuation_is_split_without_loss(counter):
    count = counter()
    text = " ".join(f"budget{i} line" for i in range(3000))
    doc = make_doc(text)
    chunks = chunk_document(doc, count)
    assert len(chunks) > 20
    assert max(count(c.text) for c in chunks) <= MAX_TOKENS
    assert_lossless(doc, chunks)


def test_a_word_longer_than_a_passage_is_cut_between_characters():
    # MiniLM reads any word over 100 characters as one unknown piece, so a counter that
    # charges by length stands in for a tokenizer that would not.
    def count(text: str) -> int:
        return (len(text) + 3) // 4

    doc = make_doc("Reference: " + "x9" * 3000 + " ends here.")
    chunks = chunk_document(doc, count)
    assert len(chunks) > 1 and max(count(c.text) for c in chunks) <= MAX_TOKENS
    assert_lossless(doc, chunks)


def test_long_paragraph_splits_at_sentence_ends(count):
    sentences = [f"Sentence number {i} explains part {i} of the housing budget in detail." for i in range(60)]
    doc = make_doc("12 Housing Budget\n\n" + " ".join(sentences))
    chunks = chunk_document(doc, count)
    assert len(chunks) >= 3
    assert all(c.text.endswith(".") for c in chunks)
    assert all(c.minute == "12" and c.section == "Housing Budget" for c in chunks)
    assert max(count(c.text) for c in chunks) <= MAX_TOKENS


@needs_seeds
def test_smaller_limit_is_respected(seed_chunks):
    count = approximate_counter()
    doc = read_seed("003")
    chunks = chunk_document(doc, count, max_tokens=60)
    assert max(count(c.text) for c in chunks) <= 60
    assert_lossless(doc, chunks)


@needs_seeds
def test_chunking_is_deterministic(count):
    doc = read_seed("001")
    assert chunk_document(doc, count) == chunk_document(doc, count)
    assert CHUNKER_VERSION


def test_empty_and_blank_documents_have_no_passages(count):
    assert chunk_document(make_doc(""), count) == []
    assert chunk_document(make_doc(" \n\n\xa0\r\n\f "), count) == []


# --- boilerplate rules ------------------------------------------------------------------------


def test_boilerplate_rules():
    assert is_page_number("Page 3") and is_page_number("3 of 12") and is_page_number("- 3 -")
    assert is_boilerplate("Please leave by the nearest exit.", "Fire")
    assert is_boilerplate("Date of Issue: 9 February 2017", None)
    assert not is_boilerplate("The fire service budget rose by 3% this year.", "Finance")
    assert not is_boilerplate("Fire and Rescue Service precept", "Budget 2024/25")


def test_running_lines_need_to_repeat_on_enough_pages():
    bodies = ["Budget approved.", "Library hours cut.", "School places rise.", "Bins weekly.", "Parks reopen."]
    pages = [["Council Report", body, f"Page {i} of 5"] for i, body in enumerate(bodies, 1)]
    marked = furniture_lines(pages)
    assert all(m == {0, 2} for m in marked)
    two = furniture_lines([["Council Report", "Body."], ["Council Report", "More."]])
    assert two == [set(), set()], "a line on only two pages is not yet a running header"


# --- the word-piece counter -------------------------------------------------------------------


def test_word_piece_counter_counts_minilm_pieces_without_truncation(count):
    assert count("hello world") == 2
    assert count("safeguarding") > 1  # split into word pieces
    assert count(" ".join(["council"] * 500)) == 500  # the tokenizer file truncates at 128


def test_word_piece_counter_does_not_load_torch_or_transformers():
    code = (
        "import sys\n"
        "from minutebook.chunking.tokens import word_piece_counter\n"
        "assert word_piece_counter()('minutes of the meeting') > 0\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- verbatim records -------------------------------------------------------------------

_SPEAKERS = ["The Chair", "Cllr Hughes", "Director of Children's Services", "Cllr Patel"]


def transcript(turns: int = 40, long_turn_at: int = 7) -> str:
    """A webcast transcript: "Speaker: words" turns, one of them far longer than a passage."""
    lines = ["Children's Scrutiny Committee, webcast transcript, 3 March 2025", ""]
    for i in range(turns):
        who = _SPEAKERS[i % len(_SPEAKERS)]
        words = " ".join([f"Point {i} about foster care placements and the budget for the year."]
                         * (40 if i == long_turn_at else 1))
        lines += [f"{who}: {words}", ""]
    return "\n".join(lines)


def test_a_transcript_is_cut_into_overlapping_windows_of_turns_that_keep_their_speaker(count) -> None:
    doc = make_doc(transcript())
    chunks = chunk_document(doc, count)
    assert all(count(c.text) <= 240 for c in chunks), "every window fits what the model reads"
    covered = bytearray(len(doc.text))
    for c in chunks:
        assert c.text == doc.text[c.start_char:c.end_char]
        covered[c.start_char:c.end_char] = b"\x01" * len(c.text)
    assert all(covered[i] or doc.text[i].isspace() for i in range(len(doc.text))), "nothing is lost"
    starts = [c.start_char for c in chunks]
    assert starts == sorted(starts)
    assert any(b.start_char < a.end_char for a, b in zip(chunks, chunks[1:], strict=False)), "neighbouring windows overlap"
    assert not any(b.start_char < a.start_char or b.end_char <= a.end_char for a, b in zip(chunks, chunks[1:], strict=False))
    # The long turn is cut into several windows; those starting inside it name its speaker.
    long_turn = doc.text.index("Cllr Patel: Point 7")
    inside = [c for c in chunks if long_turn < c.start_char < long_turn + 2000]
    assert inside and all(c.speaker == "Cllr Patel" and not c.text.startswith("Cllr Patel") for c in inside)
    opening = [c for c in chunks if c.text.startswith(tuple(_SPEAKERS))]
    assert all(c.text.startswith(c.speaker) for c in opening if c.speaker)
    assert chunks[0].speaker is None and chunks[0].text.startswith("Children's Scrutiny Committee, webcast")


def test_the_speaker_is_what_the_model_reads_first_and_what_the_speaker_filter_finds(count) -> None:
    from minutebook.council.speakers import attribute
    from minutebook.pipeline.syncer import embedding_text

    doc = make_doc(transcript())
    chunks = chunk_document(doc, count)
    inside = next(c for c in chunks if c.speaker == "Cllr Patel" and not c.text.startswith("Cllr Patel"))
    assert embedding_text(inside).split("\n")[-1].startswith("Cllr Patel: Point 7")
    said = attribute(doc, chunks)[inside.ordinal]
    assert said and said[0].speaker == "Cllr Patel" and said[0].start == inside.start_char


def test_papers_with_a_few_labelled_lines_are_not_verbatim_records(count) -> None:
    from minutebook.chunking.turns import find_turns

    fields = "\n".join(f"{k}: {v}" for k, v in [
        ("Contact", "Jane Smith"), ("Date", "9 March 2022"), ("Venue", "County Hall"), ("Present", "Cllr Hughes"),
        ("Apologies", "None"), ("Purpose", "To note"), ("Resolved", "That the report be noted"),
        ("Email", "jane@example.org"), ("Telephone", "01392 383691"), ("Author", "Head of Service"),
        ("Wards", "All"), ("Key decision", "No"), ("Background papers", "None")])
    assert find_turns(fields + "\n\n" + "The committee considered the report. " * 20) is None
    assert find_turns(transcript()) is not None
    assert all(c.speaker is None for c in chunk_document(make_doc(fields), count))
