"""`jnap search` on a register file: through its cache's FTS5 index when it has one, else in memory.

The index only proposes candidates (`search.index_expression`, a superset of the matches); the
candidates are then matched, scored and ordered by `search.find` exactly as the whole register would
be, so both ways give the same hits in the same order. Only the candidates are read from the cache,
which keeps a search on a large unchanged register about as fast as on a small one. A query the
index cannot narrow (a regular expression, a word without letters or digits) and a search with no
match (whose suggestions need every word of the register) read the whole register.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from jnap_cli.errors import NoMatch
from jnap_cli.model.schema import Register
from jnap_cli.query.records import Record
from jnap_cli.query.search import DEFAULT_FIELDS, Hit, find, hit_records, index_expression, no_match
from jnap_cli.register.load import cached, load_located

if TYPE_CHECKING:
    from jnap_cli.model.schema import Glossary
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
                    return _from_candidates(source, expression, query, fields, glossary, plan, limit)
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
) -> tuple[list[Hit], list[Record]]:
    actions, related = store.actions(store.matching(expression, fields))
    candidates = replace(store.plans_only(), actions=actions)
    hits = find(candidates, query, fields=fields, glossary=glossary, plan=plan, limit=limit)
    return hits, hit_records(candidates, hits, related)
