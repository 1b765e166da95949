"""`article-bot report` and `article-bot unanswered`, run as a moderator would: a real
subprocess over a database the real chat filled."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import cli

pytestmark = pytest.mark.slow  # each test starts command-line processes

SCRIPT = "<script>alert(1)</script> who won the chess olympiad?"
QUESTIONS = [
    "turky coup",
    "what does russia gain",
    SCRIPT,
    "banana bread recipe",
    SCRIPT,
    "hello",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database filled by `chat --json`: two answers, one question twice unanswered, one
    off-topic, one small talk."""
    path = tmp_path_factory.mktemp("report") / "bot.db"
    run = cli("chat", "--json", "--db", str(path), stdin="\n".join(QUESTIONS) + "\n")
    assert run.returncode == 0, run.stderr
    return path


def png_in(html: str) -> bytes:
    """The bytes of the one inline PNG image of a page."""
    [data] = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    return base64.b64decode(data, validate=True)


def test_report_is_one_html_file_with_the_chart_and_escaped_questions(
    db: Path, tmp_path: Path
) -> None:
    """The report holds the chart as a PNG that decodes, the sections and the unanswered
    questions, a reader's markup escaped and never live."""
    out = tmp_path / "report.html"
    run = cli("report", "--out", str(out), "--days", "7", "--db", str(db))
    assert run.returncode == 0, run.stderr
    html = out.read_text(encoding="utf-8")
    png = png_in(html)
    Image.open(io.BytesIO(png)).verify()
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "5 questions, 2 answered, 2 unanswered, 1 off-topic" in html
    assert "The last 7 days" in html
    assert "<td>turkey-coup</td>" in html and "<td>banana bread recipe</td>" in html
    assert 'src="http' not in html and "<link" not in html  # nothing fetched: self-contained


def test_report_of_a_database_without_questions_says_so(tmp_path: Path) -> None:
    """A database nobody asked anything yet still gives a report with a chart, and empty tables."""
    db = tmp_path / "bot.db"
    assert cli("chat", "--json", "--db", str(db), stdin="").returncode == 0
    out = tmp_path / "report.html"
    run = cli("report", "--out", str(out), "--db", str(db))
    assert run.returncode == 0, run.stderr
    html = out.read_text(encoding="utf-8")
    Image.open(io.BytesIO(png_in(html))).verify()
    assert "0 questions" in html and html.count("None yet.") == 3


def test_report_refuses_a_missing_database(tmp_path: Path) -> None:
    """A mistyped --db is an error naming the file, not a new empty database and a blank
    report."""
    missing = tmp_path / "typo.db"
    out = tmp_path / "report.html"
    run = cli("report", "--out", str(out), "--db", str(missing))
    assert run.returncode == 1
    assert f"cannot open the database {missing}" in run.stderr
    assert not missing.exists() and not out.exists()


def test_report_refuses_a_window_of_no_days(tmp_path: Path) -> None:
    """--days must be a whole number of at least 1."""
    run = cli("report", "--out", str(tmp_path / "r.html"), "--days", "0")
    assert run.returncode == 2 and "at least 1" in run.stderr


def test_unanswered_prints_the_queue_one_question_per_line(db: Path) -> None:
    """Each line: the question, how often it was asked, when last (UTC), tab-separated, most
    asked first; --limit cuts the list."""
    run = cli("unanswered", "--db", str(db))
    assert run.returncode == 0, run.stderr
    rows = [line.split("\t") for line in run.stdout.splitlines()]
    assert [(q, n) for q, n, _ in rows] == [(SCRIPT.lower(), "2"), ("banana bread recipe", "1")]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", when) for _, _, when in rows)
    limited = cli("unanswered", "--db", str(db), "--limit", "1")
    assert limited.stdout.splitlines() == [run.stdout.splitlines()[0]]


def test_unanswered_with_nothing_unanswered_prints_nothing(tmp_path: Path) -> None:
    """An empty queue prints no line on stdout (scripts see none) and says so on stderr."""
    db = tmp_path / "bot.db"
    assert cli("chat", "--json", "--db", str(db), stdin="turky coup\n").returncode == 0
    run = cli("unanswered", "--db", str(db))
    assert run.returncode == 0 and run.stdout == ""
    assert "Every question got an answer." in run.stderr
