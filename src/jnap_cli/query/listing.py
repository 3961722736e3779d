"""`jnap list --limit N` on a register file: its first N matching actions read from its cache, one at a time.

Without `--sort`, the first N actions in register order that pass the filters are all `list` prints:
read from the cache row by row, the reading stops at the Nth, so a large unchanged register lists its
first few about as fast as a small one (a million actions are never all parsed and built to print
five). Each action read is checked as the whole register's would be (`register.cache`). Everything
else reads the whole register, as before: a sort, no limit, no cache (off, missing, stale, damaged),
a directory register, and a listing that matches nothing (whose message may need every theme:
`query.select.check_theme`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from jnap_cli.model.related import Related
from jnap_cli.query.records import Record, records

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Register


class Selection(Protocol):
    """The filters of `list` (`cli.options.Filters`): what an action must pass, given the register's plans."""

    def matcher(self, register: Register) -> Callable[[Action], bool]: ...


def first_records(path: Path, selection: Selection, limit: int, *, cache: bool = True) -> list[Record] | None:
    """The records of the first `limit` actions of the register file at `path` that `selection` keeps, in
    register order, read from its cache; None when the cache cannot answer (see above): read the register."""
    from jnap_cli.register.cache import damage, enabled, open_store
    from jnap_cli.register.source import is_directory

    if not (cache and enabled()) or is_directory(path):
        return None
    store = open_store(path)
    if store is None:
        return None
    found: list[Action] = []
    continued: dict[str, list[str]] = {}
    built: dict[str, list[str]] = {}
    with contextlib.closing(store):
        try:
            header = store.plans_only()
            keep = selection.matcher(header)
            with contextlib.closing(store.each_action({plan.id for plan in header.plans})) as rows:
                for action, continued_by, built_on_by in rows:
                    if keep(action):
                        found.append(action)
                        continued[action.id], built[action.id] = continued_by, built_on_by
                        if len(found) == limit:
                            break
        except damage():
            return None
    if not found:
        return None
    related = Related(continued, built, {plan.id: plan.commentary_as_of for plan in header.plans})
    return records(header, found, related)
