"""What minutebook says each paper is: council, committee, meeting date and kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from minutebook import read_document
from minutebook.ingest.metadata import guess_metadata, smart_title
from tests.pdfmaker import write_pdf

CORPUS = Path(__file__).parent.parent / "corpus"

EXPECTED = [
    (
        "devon-childrens-scrutiny-sog-2021-07-29-report.txt",
        "Devon County Council",
        "Children's Scrutiny Committee",
        "2021-07-29",
        "report",
    ),
    (
        "devon-childrens-scrutiny-2022-04-06-agenda.txt",
        "Devon County Council",
        "Children's Scrutiny Committee",
        "2022-04-06",  # not "Date: 29 March 2022" (dispatch) nor 9 March 2022 (the Ofsted letter)
        "agenda",
    ),
    (
        "west-sussex-cyp-scrutiny-2022-06-08-minutes.txt",
        "West Sussex County Council",
        "Children and Young People's Services Scrutiny Committee",
        "2022-06-08",
        "minutes",
    ),
    (
        "worcestershire-children-families-scrutiny-2017-01-27-minutes.txt",
        "Worcestershire County Council",
        "Children and Families Overview and Scrutiny Panel",
        "2017-01-27",  # not "Date of Issue: 9 February 2017"
        "minutes",
    ),
    (
        "devon-childrens-scrutiny-sog-2023-07-17-report.txt",
        "Devon County Council",
        "Children's Scrutiny Committee",
        "2023-07-17",
        "report",
    ),
]


@pytest.mark.parametrize(("name", "council", "committee", "date", "kind"), EXPECTED)
def test_corpus_paper_metadata(name: str, council: str, committee: str, date: str, kind: str) -> None:
    meta = read_document(CORPUS / name).metadata
    assert meta.committee == committee
    assert meta.meeting_date == date
    assert meta.council == council
    assert meta.doc_type == kind
    assert meta.title and len(meta.title) <= 120


def test_every_corpus_paper_is_in_the_table() -> None:
    papers = {p.name for p in CORPUS.glob("*.txt")}
    assert papers == {row[0] for row in EXPECTED}


def test_corpus_titles_are_headings_not_boilerplate() -> None:
    titles = {row[0]: read_document(CORPUS / row[0]).metadata.title for row in EXPECTED}
    assert titles["west-sussex-cyp-scrutiny-2022-06-08-minutes.txt"] == (
        "Regulatory Scrutiny of Children's Services and Children's Workforce Development"
    )
    assert titles["devon-childrens-scrutiny-2022-04-06-agenda.txt"] == (
        "Children's Scrutiny Committee agenda, 6 April 2022"
    )
    assert titles["worcestershire-children-families-scrutiny-2017-01-27-minutes.txt"].startswith(
        "Children and Families Overview and Scrutiny Panel Friday, 27 January 2017"
    )


def test_west_sussex_guess_without_sidecar_claims_no_date(tmp_path: Path) -> None:
    # The text itself names neither committee nor date: the sidecar is what supplies them.
    source = CORPUS / "west-sussex-cyp-scrutiny-2022-06-08-minutes.txt"
    copy = tmp_path / "item7.txt"
    copy.write_bytes(source.read_bytes())
    meta = read_document(copy).metadata
    assert meta.meeting_date is None
    assert meta.committee is None
    assert meta.doc_type == "minutes"


def test_capitalised_committee_heading_is_title_cased(tmp_path: Path) -> None:
    text = (
        "Date: 1 March 2024\n\nCHILDREN'S SCRUTINY COMMITTEE\n\nMonday, 11th March, 2024\n\n"
        "A meeting of the Children's Scrutiny Committee is to be held on the above date.\n\n"
        "A G E N D A\n\n1 Apologies\n"
    )
    meta = guess_metadata(text, tmp_path / "agenda.txt")
    assert meta.committee == "Children's Scrutiny Committee"
    assert meta.meeting_date == "2024-03-11"
    assert meta.doc_type == "agenda"


def test_standing_group_maps_to_its_committee(tmp_path: Path) -> None:
    text = "Report of the Standing Overview Group of the Children's Scrutiny Committee\n\nThursday 29th July 2021\n"
    meta = guess_metadata(text, tmp_path / "sog.txt")
    assert meta.committee == "Children's Scrutiny Committee"
    assert meta.meeting_date == "2021-07-29"
    assert meta.doc_type == "report"


def test_smart_title_keeps_apostrophes_and_small_words() -> None:
    assert smart_title("CHILDREN'S SCRUTINY COMMITTEE") == "Children's Scrutiny Committee"
    assert smart_title("isle of wight") == "Isle of Wight"
    assert smart_title("southend-on-sea") == "Southend-on-Sea"


def test_ofsted_report_metadata_from_folder_and_file_name(tmp_path: Path) -> None:
    folder = tmp_path / "80418_norfolk"
    folder.mkdir()
    pdf = write_pdf(
        folder / "children's services inspection - 13 january 2023.pdf",
        [
            [
                "Inspection of Norfolk local authority",
                "children's services",
                "Inspection dates: 7 to 18 November 2022",
                "Lead inspector: Margaret Burke, His Majesty's Inspector",
            ],
            ["Children and their families now more consistently receive good-quality services."],
        ],
    )
    meta = read_document(pdf).metadata
    assert meta.committee == "Ofsted"
    assert meta.council == "Norfolk"
    assert meta.meeting_date == "2023-01-13"
    assert meta.doc_type == "report"
    assert meta.title == "Inspection of Norfolk local authority children's services"


def test_ofsted_monitoring_visit_letter_is_a_letter(tmp_path: Path) -> None:
    text = (
        "Ofsted\nPiccadilly Gate\nManchester\n\n9 March 2022\n\nMelissa Caslake\n"
        "Devon County Council\n\nDear Melissa\n\nMonitoring visit to Devon children's services\n\n"
        "This letter summarises the findings of the monitoring visit.\n\nYours sincerely\n\n"
        "Steve Lowe\nHer Majesty's Inspector\n"
    )
    meta = guess_metadata(text, tmp_path / "letter.txt")
    assert meta.doc_type == "letter"
    assert meta.committee == "Ofsted"
    assert meta.council == "Devon County Council"
    assert meta.meeting_date == "2022-03-09"


def test_title_falls_back_to_file_name(tmp_path: Path) -> None:
    meta = guess_metadata("12\n\n34\n", tmp_path / "scan-0001.txt")
    assert meta.title == "scan-0001.txt"
