"""`jnap search` on a register file: through its cache's FTS5 index when it has one, else in memory.

The index only proposes candidates (`search.index_expression`, a superset of the matches); the
candidates are then matched, scored and ordered by `search.find` exactly as the whole register would
be, so both ways give the same hits in the same order. Only the candidates are read from the cache,
which keeps a search on a large unchanged register about as fast as on a small one. A query the
index cannot narrow (a regular expression, a word without letters or digits) and a search with no
match (whose suggestions need every word of the register) read the whole register.

With a limit, a query of plain words (`search.bounds`) does not score every hit: SQLite orders the
candidates by the best rank each could have, from the index's tokens, and jnap scores them in that
order until the next one's best cannot beat the last of the `limit` it keeps (the threshold algorithm
of Fagin, Lotem and Naor). The hits are those `find` gives, in its order.

Without a limit, a query of one plain word is ranked from the index alone: each candidate's rank comes
from its tokens of the word (field, offset, whole or not), exactly, when the cache notes that its
tokens are the search's words (`cache.tokens_exact`; the others, listed as inexact, are matched as in
memory). Then only each hit's snippet is worked out (`search.ranked_hit`), and `search_ids` (for
`--format ids`) reads no action at all, only ids and plans.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jnap_cli.errors import NoMatch
from jnap_cli.model.schema import Action, Register
from jnap_cli.query.records import Record
from jnap_cli.query.search import (
    ALL_TERMS_BONUS,
    DEFAULT_FIELDS,
    FIELD_WEIGHTS,
    MAX_COUNTED,
    Counted,
    Hit,
    Query,
    bounds,
    check_fields,
    compile_query,
    find,
    hit_records,
    index_expression,
    match,
    no_match,
    ranked_hit,
)
from jnap_cli.register.load import cached, load_located

if TYPE_CHECKING:
    from jnap_cli.model.related import Related
    from jnap_cli.model.terms import Glossary
    from jnap_cli.register.cache import Store


def search_file(
    path: Path,
    query: str,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    regex: bool = False,
    glossary: Glossary | None = None,
    plan: str | None = None,
    limit: int | None = None,
    cache: bool = True,
) -> tuple[list[Hit], list[Record]]:
    """`search.find` on the register at `path`, and the hits' records; raises as `find` and `load` do.

    A directory register is searched in memory, its files read through their caches.
    """
    found = _search(path, query, fields, regex, glossary, plan, limit, cache=cache, ids=False)
    assert not isinstance(found, list)  # asked for hits
    return found


def search_ids(
    path: Path,
    query: str,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    regex: bool = False,
    glossary: Glossary | None = None,
    plan: str | None = None,
    limit: int | None = None,
    cache: bool = True,
) -> list[str]:
    """The ids of `search_file`'s hits, in its order (`--format ids`); raises as it does.

    Every hit of one word (no limit) is then ranked from the index without reading the actions.
    """
    found = _search(path, query, fields, regex, glossary, plan, limit, cache=cache, ids=True)
    return found if isinstance(found, list) else [hit.action.id for hit in found[0]]


def _search(
    path: Path,
    query: str,
    fields: Sequence[str],
    regex: bool,
    glossary: Glossary | None,
    plan: str | None,
    limit: int | None,
    *,
    cache: bool,
    ids: bool,
) -> tuple[list[Hit], list[Record]] | list[str]:
    from jnap_cli.register.cache import enabled
    from jnap_cli.register.source import is_directory, load

    if is_directory(path):
        source: Store | Register = load(path, cache=cache)
    else:
        source = cached(path) if cache and enabled() else load_located(path)[0]
    if isinstance(source, Register):
        hits = find(source, query, fields=fields, regex=regex, glossary=glossary, plan=plan, limit=limit)
        return hits, hit_records(source, hits)
    from jnap_cli.register.cache import damage

    with contextlib.closing(source):
        try:
            expression = None if regex else index_expression(query, glossary)
            if expression is not None:
                try:
                    return _from_candidates(source, expression, query, fields, glossary, plan, limit, ids=ids)
                except NoMatch:  # the suggestions need every word of the register
                    raise no_match(source.register(), query, glossary=glossary) from None
            register = source.register()
        except damage():
            register = load_located(path)[0]  # a damaged cache: read the file
    hits = find(register, query, fields=fields, regex=regex, glossary=glossary, plan=plan, limit=limit)
    return hits, hit_records(register, hits)


def _from_candidates(
    store: Store,
    expression: str,
    query: str,
    fields: Sequence[str],
    glossary: Glossary | None,
    plan: str | None,
    limit: int | None,
    *,
    ids: bool,
) -> tuple[list[Hit], list[Record]] | list[str]:
    counted = bounds(compiled := compile_query(query, glossary))
    if counted and limit is not None and limit > 0:
        return _best(store, compiled, counted, check_fields(fields), plan, limit)
    if counted and limit is None and len(compiled.words) == 1:
        if ids:
            return _ranked_ids(store, compiled, counted[0], check_fields(fields), plan)
        return _ranked(store, compiled, counted[0], check_fields(fields), plan)
    actions, related = store.actions(store.matching(expression, fields))
    candidates = replace(store.plans_only(), actions=actions)
    hits = find(candidates, query, fields=fields, glossary=glossary, plan=plan, limit=limit)
    return hits, hit_records(candidates, hits, related)


def _best(
    store: Store, query: Query, counted: list[Counted], fields: tuple[str, ...], plan: str | None, limit: int
) -> tuple[list[Hit], list[Record]]:
    """The `limit` best hits in `plan`, scoring candidates best bound first and stopping when no other can beat them."""
    from jnap_cli.query.select import check_plan

    plan_id = check_plan(store.plans_only(), plan)
    sql, parameters = _bound_sql(query, counted, fields)
    rows = store.tokens(sql, parameters)
    kept: list[tuple[tuple[int, bool, float, int], Hit]] = []  # best first, at most `limit`
    waiting = next(rows, None)
    size = limit
    while waiting is not None and (len(kept) < limit or kept[-1][0] > _key(waiting)):
        batch = [waiting[0], *(row[0] for row in itertools.islice(rows, size - 1))]
        waiting = next(rows, None)
        size *= 2
        actions, _related = store.actions(batch)
        if len(actions) != len(batch):
            raise _damaged("an indexed action is missing")
        for position, action in zip(sorted(batch), actions, strict=True):
            hit = match(action, query, fields)
            if hit is not None and (plan_id is None or action.plan == plan_id):
                kept.append(((*hit.rank(), position), hit))
        kept = sorted(kept, key=lambda pair: pair[0])[:limit]
    if not kept:
        raise NoMatch("")
    actions, related = store.actions([key[-1] for key, _hit in kept])
    by_id = {action.id: action for action in actions}
    hits = [hit for _key, hit in kept]
    candidates = replace(store.plans_only(), actions=tuple(by_id[hit.action.id] for hit in hits))
    return hits, hit_records(candidates, hits, related)


def _ranked(
    store: Store, query: Query, term: Counted, fields: tuple[str, ...], plan: str | None
) -> tuple[list[Hit], list[Record]]:
    """Every hit of a one-word query in `plan`, ranked by SQLite from the index's tokens (`_rank_sql`), or
    matched as in memory where it cannot be; for each of the others only the snippet is found."""
    from jnap_cli.query.select import check_plan

    plans = store.plans_only()
    plan_id = check_plan(plans, plan)
    sql, parameters = _rank_sql(term, fields)
    rows = store.ranked(sql, parameters)
    actions, related = _read(store, [row[0] for row in rows])
    found: list[tuple[Hit, int]] = []
    for position, typed, score, other, matching, _id, _plan in rows:
        action = actions[position]
        if other:
            hit = match(action, query, fields)
        else:
            named = tuple(name for number, name in enumerate(fields) if matching >> number & 1)
            hit = _hit(action, query, named, _typed_field(typed, fields), bool(typed & 1), score)
        if hit is not None:
            found.append((hit, position))
    found.sort(key=lambda pair: (pair[0].rank(), pair[1]))  # `find`'s order: rank, then the register's
    hits = [hit for hit, _position in found if plan_id is None or hit.action.plan == plan_id]
    if not hits:
        raise NoMatch("")
    return hits, hit_records(replace(plans, actions=tuple(hit.action for hit in hits)), hits, related)


def _ranked_ids(store: Store, query: Query, term: Counted, fields: tuple[str, ...], plan: str | None) -> list[str]:
    """The ids of `_ranked`'s hits, ranked by SQLite from the index's tokens (`_rank_sql`): only the actions
    whose tokens are not their words, or whose rank needs the order of their matches, are read and matched."""
    from jnap_cli.query.select import check_plan

    plan_id = check_plan(store.plans_only(), plan)
    sql, parameters = _rank_sql(term, fields)
    rows = store.ranked(sql, parameters)  # best first, then in register order
    slow = [row[0] for row in rows if row[3]]
    if slow:
        actions, _related = _read(store, slow)
        keyed: list[tuple[tuple[int, bool, float], int, tuple[int, int, float, int, int, str, str]]] = []
        for row in rows:
            if not row[3]:
                keyed.append((_rank(row[1], row[2]), row[0], row))
            elif (hit := match(actions[row[0]], query, fields)) is not None:
                keyed.append((hit.rank(), row[0], row))
        keyed.sort(key=lambda entry: entry[:2])  # `find`'s order: rank, then the register's
        rows = [row for _rank_key, _position, row in keyed]
    found = [row[-2] for row in rows if plan_id is None or row[-1] == plan_id]
    if not found:
        raise NoMatch("")
    return found


def _rank(typed: int, score: float) -> tuple[int, bool, float]:
    """`Hit.rank` of a row of `_rank_sql`."""
    return (-(typed >> 1), not typed & 1, -score)


def _typed_field(typed: int, fields: tuple[str, ...]) -> str | None:
    """The field holding the query as typed, from a row of `_rank_sql` (each field's weight is its own)."""
    return next((name for name in fields if FIELD_WEIGHTS[name] == typed >> 1), None) if typed else None


def _rank_sql(term: Counted, fields: tuple[str, ...]) -> tuple[str, list[object]]:
    """SQL ranking every action holding a token that begins with `term`'s word by rules 2 to 4 of
    `query.search`, with its id and plan. Rows, best first: (position, 2 × the typed field's weight + 1 if
    it begins with the word else 0, score, whether to match it in memory instead, the matching fields as
    bits in the order of `fields`, id, plan).

    A match of the word is a token beginning with it, as typed when it is the word whole (a plural "s"
    allowed): the score counts, in each field, the first `MAX_COUNTED` matches in full or by half; the
    heaviest field holding the word whole holds the query as typed (rule 2), and begins with it when
    its first whole one is the field's first token (rule 3). Without the order of a field's matches,
    its points are known when it has no more than `MAX_COUNTED`, or when all are whole or none is (the
    common case); an action where neither holds, or whose tokens are not its words (`inexact`), is
    matched in memory instead.
    """
    weights = [FIELD_WEIGHTS[name] * (term.weight if term.scores else 0) for name in fields]
    columns = ", ".join(f"?{number + 5}" for number in range(len(fields)))
    field_case = " ".join(f"WHEN ?{number + 5} THEN {number}" for number in range(len(fields)))
    whole = "(term = ?3 OR term = ?4)"
    per_field = (
        f"SELECT doc, CASE col {field_case} END AS field, count(*) AS n, sum({whole}) AS k, "  # noqa: S608 (only ? marks)
        f"min(CASE WHEN {whole} THEN offset END) AS first_whole "
        f"FROM temp.tokens WHERE col IN ({columns}) AND term >= ?1 AND term < ?2 GROUP BY doc, col"
    )
    weight = " ".join(f"WHEN {number} THEN {value}" for number, value in enumerate(weights))
    heft = " ".join(f"WHEN {number} THEN {FIELD_WEIGHTS[name]}" for number, name in enumerate(fields))
    most = MAX_COUNTED
    points = f"CASE WHEN n <= {most} THEN k + 0.5 * (n - k) WHEN k = n THEN {most}.0 ELSE {most} * 0.5 END"
    typed = f"max(CASE WHEN first_whole IS NOT NULL THEN 2 * (CASE field {heft} END) + (first_whole = 0) END)"
    per_action = (
        f"SELECT doc, coalesce({typed}, 0) AS typed, total((CASE field {weight} END) * ({points})) AS score, "  # noqa: S608
        f"max(n > {most} AND k > 0 AND k < n) AS unordered, sum(1 << field) AS matching FROM ({per_field}) GROUP BY doc"
    )
    sql = (
        "SELECT ranked.doc, typed, score, unordered OR ranked.doc IN (SELECT ord FROM inexact), matching, "  # noqa: S608
        f"actions.id, actions.plan FROM ({per_action}) AS ranked JOIN actions ON actions.ord = ranked.doc "
        "ORDER BY typed DESC, score DESC, ranked.doc"
    )
    word = term.word
    return sql, [word, word + chr(0x10FFFF), word, word + "s", *fields]


def _read(store: Store, positions: list[int]) -> tuple[dict[int, Action], Related]:
    """The actions at `positions` by position, and the register's links to them."""
    actions, related = store.actions(positions)
    ordered = sorted(set(positions))
    if len(actions) != len(ordered):
        raise _damaged("an indexed action is missing")
    return dict(zip(ordered, actions, strict=True)), related


def _hit(action: Action, query: Query, matching: tuple[str, ...], typed: str | None, begins: bool, score: float) -> Hit:
    """`ranked_hit` of a row of `_rank_sql`, which the action must bear out."""
    hit = ranked_hit(action, query, matching, typed, begins, score)
    if hit is None:
        raise _damaged(f"action {action.id}: not what the index says")
    return hit


def _damaged(message: str) -> Exception:
    from jnap_cli.register.cache import Damaged

    return Damaged(message)


def _key(row: tuple[Any, ...]) -> tuple[int, bool, float, int]:
    """A row of `_bound_sql` as a `Hit.rank` and register position: the best its action could rank."""
    position, typed, begins, score = row
    return (-typed, not begins, -score, position)


def _bound_sql(query: Query, counted: list[Counted], fields: tuple[str, ...]) -> tuple[str, list[object]]:
    """SQL giving each candidate's position and best rank (`search.bounds`), best first; and its parameters."""
    words = list(dict.fromkeys(term.word for term in counted))
    parameters: list[object] = []

    def mark(value: object) -> str:
        parameters.append(value)
        return f"?{len(parameters)}"

    # Each token of each word as (doc, field, word, whole, first), all numbers (compared once per token). Words may
    # overlap ("case", "cases"): a token counts for each word it begins with. One SELECT per word: SQLite
    # 3.40's fts5vocab answers an OR of two ranges with the first alone.
    ranges = [(mark(word), mark(word + chr(0x10FFFF))) for word in words]
    wholes = [(mark(word), mark(word + "s")) for word in words]
    field_case = " ".join(f"WHEN {mark(name)} THEN {number}" for number, name in enumerate(fields))
    columns = ", ".join(mark(name) for name in fields)
    inner = " UNION ALL ".join(
        f"SELECT doc, CASE col {field_case} END AS field, {number} AS word, "  # noqa: S608
        f"term = {wholes[number][0]} OR term = {wholes[number][1]} AS whole, offset = 0 AS first "
        f"FROM temp.tokens WHERE col IN ({columns}) AND term >= {low} AND term < {high}"
        for number, (low, high) in enumerate(ranges)
    )

    def tally(word: int, field: int, what: str = "1") -> str:
        # The tokens beginning with one word in one field (or those that are it whole, or begin the field).
        return f"sum(word = {word} AND field = {field} AND {what})"

    def whole_word(name: str, word: str) -> str:
        # Whether a field holds the word whole: a whole word is one token, the word or it and "s".
        return f"{tally(words.index(word), fields.index(name), 'whole')} > 0"

    by_weight = sorted(fields, key=lambda name: -FIELD_WEIGHTS[name])
    typed = " ".join(
        f"WHEN {' AND '.join(whole_word(name, word) for word in words)} THEN {FIELD_WEIGHTS[name]}"
        for name in by_weight
    )
    first = words.index(query.words[0])
    begins = " ".join(
        f"WHEN {' AND '.join(whole_word(name, word) for word in words)} "  # noqa: S608 (only ? marks)
        f"THEN {tally(first, fields.index(name), 'whole AND first')} > 0 OR doc IN (SELECT ord FROM unaligned)"
        for name in by_weight
    )
    score = []
    for term in counted:
        if not term.scores:
            continue
        number = words.index(term.word)
        for name in fields:
            counts = (
                f"min(3, {tally(number, fields.index(name), 'whole')}) + min(3, {tally(number, fields.index(name))})"
            )
            score.append(f"{term.weight * FIELD_WEIGHTS[name]} * ({counts})")
    score_sql = f"({' + '.join(score)}) / 2.0" if score else "0.0"
    if sum(term.weight for term in counted if term.scores) > 1:
        scoring = [words.index(term.word) for term in counted if term.scores]
        every = " ".join(
            f"WHEN {' AND '.join(f'{tally(number, fields.index(name))} > 0' for number in scoring)} "
            f"THEN {ALL_TERMS_BONUS * FIELD_WEIGHTS[name]}"
            for name in by_weight
        )
        score_sql += f" + CASE {every} ELSE 0 END"
    present = " AND ".join(f"sum(word = {number}) > 0" for number in range(len(words)))
    sql = (
        f"SELECT doc, CASE {typed} ELSE 0 END AS typed, coalesce(CASE {begins} END, 0) AS begins, "  # noqa: S608
        f"{score_sql} AS score FROM ({inner}) GROUP BY doc HAVING {present} "
        "ORDER BY typed DESC, begins DESC, score DESC, doc"
    )
    return sql, parameters
