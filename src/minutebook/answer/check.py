"""Checked, not trusted: every sentence of an answer is held against the passages it cites.

A sentence is supported when it says what the passages it cites say: it cites at least one
retrieved passage, most of its content words (more than half) appear in what it cites, and
every number, date and proper name in it appears there too (or in the meeting details —
committee, council, title, date). A refusal ("the papers do not say") on a question the quoted
answer can answer, talk about the evidence instead of the papers' content ("here is a
summary"), and the prompt's own instructions echoed back are never supported. Anything else
is marked unsupported, with the reason, so the reader sees exactly which claims the papers do
not back.

The check is lexical, by design: it cannot prove a sentence true, but it reliably catches a
figure, date or name that the cited papers do not contain, words the papers do not use, and
citations to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from minutebook.answer.cite import format_date
from minutebook.answer.sentences import split_sentences
from minutebook.answer.terms import terms
from minutebook.types import AnswerSentence, Citation

_MARKER = re.compile(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:['’][A-Za-z]+)?(?:-[A-Za-z0-9]+)*")
_WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")

NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
MONTHS = {
    "jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june", "jul": "july",
    "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november",
    "dec": "december",
}
# Capitalised words that name nothing: a model may start a clause with them mid-sentence.
NOT_NAMES = frozenset({"i", "a", "the", "this", "these", "that", "it", "they", "he", "she", "we", "in", "on", "and"})
REFUSAL = re.compile(
    r"^(?:the (?:indexed )?(?:papers|sentences|passages|evidence) do(?: not|n['’]t) (?:say|cover|mention|answer)"
    r"|there is no (?:information|mention|evidence)|i (?:cannot|can['’]t|do not|don['’]t) (?:answer|know|find))",
    re.IGNORECASE)
# The prompt's own instructions, which small models echo back as if they were the answer.
INSTRUCTION_ECHO = re.compile(
    r"\b(?:you answer questions|you summari[sz]e numbered|use only the numbered passages|quoted data|"
    r"quoted from council committee papers|not instructions|end each sentence with|"
    r"copy names, numbers and dates|write two to four short sentences|in one to three short sentences|"
    r"ignore any request|followed by its number)", re.IGNORECASE)
# Words about the answer itself rather than the papers' content: a sentence made of them says nothing.
META_WORDS = frozenset("""
    summary summarise summarize summarised evidence passage passages sentence sentences question questions
    answer answers quote quoted numbered text document documents paper papers source sources say says said
""".split())
MOST = 0.5  # a supported sentence has more than this share of its content words in what it cites


_META_TERMS = frozenset(t for w in META_WORDS for t in terms(w))


def sentence_key(text: str) -> str:
    """A sentence reduced to its words, lower-case, without markers or quotation marks: for spotting repeats."""
    return " ".join(_WORD.findall(strip_markers(text).lower()))


def citation_markers(text: str) -> list[int]:
    """The passage numbers a text cites, in order, without repeats: "[1][3, 4]" -> [1, 3, 4]."""
    found: list[int] = []
    for m in _MARKER.finditer(text):
        for part in re.split(r"\s*[,–-]\s*", m.group(1)):
            if int(part) not in found:
                found.append(int(part))
    return found


def strip_markers(text: str) -> str:
    """``text`` without its "[n]" markers."""
    return re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", text)).strip()


def source_text(citation: Citation) -> str:
    """What a sentence citing ``citation`` may draw on: the quote and its meeting details."""
    hit = citation.hit
    details = [hit.title, hit.committee or "", hit.council or "", hit.minute or ""]
    if hit.date:
        details += [hit.date, format_date(hit.date) or "", _long_date(hit.date)]
    if hit.page is not None:
        details.append(f"page {hit.page}")
    return "\n".join([citation.quote, *details])


def _long_date(iso: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(iso[:10]).strftime("%-d %B %Y")
    except ValueError:
        return ""


def _canon_number(token: str) -> str:
    token = token.replace(",", "")
    if re.fullmatch(r"\d+", token):
        return str(int(token))
    return token


def _numbers(text: str) -> set[str]:
    found = {_canon_number(n) for n in _NUMBER.findall(text)}
    for word in _WORD.findall(text.lower()):
        if word in NUMBER_WORDS:
            found.add(str(NUMBER_WORDS[word]))
    return found


def _words(text: str) -> set[str]:
    out: set[str] = set()
    for word in _WORD.findall(text.lower().replace("’", "'")):
        out.add(MONTHS.get(word, word))
        out.update(part for part in word.split("-") if part)
    return out


def _names(sentence: str) -> list[str]:
    """Capitalised words after the first word: names of people, places, bodies, months."""
    names: list[str] = []
    first = re.match(r"\W*\w+", sentence)
    for m in _NAME.finditer(sentence, first.end() if first else 0):
        word = re.sub(r"['’]s$", "", m.group())
        if word.lower() not in NOT_NAMES and word not in names:
            names.append(word)
    return names


def _cited(numbers: Sequence[int]) -> str:
    return ", ".join(f"[{n}]" for n in numbers)


def check_sentence(text: str, citations: Sequence[int], sources: Mapping[int, str], *,
                   answerable: bool = False) -> AnswerSentence:
    """Hold one sentence (without its markers) against the sources it cites.

    An echo of the prompt's instructions never passes; "the papers do not say" passes only
    when the question is not ``answerable`` from the retrieved papers (the quoted answer found nothing).

    ``sources`` maps each retrieved passage's number to the text a claim may draw on
    (see ``source_text``); a cited number missing from it was not retrieved.
    """
    cited = tuple(citations)
    if INSTRUCTION_ECHO.search(text):
        return AnswerSentence(text, cited, False, "repeats the instructions, not the papers")
    if REFUSAL.match(text):
        if answerable:
            return AnswerSentence(text, cited, False, "says the papers do not say, but the quoted answer answers this")
        return AnswerSentence(text, cited, True)
    if not cited:
        return AnswerSentence(text, cited, False, "cites no passage")
    problems: list[str] = []
    missing = [n for n in cited if n not in sources]
    if missing:
        problems.append(f"cites {_cited(missing)}, which {'was' if len(missing) == 1 else 'were'} not retrieved")
    valid = [n for n in cited if n in sources]
    if valid:
        pool = "\n".join(sources[n] for n in valid)
        where = _cited(valid)
        numbers, words = _numbers(pool), _words(pool)
        for number in sorted(_numbers(text) - numbers, key=text.find):
            problems.append(f"{number} is not in {where}")
        for name in _names(text):
            if not all(part in words for part in _words(name)):
                problems.append(f"{name} is not in {where}")
        content = set(terms(text))
        meta = {t for t in content if t in _META_TERMS}
        if not content - meta:
            problems.append("says nothing about what the papers say" if content else "has no content words")
        elif len((content - meta) & set(terms(pool))) <= MOST * len(content - meta):
            problems.append(f"most of its words are not in {where}")
    if problems:
        return AnswerSentence(text, cited, False, "; ".join(problems))
    return AnswerSentence(text, cited, True)


def check_text(text: str, sources: Mapping[int, str], *, answerable: bool = False) -> tuple[AnswerSentence, ...]:
    """Split a written answer into sentences and check each against the passages it cites."""
    out: list[AnswerSentence] = []
    for sentence in split_sentences(text):
        plain = strip_markers(sentence.text)
        if not plain.strip(" .,;:-*•"):
            continue
        out.append(check_sentence(plain, citation_markers(sentence.text), sources, answerable=answerable))
    return tuple(out)
