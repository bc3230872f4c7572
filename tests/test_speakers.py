"""Who said what: passages tied to the councillor, cabinet member or officer the minutes name."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from minutebook import make_filters
from minutebook.council.speakers import attributions_in, roster
from minutebook.errors import QueryError

REPO = Path(__file__).resolve().parent.parent
WEST_SUSSEX = (REPO / "corpus" / "west-sussex-cyp-scrutiny-2022-06-08-minutes.txt").read_text(encoding="utf-8")
DEVON_2021 = (REPO / "corpus" / "devon-childrens-scrutiny-sog-2021-07-29-report.txt").read_text(encoding="utf-8")

WORCESTER_SNIPPET = """**Present:**

Ms L R Duffy (Chairman), Mrs F M Oborski (Vice Chairman), Mr I Hopwood and

Also attended:

Mr M L Bayliss, Cabinet Member with Responsibility for

Children and Families

Catherine Driscoll (Director of Children, Families and Communities), Tina Russell (Assistant Director Safeguarding Services (Childrens Social Care))

266 Ofsted Inspection Feedback

- The CMR reported that he had already seen improvements to the service. He agreed that the District Councils should be asked to look again at their role on the CPB.
- It was suggested that the report was not just disappointing, it was devastating.
- She confirmed that she would be more than happy to facilitate a session.
- The Assistant Director (Safeguarding Services) advised Members that it was clear. She confirmed that she would be happy to facilitate a session for Members.
"""


class _Said(dict):
    """Statement -> (speaker, role); look up by the statement's opening words."""

    def __getitem__(self, opening: str) -> tuple[str, str | None]:
        found = [v for k, v in self.items() if k.startswith(opening)]
        assert found, f"no statement attributed starting {opening!r}"
        return found[0]


def _said(text: str) -> _Said:
    return _Said({" ".join(text[a.start:a.end].split()): (a.speaker, a.role) for a in attributions_in(text)})


def test_introductions_tie_names_to_roles_in_west_sussex_minutes() -> None:
    people = {p.name: p for p in roster(WEST_SUSSEX)}
    assert people["Cllr Russell"].role == "cabinet"
    assert people["Cllr Russell"].position == "Cabinet Member for Children and Young People"
    assert people["Mr Clark"].role == "officer"
    said = _said(WEST_SUSSEX)
    assert said["The Cabinet Member for Children and Youn"] == ("Cllr Russell", "cabinet")
    assert said["The Assistant Director (Children First "] == ("Mr Clark", "officer")


def test_attendance_list_resolves_titles_and_pronouns() -> None:
    said = _said(WORCESTER_SNIPPET)
    assert said["The CMR reported that he had already see"] == ("Mr M L Bayliss", "cabinet")
    assert said["He agreed that the District Councils sho"] == ("Mr M L Bayliss", "cabinet"), "He = the CMR"
    assert said["The Assistant Director (Safeguarding Ser"] == ("Tina Russell", "officer")
    assert said["She confirmed that she would be happy to"] == ("Tina Russell", "officer")
    assert not any(k.startswith("It was suggested") for k in said), "the passive names no speaker"
    assert not any(k.startswith("She confirmed that she would be more") for k in said), \
        "a pronoun with no speaker earlier in its bullet is left unattributed"


def test_members_and_officers_as_groups_and_dash_clauses() -> None:
    said = _said(DEVON_2021)
    assert said["Average Caseloads for Social Workers – Me"] == ("Members", "member")
    assert said["Officers agreed to do this and stated tha"] == ("Officers", "officer")
    assert said["The Chief Officer stated that no one coul"] == ("Melissa Caslake", "officer")
    assert said["Vivien gave an overview of the aims and a"] == ("Vivien Lines", "officer")


def test_speaker_and_role_filters_narrow_search(searcher) -> None:
    cabinet = searcher.search("positive report recruitment", make_filters(role="cabinet"), 5)
    assert cabinet.hits and any("Cllr\xa0Russell" in h.text for h in cabinet.hits)
    leadbetter = searcher.search("conversation with Ofsted", make_filters(speaker="leadbetter"), 5)
    assert leadbetter.hits and all("Leadbetter" in h.text for h in leadbetter.hits)
    officers = searcher.search("caseloads", make_filters(role="officer", council="Worcestershire"), 10)
    assert officers.hits
    assert all("Director" in h.text or "Officer" in h.text or "officer" in h.text for h in officers.hits)


def test_bad_role_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match="unknown role 'mayor'"):
        make_filters(role="mayor")


def test_an_index_from_before_attributions_fills_them_on_the_next_sync(corpus_index_copy: Path, minilm) -> None:
    from minutebook import sync

    db = corpus_index_copy / "minutebook.sqlite"
    with sqlite3.connect(db) as conn:  # back to schema 1, as an older minutebook left it
        conn.executescript("DROP TABLE attributions; ALTER TABLE chunks DROP COLUMN ocr;"
                           "ALTER TABLE documents DROP COLUMN unread_pages; PRAGMA user_version = 1;"
                           "UPDATE meta SET value = '1' WHERE key = 'schema_version';")
    report = sync(corpus_index_copy, [REPO / "corpus"], minilm)
    assert report.chunks_embedded == 0, "re-reading old papers reuses their embeddings"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 2
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] != "1"
        roles = dict(conn.execute("SELECT role, count(*) FROM attributions GROUP BY role").fetchall())
    assert roles.get("cabinet") and roles.get("member") and roles.get("officer")


def test_removing_a_paper_removes_its_attributions(corpus_index_copy: Path, minilm, tmp_path: Path) -> None:
    import shutil

    from minutebook import sync

    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(REPO / "corpus" / "devon-childrens-scrutiny-sog-2021-07-29-report.txt", papers)
    folder = tmp_path / "idx"
    sync(folder, [papers], minilm)
    db = folder / "minutebook.sqlite"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM attributions").fetchone()[0] > 20
    (papers / "devon-childrens-scrutiny-sog-2021-07-29-report.txt").unlink()
    sync(folder, [papers], minilm)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM attributions").fetchone()[0] == 0
