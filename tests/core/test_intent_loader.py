"""The intent loader: every validation error, located as file:line: key: message."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.article import Article
from bot.core.intents import Intent, IntentKind
from bot.core.loading.intent_files import _cross_checks, load_intents, validate_documents
from bot.errors import IntentError, Problem

EXAMPLES = "[one question, two question, three question, four question, five question]"


def intent_file(body: str) -> str:
    """A version-1 intent file with ``body`` under ``intents:``."""
    return "version: 1\nintents:\n" + textwrap.indent(textwrap.dedent(body), "  ")


def problems(article: Article, *docs: tuple[str, str]) -> list[str]:
    """Validate documents and return the problem lines (empty if valid)."""
    try:
        validate_documents(list(docs), article)
    except IntentError as exc:
        return [str(p) for p in exc.problems]
    return []


VALID = f"""\
- id: coup
  section: turkey-coup
  examples: {EXAMPLES}
  quote: "failed military coup in Turkey"
"""

CASES = [
    (
        "unknown key",
        "- id: a\n  section: turkey-coup\n  examples: " + EXAMPLES + "\n  colour: red\n",
        "f.yaml:6: a.colour: unknown key",
    ),
    (
        "wrong type",
        "- id: a\n  section: turkey-coup\n  examples: {x: 1}\n",
        "f.yaml:5: a.examples: expected a list of text, got a mapping",
    ),
    (
        "unknown section",
        "- id: a\n  section: mars\n  examples: " + EXAMPLES + "\n",
        "f.yaml:4: a.section: unknown section 'mars'",
    ),
    (
        "quote not in article",
        "- id: a\n  section: turkey-coup\n  examples: "
        + EXAMPLES
        + "\n  quote: The coup succeeded.\n",
        "f.yaml:6: a.quote: not found verbatim in section",
    ),
    (
        "quote from another section",
        "- id: a\n  section: turkey-coup\n  examples: "
        + EXAMPLES
        + "\n  quote: Vladimir Putin met US Secretary of State John Kerry.\n",
        "f.yaml:6: a.quote: not found verbatim",
    ),
    (
        "too few examples",
        "- id: a\n  section: turkey-coup\n  examples: [one, two]\n",
        "f.yaml:5: a.examples: needs at least 5 examples, has 2",
    ),
    (
        "repeated example",
        "- id: a\n  section: turkey-coup\n  examples:\n    - q one\n    - q two\n"
        "    - q three\n    - q four\n    - Q one?\n",
        "f.yaml:10: a.examples: 'Q one?' repeats line 6",
    ),
    (
        "bad kind",
        "- id: a\n  kind: joke\n  examples: " + EXAMPLES + "\n  reply: hi\n",
        "f.yaml:4: a.kind: unknown kind 'joke'",
    ),
    (
        "smalltalk without reply",
        "- id: a\n  kind: smalltalk\n  examples: " + EXAMPLES + "\n",
        "f.yaml:3: a.reply: required for kind smalltalk",
    ),
    (
        "smalltalk with quote",
        "- id: a\n  kind: smalltalk\n  reply: hi\n  quote: x\n  examples: " + EXAMPLES + "\n",
        "f.yaml:6: a.quote: smalltalk intents do not quote",
    ),
    (
        "answer with reply",
        "- id: a\n  section: turkey-coup\n  reply: nope\n  examples: " + EXAMPLES + "\n",
        "f.yaml:5: a.reply: answers quote the article; use `lead`",
    ),
    (
        "missing id",
        "- section: turkey-coup\n  examples: " + EXAMPLES + "\n",
        "f.yaml:3: intents[0].id: required key is missing",
    ),
    (
        "bad id",
        "- id: Not An Id\n  section: turkey-coup\n  examples: " + EXAMPLES + "\n",
        "f.yaml:3: Not An Id.id: use lowercase words joined by hyphens",
    ),
    (
        "unknown follow-up",
        "- id: a\n  section: turkey-coup\n  examples: " + EXAMPLES + "\n  follow_ups: [nope]\n",
        "f.yaml:3: a.follow_ups: unknown intent 'nope'",
    ),
    (
        "aliases not a mapping",
        "- id: a\n  section: turkey-coup\n  examples: " + EXAMPLES + "\n  aliases: [IOC]\n",
        "f.yaml:6: a.aliases: expected a mapping ALIAS: expansion",
    ),
    (
        "not_in_article quoting",
        "- id: a\n  kind: not_in_article\n  section: turkey-coup\n  reply: nope"
        "\n  quote: coup\n  examples: " + EXAMPLES + "\n",
        "f.yaml:7: a.quote: not_in_article intents never quote",
    ),
]


@pytest.mark.parametrize(("name", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_error_names_file_line_and_key(
    article: Article, name: str, body: str, expected: str
) -> None:
    """Each kind of mistake is reported as `file:line: key: message` with the right line."""
    found = problems(article, ("f.yaml", "version: 1\nintents:\n" + textwrap.indent(body, "  ")))
    assert any(p.startswith(expected) for p in found), found


def test_valid_file_loads(article: Article) -> None:
    """A correct intent resolves its quote to the exact article span."""
    intents = validate_documents([("f.yaml", intent_file(VALID))], article)
    intent = intents.by_id["coup"]
    assert intent.kind is IntentKind.ANSWER
    assert intent.span is not None
    assert article.text[intent.span[0] : intent.span[1]] == "failed military coup in Turkey"


def test_duplicate_id_across_files(article: Article) -> None:
    """The same intent id in two files is an error pointing at both."""
    found = problems(article, ("a.yaml", intent_file(VALID)), ("b.yaml", intent_file(VALID)))
    assert any(
        p.startswith("b.yaml:3: coup.id: duplicate intent id (first at a.yaml:3)") for p in found
    ), found


def test_same_example_under_two_intents(article: Article) -> None:
    """One example under two intents is an error naming the other intent."""
    other = VALID.replace("id: coup", "id: coup-two")
    found = problems(article, ("a.yaml", intent_file(VALID)), ("b.yaml", intent_file(other)))
    assert any("b.yaml:5: coup-two.examples: same example as intent 'coup'" in p for p in found)


def test_yaml_syntax_error_has_a_line(article: Article) -> None:
    """Broken YAML is reported with the line where parsing stopped."""
    found = problems(article, ("bad.yaml", "version: 1\nintents:\n  - id: [unclosed\n"))
    assert found and found[0].startswith("bad.yaml:") and ": yaml: " in found[0]


def test_version_is_required(article: Article) -> None:
    """A file without `version: 1` is rejected."""
    found = problems(article, ("v.yaml", "intents:\n" + textwrap.indent(VALID, "  ")))
    assert "v.yaml:1: version: required key is missing (use `version: 1`)" in found


def test_all_problems_are_reported_at_once(article: Article) -> None:
    """Several broken intents in several files produce one error listing them all."""
    bad1 = intent_file("- id: a\n  section: mars\n  examples: " + EXAMPLES + "\n")
    bad2 = intent_file("- id: b\n  section: turkey-coup\n  examples: [x]\n  wat: 1\n")
    found = problems(article, ("one.yaml", bad1), ("two.yaml", bad2))
    assert {p.split(":")[0] for p in found} == {"one.yaml", "two.yaml"}
    assert len(found) >= 3


def test_load_intents_reads_a_directory(tmp_path: Path, article: Article) -> None:
    """load_intents reads every *.yaml file of a folder, named by path in errors."""
    (tmp_path / "good.yaml").write_text(intent_file(VALID), encoding="utf-8")
    assert [i.id for i in load_intents(tmp_path, article).intents] == ["coup"]
    (tmp_path / "bad.yaml").write_text("version: 1\nintents: 3\n", encoding="utf-8")
    with pytest.raises(IntentError) as info:
        load_intents(tmp_path, article)
    assert f"{tmp_path / 'bad.yaml'}:2: intents: expected a list of intents" in str(info.value)


def _cross_checks_as_defined(intents: list[Intent]) -> list[Problem]:
    """The checks across files written plainly: the definition the loader's faster one meets."""
    problems: list[Problem] = []
    first: dict[str, Intent] = {}
    owner: dict[str, tuple[Intent, int]] = {}
    for intent in intents:
        if intent.id in first:
            other = first[intent.id]
            message = f"duplicate intent id (first at {other.source}:{other.line})"
            problems.append(Problem(intent.source, intent.line, f"{intent.id}.id", message))
            continue
        first[intent.id] = intent
        lines = dict(zip(intent.normalised_examples(), intent.example_lines, strict=True))
        for key, line in lines.items():
            if key in owner and owner[key][0].id != intent.id:
                prior, prior_line = owner[key]
                message = f"same example as intent {prior.id!r} ({prior.source}:{prior_line})"
                problems.append(Problem(intent.source, line, f"{intent.id}.examples", message))
            owner.setdefault(key, (intent, line))
    for intent in intents:
        for target in intent.follow_ups:
            if target not in first:
                message = f"unknown intent {target!r}"
                problems.append(
                    Problem(intent.source, intent.line, f"{intent.id}.follow_ups", message)
                )
    return problems


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.lists(st.sampled_from(["x", "y", "z", "w"]), min_size=1, max_size=5),
            st.lists(st.sampled_from(["a", "b", "d"]), max_size=2),
        ),
        max_size=6,
    )
)
def test_cross_checks_report_what_their_definition_says(
    article: Article, spec: list[tuple[str, list[str], list[str]]]
) -> None:
    """Repeated ids, examples shared by intents (at their lines), unknown follow-ups: the same
    problems, in the same order, as the checks written plainly."""
    base = validate_documents([("f.yaml", intent_file(VALID))], article).intents[0]
    intents = [
        dataclasses.replace(
            base,
            id=intent_id,
            examples=tuple(examples),
            normalised=tuple(examples),
            example_lines=tuple(range(10 * n, 10 * n + len(examples))),
            follow_ups=tuple(follow_ups),
            source=f"f{n}.yaml",
            line=10 * n - 1,
        )
        for n, (intent_id, examples, follow_ups) in enumerate(spec)
    ]
    assert _cross_checks(intents) == _cross_checks_as_defined(intents)


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_line_ends_of_other_systems_load_as_newlines(
    tmp_path: Path, article: Article, ending: str
) -> None:
    """A file saved with Windows or old Mac line ends loads as the same file with newlines."""
    text = intent_file(VALID)
    (tmp_path / "unix").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "unix" / "f.yaml").write_bytes(text.encode())
    (tmp_path / "other" / "f.yaml").write_bytes(text.replace("\n", ending).encode())
    unix, other = (load_intents(tmp_path / name, article) for name in ("unix", "other"))
    assert [dataclasses.replace(i, source="") for i in other.intents] == [
        dataclasses.replace(i, source="") for i in unix.intents
    ]
    assert other.intents[0].example_lines == unix.intents[0].example_lines


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path, article: Article) -> None:
    """Bytes that are not UTF-8 are reported against the file, not raised as a crash."""
    (tmp_path / "latin.yaml").write_bytes(
        intent_file(VALID).replace("coup", "co\xfbp").encode("latin-1")
    )
    with pytest.raises(IntentError) as caught:
        load_intents(tmp_path, article)
    assert [str(p).split(" cannot read")[0] for p in caught.value.problems] == [
        f"{tmp_path / 'latin.yaml'}:1: file:"
    ]
