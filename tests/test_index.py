"""The cache's FTS5 index gives the same search results as reading every action (query/indexed.py).

The index only proposes candidates; these tests hold it to never leaving out an action the in-memory
search finds, on generated registers full of the text that makes matching hard: accents, ligatures,
combining marks, hyphens and dashes, curly apostrophes, underscores, digits, glossary acronyms.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jnap_cli.errors import NoMatch, UsageError
from jnap_cli.model.schema import Action
from jnap_cli.query import search
from jnap_cli.query.glossary import load_glossary
from jnap_cli.query.indexed import search_file, search_ids
from jnap_cli.query.search import Hit, find, hit_records, index_expression
from jnap_cli.register import cache
from jnap_cli.register.source import load

from .conftest import Run
from .registers import action, write

GLOSSARY = load_glossary()

WORDS = [
    "victim",
    "victims",
    "victim's",
    "victim’s",
    "Victim",
    "prosecution",
    "prosecutors",
    "third-party",
    "third–party",
    "third party",
    "material",
    "résumé",
    "resume",
    "Straße",
    "strasse",
    "naïve",
    "nai\u0308ve",
    "ﬁle",
    "file",
    "A&E",
    "a_e",
    "snake_case",
    "2024",
    "R4",
    "ISVA",
    "ISVAs",
    "Independent Sexual Violence Advisors",
    "Early Advice",
    "early investigative advice",  # a glossary alias of EA: ranks below "early advice" as typed
    "early",
    "advice",
    "EA",
    "each",
    "RASSO",
    "rape and serious sexual offences",
    "Operation Soteria",
    "\ue000private",
    "Pilot🥰Soteria",  # an emoji SQLite's tokenizer takes for a letter
    "icon\U000f0001Bluestone",  # a supplementary private-use character, the same
    "bluestone",
    "co-operate",
    "re-examine",
    "O'Brien",
    "“quoted”",
    "—",
    "and",
    "the",
]
TEXTS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
QUERY_WORDS = [
    *WORDS,
    "soteria",
    "pilot",
    "icon",
    "vict",
    "prosec",
    "thi",
    "resu",
    "stra",
    "nai",
    "fil",
    "indep",
    "independent sexual violence",
    "early advice",
    "the victim",
]


def reads_of_actions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The positions of the actions the cache is asked for from now on, in order (`Store.actions`)."""
    read: list[int] = []
    original = cache.Store.actions

    def counting(store: cache.Store, positions: list[int]) -> object:
        read.extend(positions)
        return original(store, positions)

    monkeypatch.setattr(cache.Store, "actions", counting)
    return read


def make_register(folder: Path, texts: list[tuple[str, str, str]], plans: int = 1) -> Path:
    """A register of `texts` (theme, text, commentary); with two `plans`, every other action is of "next"."""
    entries = [
        action(
            f"R{n}",
            "next" if plans == 2 and n % 2 == 0 else "refresh",
            n,
            theme=theme,
            text=text,
            commentary=commentary,
        )
        for n, (theme, text, commentary) in enumerate(texts, start=1)
    ]
    data = {
        "title": "Generated",
        "source": "tests",
        "plans": [{"id": "refresh", "title": "Refresh", "year": 2024}, {"id": "next", "title": "Next", "year": 2025}][
            :plans
        ],
        "actions": entries,
    }
    path = folder / "actions.toml"
    return write(path, data)


def both(path: Path, query: str) -> tuple[list[str] | str, list[str] | str]:
    """(index, memory): the ids each way finds, or "none" when it finds nothing."""
    through_index: list[str] | str
    in_memory: list[str] | str
    try:
        through_index = [hit.action.id for hit in search_file(path, query, glossary=GLOSSARY)[0]]
    except NoMatch as exc:
        through_index = f"none: {exc.message}"
    try:
        in_memory = [hit.action.id for hit in find(load(path, cache=False), query, glossary=GLOSSARY)]
    except NoMatch as exc:
        in_memory = f"none: {exc.message}"
    return through_index, in_memory


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), min_size=1, max_size=8),
    queries=st.lists(
        st.one_of(
            st.lists(st.sampled_from(QUERY_WORDS), min_size=1, max_size=3).map(" ".join),
            st.sampled_from(QUERY_WORDS).map(lambda word: f'"{word}"'),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_the_index_finds_what_memory_finds(texts: list[tuple[str, str, str]], queries: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = make_register(Path(folder), texts)
        for query in queries:
            through_index, in_memory = both(path, query)
            assert through_index == in_memory, query


def test_phrases_from_the_text_itself() -> None:
    texts = [(f"theme {n}", " ".join(WORDS[n : n + 6]), " ".join(reversed(WORDS[n : n + 5]))) for n in range(0, 36, 3)]
    with tempfile.TemporaryDirectory() as folder:
        path = make_register(Path(folder), texts)
        for _theme, text, _commentary in texts:
            words = text.split()
            for start, size in itertools.product(range(len(words)), (1, 2, 3)):
                query = '"' + " ".join(words[start : start + size]) + '"'
                through_index, in_memory = both(path, query)
                assert through_index == in_memory, query


def test_characters_sqlite_takes_for_letters_do_not_hide_words() -> None:
    texts = [("t", "Pilot🥰Soteria rollout, icon\U000f0001Bluestone", "c"), ("t", "Soteria and Bluestone", "c")]
    with tempfile.TemporaryDirectory() as folder:
        path = make_register(Path(folder), texts)
        for query in ("soteria", "bluestone", "pilot", "icon", '"rollout icon"'):
            through_index, in_memory = both(path, query)
            assert through_index == in_memory, query


def test_the_index_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A query with letters in it is answered from the candidates alone, not by reading every action."""
    path = make_register(tmp_path, [("t", "victim support", "c"), ("t", "material", "c"), ("t", "victims", "c")])
    search_file(path, "victim")  # builds the cache
    read = reads_of_actions(monkeypatch)
    monkeypatch.setattr(cache.Store, "register", lambda _store: pytest.fail("read every action"))
    hits, _rows = search_file(path, "victim")
    assert [hit.action.id for hit in hits] == ["R1", "R3"]
    assert read == [0, 2]


@pytest.mark.parametrize(
    ("query", "expression"),
    [
        ("victim", '("victim"*)'),
        ("third-party", '("third party"*)'),
        ('"third party"', '("third party"*)'),
        ("A&E", '("a e"*)'),
        ("Straße", '("strasse"*)'),
        ("—", None),
        ("_", None),
    ],
)
def test_index_expressions(query: str, expression: str | None) -> None:
    assert index_expression(query) == expression


def test_a_glossary_term_looks_up_every_form() -> None:
    expression = index_expression("ISVA", GLOSSARY)
    assert expression is not None
    assert '"isva"*' in expression and '"independent sexual violence advisors"*' in expression


RANKED_WORDS = ["case", "cases", "casework", "victim", "victims", "the", "and", "ISVA", "EA", "early", "advice"]
RANKED_QUERY_WORDS = [*RANKED_WORDS, "cas", "vict", "independent sexual violence"]
RANKED_TEXTS = st.lists(
    st.one_of(st.sampled_from(RANKED_WORDS), st.sampled_from(["™", "_cases", "victim_", "Victim's", "résumé"])),
    max_size=8,
).map(" ".join)


def hits_of(hits: list[Hit]) -> list[tuple[object, ...]]:
    return [(hit.action.id, hit.score, hit.field, hit.snippet, hit.spans, hit.typed, hit.begins) for hit in hits]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.tuples(RANKED_TEXTS, RANKED_TEXTS, RANKED_TEXTS), min_size=1, max_size=12),
    queries=st.lists(
        st.tuples(
            st.one_of(
                st.lists(
                    st.sampled_from([*RANKED_WORDS, "cas", "vict", "independent sexual violence"]),
                    min_size=1,
                    max_size=3,
                ).map(" ".join),
                st.sampled_from(RANKED_WORDS).map(lambda word: f'"{word}"'),
            ),
            st.integers(min_value=1, max_value=6),
            st.sampled_from([("text", "commentary", "theme"), ("text",), ("commentary", "theme")]),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_the_best_hits_through_the_index_are_those_in_memory(
    texts: list[tuple[str, str, str]], queries: list[tuple[str, int, tuple[str, ...]]]
) -> None:
    """With a limit, the index path scores only the candidates that can make the top (`search.bounds`):
    the hits, their order (ties, words as typed, a field beginning with them) and snippets stay the same."""
    with tempfile.TemporaryDirectory() as folder:
        path = make_register(Path(folder), texts)
        register = load(path, cache=False)
        for query, limit, fields in queries:
            try:
                expected: object = hits_of(find(register, query, glossary=GLOSSARY, limit=limit, fields=fields))
            except NoMatch as exc:
                expected = exc.message
            try:
                found = search_file(path, query, glossary=GLOSSARY, limit=limit, fields=fields)[0]
                got: object = hits_of(found)
            except NoMatch as exc:
                got = exc.message
            assert got == expected, (query, limit, fields)


def test_a_limit_reads_only_the_best_candidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--limit` with plain words does not score every hit: candidates that cannot make the top are never read."""
    texts = [("t", "cases " * 3, "cases " * 3), *[("t", "a case of cases", "c")] * 30, ("t", "Cases first", "c")]
    path = make_register(tmp_path, texts)
    search_file(path, "cases")  # builds the cache
    read = reads_of_actions(monkeypatch)
    hits, rows = search_file(path, "cases", limit=2)
    assert [hit.action.id for hit in hits] == ["R1", "R32"]  # both begin with it; R1 holds it more often
    assert [row["id"] for row in rows] == ["R1", "R32"]
    assert len(read) < 10, read


def test_a_field_begins_after_a_character_that_folds_to_letters(tmp_path: Path) -> None:
    """ "™" folds to "tm", a token before "cases" in the index: the field still begins with the word (rule 3)."""
    texts = [("t", "the cases", "c"), ("t", "™ cases", "c"), ("t", "cases", "c")]
    path = make_register(tmp_path, texts)
    search_file(path, "cases")  # builds the cache
    hits = search_file(path, "cases", limit=2)[0]
    assert [hit.action.id for hit in hits] == ["R2", "R3"]
    assert [hit.action.id for hit in find(load(path, cache=False), "cases", limit=2)] == ["R2", "R3"]


EXACT_WORDS = [
    *RANKED_WORDS,
    "CASES",
    "Cases",
    "victim's",
    "Victim’s",
    "cases-victim",
    "case—work",
    "“cases”",
    "(victims)",
    "résumé",
    "resume",
    "Straße",
    "strasse",
    "ﬁle",
    "nai\u0308ve",
    "x²",
    "½",
    "İstanbul",
    "Σας",
    "١٢",
    "™",
    "tm",
    "_cases",
    "victim_",
    "case_work",
    "cases\u00a0victim",
    "\u0308cases",
]
EXACT_TEXTS = st.lists(st.sampled_from(EXACT_WORDS), max_size=9).map(" ".join)
EXACT_QUERIES = st.one_of(
    st.sampled_from(
        [*RANKED_WORDS, "cas", "vict", "res", "resume", "stras", "strasse", "file", "naive", "x2", "istanbul", "tm"]
    ),
    st.lists(st.sampled_from(RANKED_WORDS), min_size=2, max_size=3).map(" ".join),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.tuples(EXACT_TEXTS, EXACT_TEXTS, EXACT_TEXTS), min_size=1, max_size=12),
    queries=st.lists(
        st.tuples(
            EXACT_QUERIES, st.sampled_from([("text", "commentary", "theme"), ("text",), ("commentary", "theme")])
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_every_hit_through_the_index_is_as_in_memory(
    texts: list[tuple[str, str, str]], queries: list[tuple[str, tuple[str, ...]]]
) -> None:
    """Every hit of a word, ranked from the index's tokens where they are the search's words: the hits,
    their order, scores, snippets and records are those of the in-memory search, whatever the text holds
    (accents, "ß", "™", curly quotes, hyphens and dashes, underscores, plurals, words at a field's start)."""
    with tempfile.TemporaryDirectory() as folder:
        path = make_register(Path(folder), texts)
        register = load(path, cache=False)
        for query, fields in queries:
            try:
                hits = find(register, query, glossary=GLOSSARY, fields=fields)
                expected: object = (hits_of(hits), hit_records(register, hits))
            except NoMatch as exc:
                expected = exc.message
            try:
                found, rows = search_file(path, query, glossary=GLOSSARY, fields=fields)
                got: object = (hits_of(found), rows)
            except NoMatch as exc:
                got = exc.message
            assert got == expected, (query, fields)


def test_every_hit_of_a_word_is_ranked_from_its_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All hits of one word: only an action whose tokens are not its words ("™" folds to "tm") is matched
    as in memory; the others' ranks come from the index, and only their snippets are worked out."""
    texts = [("t", "the cases", "c"), ("t", "™ cases", "cases"), ("cases", "Cases first", "c"), ("t", "x", "a case")]
    path = make_register(tmp_path, texts)
    expected = hits_of(find(load(path, cache=False), "cases"))
    search_file(path, "cases")  # builds the cache
    matched: list[str] = []
    original = search._match

    def counting(action: Action, *arguments: object) -> object:
        matched.append(action.id)
        return original(action, *arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "_match", counting)
    assert hits_of(search_file(path, "cases")[0]) == expected
    assert [hit[0] for hit in expected] == ["R3", "R2", "R1"]
    assert matched == ["R2"]


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("Victim’s “cases” – a case-work résumé", True),
        ("Straße ﬁle İstanbul x² nai\u0308ve", True),
        ("cases\u00a0victim", True),
        ("™ cases", False),  # a sign folding to letters: a token the search does not see as a word
        ("snake_case", False),  # a word character that is no token's
        ("Σας", False),  # folds to letters outside ASCII, where SQLite's tokenizer may differ
        ("½", False),  # a digit folding to "1⁄2"
    ],
)
def test_which_texts_the_index_sees_as_the_search_does(text: str, exact: bool) -> None:
    assert cache.tokens_exact(text) is exact


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.tuples(EXACT_TEXTS, EXACT_TEXTS, EXACT_TEXTS), min_size=1, max_size=12),
    queries=st.lists(
        st.tuples(EXACT_QUERIES, st.sampled_from([None, 2]), st.sampled_from([None, "refresh", "next"])),
        min_size=1,
        max_size=5,
    ),
)
def test_the_ids_through_the_index_are_those_in_memory(
    texts: list[tuple[str, str, str]], queries: list[tuple[str, int | None, str | None]]
) -> None:
    """`search_ids` (for `--format ids`) gives the ids of the in-memory hits in their order, of a plan or all."""
    with tempfile.TemporaryDirectory() as folder:
        path = make_register(Path(folder), texts, plans=2)
        register = load(path, cache=False)
        for query, limit, plan in queries:
            try:
                expected: object = [hit.action.id for hit in find(register, query, limit=limit, plan=plan)]
            except NoMatch as exc:
                expected = exc.message
            try:
                got: object = search_ids(path, query, limit=limit, plan=plan)
            except NoMatch as exc:
                got = exc.message
            assert got == expected, (query, limit, plan)


def test_the_ids_of_every_hit_need_no_action_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All the ids of a word come from the index and the ids beside it: only an action whose tokens are not
    its words is read (and matched); an unknown plan is refused as in memory."""
    texts = [("t", "the cases", "c"), ("t", "™ cases", "cases"), ("cases", "Cases first", "c"), ("t", "x", "a case")]
    path = make_register(tmp_path, texts, plans=2)
    search_file(path, "cases")  # builds the cache
    read = reads_of_actions(monkeypatch)
    assert search_ids(path, "cases") == ["R3", "R2", "R1"]
    assert search_ids(path, "cases", plan="next") == ["R2"]
    assert read == [1, 1]
    with pytest.raises(UsageError, match="unknown plan 'other'"):
        search_ids(path, "cases", plan="other")


def test_search_format_ids_reads_no_action(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`jnap search WORD --format ids` prints what `search_ids` finds, reading no action; other formats read them."""
    texts = [("t", "the cases", "c"), ("t", "™ cases", "cases"), ("cases", "Cases first", "c"), ("t", "x", "a case")]
    path = make_register(tmp_path, texts, plans=2)
    assert run("search", "cases", "-r", str(path), "--format", "tsv", "--fields", "id").stdout == "R3\nR2\nR1\n"
    read = reads_of_actions(monkeypatch)
    assert run("search", "cases", "-r", str(path), "--format", "ids").stdout == "R3\nR2\nR1\n"
    assert read == [1]  # only the action whose tokens are not its words ("™")
    assert run("search", "cases", "-r", str(path), "--format", "tsv", "--fields", "id").stdout == "R3\nR2\nR1\n"
    assert sorted(read[1:]) == [0, 1, 2]  # every hit, for its snippet


def test_the_order_of_a_fields_matches_is_read_when_it_decides_the_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the first three matches of a field score: with more, some whole and some not, which come first
    decides the score, and the index's counts cannot tell; such an action alone is read and matched."""
    texts = [
        ("t", "casework casework casework case case", "c"),  # 1.5 in the text: the whole ones come late
        ("t", "case casework casework casework case", "c"),  # 2.0
        ("t", "case case case case", "c"),  # 3.0, all whole: no order needed
        ("t", "casework of a case", "c"),  # two matches: 1.5
    ]
    path = make_register(tmp_path, texts)
    expected = [hit.action.id for hit in find(load(path, cache=False), "case")]
    assert expected == ["R3", "R2", "R1", "R4"]
    search_file(path, "case")  # builds the cache
    read = reads_of_actions(monkeypatch)
    assert search_ids(path, "case") == expected
    assert sorted(read) == [0, 1]


@pytest.mark.parametrize("query", ["Acme™", "acme™", "acmetm", "Acme℠", "acme"])
@pytest.mark.parametrize("limit", [None, 5])
def test_a_word_that_folds_to_capitals_finds_what_memory_finds(tmp_path: Path, query: str, limit: int | None) -> None:
    """ "™" folds to "TM" (casefold, then NFKD), which the index's tokens hold in lower case: such a word
    is not compared with the tokens as it stands (it found nothing through the cache)."""
    texts = [("t", "Acme™ products are used", "c"), ("t", "the Acme scheme", "c"), ("t", "Acme℠ services", "c")]
    path = make_register(tmp_path, texts)
    try:
        expected: object = [hit.action.id for hit in find(load(path, cache=False), query, limit=limit)]
    except NoMatch as exc:
        expected = exc.message
    for _ in range(2):  # the first run builds the cache
        try:
            got: object = search_ids(path, query, limit=limit)
        except NoMatch as exc:
            got = exc.message
        assert got == expected
        try:
            got = [hit.action.id for hit in search_file(path, query, limit=limit)[0]]
        except NoMatch as exc:
            got = exc.message
        assert got == expected
