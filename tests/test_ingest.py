"""Reading papers: text, pages and offsets a person can trust, and a plain reason when not."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from minutebook.errors import (
    CorruptDocument,
    EncryptedDocument,
    ExtractionLimit,
    IngestError,
    NoTextLayer,
    UnsupportedFormat,
)
from minutebook.ingest import is_candidate, read_document
from tests.pdfmaker import make_pdf, write_pdf

REPO = Path(__file__).parent.parent
SHARED = REPO.parent / "shared"
QPDF = SHARED / "badinputs" / "qpdf"
OFSTED = SHARED / "corpus" / "ofsted-ilacs"

needs_qpdf = pytest.mark.skipif(not QPDF.is_dir(), reason="../shared/badinputs/qpdf not present")
needs_ofsted = pytest.mark.skipif(not OFSTED.is_dir(), reason="../shared/corpus/ofsted-ilacs not present")

PAGES = [
    ["Children's Scrutiny Committee", "Minute 1: apologies were received."],
    ["Minute 2: the fostering allowance was discussed."],
    ["Minute 3: the committee noted the Ofsted letter."],
]


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_pages_keep_their_numbers(tmp_path: Path) -> None:
    doc = read_document(write_pdf(tmp_path / "minutes.pdf", PAGES))
    assert doc.format == "pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.text.split("\f") == [doc.text[p.start_char : p.end_char] for p in doc.pages]
    assert "\r" not in doc.text  # pdfium's CRLF line ends become plain newlines
    assert doc.text[doc.pages[0].start_char : doc.pages[0].end_char] == (
        "Children's Scrutiny Committee\nMinute 1: apologies were received."
    )
    assert doc.page_at(doc.text.index("fostering")) == 2
    assert doc.page_at(doc.text.index("Ofsted letter")) == 3
    assert doc.sha256 == hashlib.sha256((tmp_path / "minutes.pdf").read_bytes()).hexdigest()


def test_pdf_without_text_is_reported_as_scanned(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "scan.pdf", [[], []])
    with pytest.raises(NoTextLayer) as caught:
        read_document(path)
    assert "no text layer" in caught.value.reason
    assert str(path) in str(caught.value)


def test_format_is_decided_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "minutes.txt"
    path.write_bytes(make_pdf(PAGES))
    doc = read_document(path)
    assert doc.format == "pdf"
    assert doc.page_count == 3


@needs_qpdf
def test_password_protected_pdf() -> None:
    with pytest.raises(EncryptedDocument) as caught:
        read_document(QPDF / "enc-R2,V1,U=view,O=master.pdf")
    assert caught.value.reason == "password-protected PDF"


@needs_qpdf
@pytest.mark.parametrize("path", sorted(QPDF.glob("*.pdf")) if QPDF.is_dir() else [], ids=lambda p: p.name)
def test_malformed_pdfs_give_text_or_a_reason(path: Path) -> None:
    try:
        doc = read_document(path)
    except IngestError as exc:
        assert exc.reason
        assert exc.path == str(path)
    else:
        assert doc.text.strip()
        assert doc.pages


def test_truncated_pdf_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(make_pdf(PAGES)[:60])
    with pytest.raises(IngestError):
        read_document(path)


# --- HTML ----------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Minutes - Children's Scrutiny Committee</title>
<style>.x { color: red }</style><script>var tracking = 1;</script></head>
<body>
<header>Site header words</header>
<nav><a href="/">Home</a> <a href="/meetings">Meetings menu</a></nav>
<div class="cookie-banner">We use cookies to improve the website</div>
<ol class="breadcrumbs"><li>Home</li><li>Committees</li></ol>
<div id="modgov">
<h1>Children's Scrutiny Committee</h1>
<p>Wednesday, 6th April, 2022 at 10.30 am</p>
<h2>Minutes</h2>
<p>7.1 The committee considered the report on fostering &amp; adoption and the
sufficiency of placements for children in care across the county this year.</p>
<table><tr><th>Item</th><th>Decision</th></tr><tr><td>Fostering</td><td>Noted</td></tr></table>
</div>
<footer>Copyright the council</footer>
</body></html>
"""


def test_html_keeps_the_paper_and_drops_the_website(tmp_path: Path) -> None:
    path = tmp_path / "minutes.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "html"
    assert "fostering & adoption" in doc.text
    assert "Item | Decision\nFostering | Noted" in doc.text
    assert "Children's Scrutiny Committee\n" in doc.text  # the heading is its own line
    for furniture in ("tracking", "color", "Site header", "Meetings menu", "cookies", "Committees", "Copyright"):
        assert furniture not in doc.text
    assert doc.metadata.title == "Minutes - Children's Scrutiny Committee"
    assert doc.metadata.meeting_date == "2022-04-06"


def test_html_page_saved_as_pdf_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "minutes.pdf"
    path.write_text("\n\n  " + HTML_PAGE, encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "html"
    assert "sufficiency of placements" in doc.text


def test_html_error_page_saved_as_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text(
        "<!doctype html><html><head><title>Report not found - Ofsted</title></head><body>"
        "<h1>Report not found</h1><p>Sorry, the document you requested no longer exists.</p>"
        "<p>Go to our homepage or use our search to find inspection reports.</p></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(UnsupportedFormat) as caught:
        read_document(path)
    assert caught.value.reason.startswith("not a PDF: an HTML page with no paper text")


@needs_ofsted
def test_real_html_pages_among_ofsted_pdfs_are_refused() -> None:
    impostors = [
        p for p in sorted(OFSTED.glob("*/*.pdf")) if b"%PDF-" not in p.read_bytes()[:1024]
    ]
    assert len(impostors) == 4
    for path in impostors:
        with pytest.raises(UnsupportedFormat) as caught:
            read_document(path)
        assert caught.value.reason.startswith("not a PDF: an HTML page")


@needs_ofsted
def test_real_ofsted_report_takes_metadata_from_the_manifest() -> None:
    path = OFSTED / "80418_norfolk" / "children's services inspection - 13 january 2023.pdf"
    doc = read_document(path)
    assert doc.format == "pdf"
    assert doc.page_count == 12
    assert doc.text.startswith("Inspection of Norfolk local authority")
    meta = doc.metadata
    assert (meta.council, meta.committee, meta.meeting_date, meta.doc_type) == (
        "Norfolk", "Ofsted", "2023-01-13", "report",
    )


# --- plain text: offsets index the decoded file exactly --------------------------------------

SAMPLE = "Children’s services – £2.5m overspend\r\nCafé meeting, 29 July 2021\r\n\r\nItem 7.1 noted.\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("cp1252", b""), ("utf-16", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-be", b"\xfe\xff")],
)
def test_text_is_exactly_the_decoded_file(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / "minutes.txt"
    path.write_bytes(prefix + SAMPLE.encode(encoding))
    doc = read_document(path)
    assert doc.text == SAMPLE  # no BOM, no newline changes, nothing normalised
    assert doc.format == "txt"
    assert doc.pages == (doc.pages[0],) and (doc.pages[0].start_char, doc.pages[0].end_char) == (0, len(SAMPLE))
    start = doc.text.index("£2.5m")
    assert doc.text[start : start + 5] == "£2.5m"


def test_markdown_keeps_its_marks(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Cabinet briefing\n\n**Budget** agreed.\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "md"
    assert doc.text == "# Cabinet briefing\n\n**Budget** agreed.\n"
    assert doc.metadata.title == "Cabinet briefing"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(UnsupportedFormat) as caught:
        read_document(path)
    assert caught.value.reason == "empty file"


def test_binary_data_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(UnsupportedFormat) as caught:
        read_document(path)
    assert caught.value.reason == "binary data, not text"


# --- DOCX ----------------------------------------------------------------------------------


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Corporate Parenting Panel", level=1)
    document.add_paragraph("The panel reviewed placement sufficiency.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Measure", "Value"
    table.cell(1, 0).text, table.cell(1, 1).text = "Children in care", "812"
    document.add_paragraph("Resolved that the report be noted.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_keeps_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    path = tmp_path / "panel.docx"
    path.write_bytes(_docx_bytes())
    doc = read_document(path)
    assert doc.format == "docx"
    assert "Corporate Parenting Panel\n" in doc.text
    assert "Measure | Value\nChildren in care | 812" in doc.text
    positions = [doc.text.index(s) for s in ("Corporate", "sufficiency", "Children in care", "Resolved")]
    assert positions == sorted(positions)
    assert doc.page_count == 1 and doc.pages[0].end_char == len(doc.text)


def _bomb(path: Path, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return path


def test_docx_zip_bomb_is_refused_unopened(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.docx", 210)
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(ExtractionLimit) as caught:
        read_document(path)
    assert "MB" in caught.value.reason


def test_docx_with_absurd_compression_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExtractionLimit) as caught:
        read_document(_bomb(tmp_path / "dense.docx", 20))
    assert "zip bomb" in caught.value.reason


def test_damaged_docx(tmp_path: Path) -> None:
    cut = tmp_path / "cut.docx"
    cut.write_bytes(_docx_bytes()[:3000])
    with pytest.raises(IngestError):
        read_document(cut)
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"\x13\x37 not a zip at all" * 50)
    with pytest.raises(CorruptDocument) as caught:
        read_document(junk)
    assert caught.value.reason == "damaged DOCX (not a valid zip)"


# --- which files, and metadata overrides ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("minutes.pdf", True), ("Report.DOCX", True), ("page.htm", True), ("notes.markdown", True),
        ("minutes.txt.meta.json", False), (".hidden.pdf", False), ("~$draft.docx", False),
        ("minutebook-manifest.csv", False), ("ofsted_csc_ilacs_history.csv", False),
        ("photo.jpg", False), ("minutes.doc", False),
    ],
)
def test_is_candidate(name: str, expected: bool) -> None:
    assert is_candidate(Path("papers") / name) is expected


def test_sidecar_overrides_the_guess(tmp_path: Path) -> None:
    paper = tmp_path / "minutes.txt"
    paper.write_text("Minutes of the meeting of the Audit Committee, Friday 3 March 2023\n", encoding="utf-8")
    assert read_document(paper).metadata.meeting_date == "2023-03-03"
    (tmp_path / "minutes.txt.meta.json").write_text(
        '{"meeting_date": "2023-03-10", "council": "Kent County Council", "title": "Audit minutes"}',
        encoding="utf-8",
    )
    meta = read_document(paper).metadata
    assert (meta.meeting_date, meta.council, meta.title) == ("2023-03-10", "Kent County Council", "Audit minutes")
    assert meta.committee == "Audit Committee"  # not in the sidecar: the guess stands


def test_bad_sidecar_names_the_sidecar(tmp_path: Path) -> None:
    paper = tmp_path / "minutes.txt"
    paper.write_text("Minutes\n", encoding="utf-8")
    (tmp_path / "minutes.txt.meta.json").write_text('{"meeting_date": "2023-03-10",}', encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_document(paper)
    assert "minutes.txt.meta.json" in str(caught.value)
    (tmp_path / "minutes.txt.meta.json").write_text('{"meeting_date": "10/03/2023"}', encoding="utf-8")
    with pytest.raises(IngestError, match="yyyy-mm-dd"):
        read_document(paper)


def test_ofsted_manifest_overrides_a_fake_report_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ofsted" / "80418_norfolk"
    folder.mkdir(parents=True)
    name = "children's services inspection - 13 january 2023.pdf"
    write_pdf(folder / name, [["Inspection of Norfolk local authority children's services, a long report."]])
    (tmp_path / "ofsted" / "ofsted_csc_ilacs_history.csv").write_text(
        "urn,local_authority,inspection_link,pdf_filename,publication_date,inspection_framework\n"
        f"80418,norfolk,https://example.invalid/1,{name},12/01/23,standard\n"
        f"99999,suffolk,https://example.invalid/2,{name},01/02/23,standard\n",
        encoding="utf-8",
    )
    meta = read_document(folder / name).metadata
    assert (meta.council, meta.committee, meta.meeting_date, meta.doc_type) == (
        "Norfolk", "Ofsted", "2023-01-12", "report",
    )


def test_generic_manifest_then_sidecar(tmp_path: Path) -> None:
    folder = tmp_path / "papers" / "2023"
    folder.mkdir(parents=True)
    paper = folder / "item7.txt"
    paper.write_text("Agenda item\n\nFostering update\n", encoding="utf-8")
    (tmp_path / "minutebook-manifest.csv").write_text(
        "path,title,council,committee,meeting_date,doc_type\n"
        "papers/2023/item7.txt,Fostering update,Surrey County Council,Children's Select Committee,2023-06-08,minutes\n",
        encoding="utf-8",
    )
    meta = read_document(paper).metadata
    assert (meta.council, meta.committee, meta.meeting_date, meta.doc_type) == (
        "Surrey County Council", "Children's Select Committee", "2023-06-08", "minutes",
    )
    (folder / "item7.txt.meta.json").write_text('{"meeting_date": "2023-06-09"}', encoding="utf-8")
    meta = read_document(paper).metadata
    assert meta.meeting_date == "2023-06-09"
    assert meta.council == "Surrey County Council"


def test_committee_system_page_title_names_committee_and_date(tmp_path: Path) -> None:
    path = tmp_path / "ieListDocuments.html"
    path.write_text(
        "<html><head><title>Agenda for Children's Scrutiny Committee on Wednesday, 6th April, 2022, "
        "10.30 am - Devon County Council</title></head><body><div id='mgMenu'>Meetings Calendar</div>"
        "<div class='mgContent'><h2>Agenda</h2><p>1 Apologies. 2 Minutes of the meeting held on 15 March "
        "2022 (previously circulated). 5 Ofsted Monitoring Visit Letter: report of the Deputy Chief "
        "Officer for Children's Services and Head of Social Care, attached.</p></div></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert "Meetings Calendar" not in doc.text
    meta = doc.metadata
    assert meta.committee == "Children's Scrutiny Committee"
    assert meta.meeting_date == "2022-04-06"
    assert meta.council == "Devon County Council"
    assert meta.doc_type == "agenda"
