"""A validated cache of each register file, with its search index: one SQLite file per register.

A register is read, parsed and validated once; afterwards, while the file is unchanged, its actions
come back from the cache without parsing TOML or running validation (no pydantic, no source map), and
`jnap search` asks the cache's FTS5 index which actions can match instead of reading every one.

Where: one file per register in the cache directory (`register.cache_files`: private, bounded).

Key: the file's device, inode, size, modification time and change time (ns), as git's index keeps
them: a rewrite in place that puts the size and mtime back still changes the ctime. A file changed
within `RACY_NS` of the moment the cache was built may have changed again within the filesystem's
timestamp granularity without its stamp changing (git's "racy" index entries): then the file's bytes
are read and their SHA-256 compared as well.

Never trusted blindly: the cache file may have been edited since jnap wrote it, so every read checks
what validation guaranteed and the commands rely on (ids and plan ids match the id pattern, numbers
are ints, texts are strings, statuses and bases are in their vocabularies, links are ids; a whole
register keeps its integrity rules). Anything else is `Damaged`.

Findings: `jnap check` keeps the findings of each register file in an entry of its own (kind
"findings", `findings_entry`), held to the same key plus the rules that found them (`read_findings`).

Never an error: a cache that is missing, corrupt, damaged, stale, of another format or jnap version,
or that cannot be written is ignored (and rebuilt when it can be). `JNAP_NO_CACHE=1` or `jnap
--no-cache` bypasses it. A new cache is written to a temporary file and renamed into place, so that a
reader never sees half of one. The editing commands remove a register's cache when they write the register.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import operator
import os
import re
import stat
import time
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from jnap_cli import __version__
from jnap_cli.model.finding import Finding
from jnap_cli.model.integrity import integrity
from jnap_cli.model.schema import Action, BuildsOn, Introduction, Plan, Publication, Register, RegisterPart
from jnap_cli.model.vocab import ID_MAX_LENGTH, ID_PATTERN, Origin, Severity, Status, StatusBasis
from jnap_cli.register import cache_files

if TYPE_CHECKING:
    import sqlite3

    from jnap_cli.model.related import Related

FORMAT = "8"  # the shape of what is stored (4: plans' title_from and year_from; 5: handed_to, waits_on;
# 6: findings; 7: unaligned, the fields whose first token is not the start of their text; 8: inexact, and
# each action's plan beside its id)
NO_CACHE_VARIABLE = "JNAP_NO_CACHE"
RACY_NS = 2_000_000_000  # coarser than any filesystem's timestamps (FAT: 2 s)
# The FTS5 tokenizer: letters and digits make tokens, as `\w` does in the search's patterns; the text
# indexed is already folded (lower case, no accents), as the search matches it.
TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N*'"  # on text of Python's tokens (`indexed_text`)
_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE header (document TEXT NOT NULL);
CREATE TABLE actions (
    ord INTEGER PRIMARY KEY, id TEXT NOT NULL, document TEXT NOT NULL,
    continued_by TEXT NOT NULL, built_on_by TEXT NOT NULL, plan TEXT NOT NULL
);
CREATE TABLE findings (ord INTEGER PRIMARY KEY, document TEXT NOT NULL);
CREATE VIRTUAL TABLE search USING fts5(theme, text, commentary, content='', tokenize="{TOKENIZER}");
CREATE TABLE unaligned (ord INTEGER PRIMARY KEY);
CREATE TABLE inexact (ord INTEGER PRIMARY KEY);
"""
# `unaligned`: actions with a field whose first index token does not start at its first word character
# (`text.unaligned`), where the token offsets cannot tell that a field begins with a word.
# `inexact`: actions with a field whose index tokens are not exactly the search's words (`tokens_exact`):
# the others' ranks can be worked out from their tokens alone (`query.indexed`).


class Damaged(Exception):
    """The cache holds what jnap never writes (it was changed since): it is ignored, the file read again."""


def damage() -> tuple[type[Exception], ...]:
    """What reading a cache raises when the cache, not jnap, is at fault: catch these, and read the file."""
    import sqlite3

    return (Damaged, sqlite3.Error)


def enabled() -> bool:
    """Whether the cache is used: not when `$JNAP_NO_CACHE` is set to anything but 0 or empty."""
    return os.environ.get(NO_CACHE_VARIABLE, "").strip() in ("", "0")


entry_path = cache_files.entry_path  # where the cache of a register file is kept


@dataclass(frozen=True)
class Stamp:
    """What identifies one state of a file without reading it."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stamp:
        info = path.stat()
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)

    def text(self) -> str:
        return f"{self.device}:{self.inode}:{self.size}:{self.mtime_ns}:{self.ctime_ns}"


class Store:
    """An open, valid cache of one register: its header, its actions by position, and its search index.

    Everything it returns is checked as it is read (`Damaged` otherwise): the cache file may have been
    changed since jnap wrote it, and what comes out must be what validation would have let through. A
    damaged cache is removed, so that the next read of its file makes a new one.
    """

    def __init__(self, connection: sqlite3.Connection, entry: Path, kind: str = "register") -> None:
        self._db = connection
        self._entry = entry
        self._kind = kind

    def close(self) -> None:
        self._db.close()

    def register(self) -> Register:
        """The whole register, as it was validated."""
        with self._checking():
            register = Register(**self._header(), actions=self._all_actions())
            if integrity(register):  # what held when it was cached, which the commands rely on
                raise Damaged("integrity")
            return register

    def part(self) -> RegisterPart:
        """The whole file as one part of a directory register (`register.directory`; opened as a "part").

        The rules over the whole register run when the parts are combined."""
        with self._checking():
            return RegisterPart(**self._header(), actions=self._all_actions())

    def plans_only(self) -> Register:
        """The register's metadata and plans, without its actions."""
        with self._checking():
            return Register(**self._header())

    @contextlib.contextmanager
    def _checking(self) -> Iterator[None]:
        try:
            yield
        except Damaged:
            with contextlib.suppress(OSError):
                self._entry.unlink()
            raise

    def _all_actions(self) -> tuple[Action, ...]:
        rows = self._db.execute("SELECT document FROM actions ORDER BY ord")
        return tuple(_action(_json(document)) for (document,) in rows)

    def actions(self, positions: Sequence[int]) -> tuple[tuple[Action, ...], Related]:
        """The actions at `positions` (in register order), and their links in reverse."""
        from jnap_cli.model.related import Related

        plans = self.plans_only().plans
        plan_ids = {plan.id for plan in plans}
        actions: list[Action] = []
        continued: dict[str, list[str]] = {}
        built: dict[str, list[str]] = {}
        with self._checking():
            for chunk in _chunks(sorted(set(positions)), 500):
                marks = ",".join("?" * len(chunk))
                query = f"SELECT document, continued_by, built_on_by FROM actions WHERE ord IN ({marks}) ORDER BY ord"  # noqa: S608 (only ? marks)
                for row in self._db.execute(query, chunk):
                    action, continued_by, built_on_by = _linked(row, plan_ids)
                    actions.append(action)
                    continued[action.id], built[action.id] = continued_by, built_on_by
        as_of = {plan.id: plan.commentary_as_of for plan in plans}
        return tuple(actions), Related(continued, built, as_of)

    def ranked(self, sql: str, parameters: Sequence[object]) -> list[tuple[int, int, float, int, int, str, str]]:
        """The rows of `sql` over the index's tokens (as `tokens`: numbers, here what SQLite computes from
        the index's) that end with an action's id and plan (`actions.id`, `actions.plan`), which are checked:
        an id, and one of the register's plans."""
        plan_ids = {plan.id for plan in self.plans_only().plans}
        self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.tokens USING fts5vocab(main, search, instance)")
        rows: list[tuple[int, int, float, int, int, str, str]] = self._db.execute(sql, parameters).fetchall()
        with self._checking():
            if not (all(map(_is_id, [row[-2] for row in rows])) and plan_ids.issuperset([row[-1] for row in rows])):
                raise Damaged("an action's id or plan")
        return rows

    def each_action(self, plan_ids: Collection[str]) -> Generator[tuple[Action, list[str], list[str]], None, None]:
        """Every action in register order, with the ids that continue it and build on it, read one row at a
        time: a caller that stops early reads no further (`plan_ids`: the register's plans, `plans_only`)."""
        with self._checking():
            rows = self._db.execute("SELECT document, continued_by, built_on_by FROM actions ORDER BY ord")
            for row in rows:
                yield _linked(row, plan_ids)

    def matching(self, expression: str, fields: Sequence[str]) -> list[int]:
        """Positions of the actions whose indexed `fields` match an FTS5 `expression`, in register order."""
        columns = " ".join(fields)
        rows = self._db.execute(
            "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid", (f"{{{columns}}} : ({expression})",)
        )
        return [rowid for (rowid,) in rows]

    def tokens(self, sql: str, parameters: Sequence[object]) -> Iterator[tuple[Any, ...]]:
        """The rows of `sql` (read lazily) over the index's tokens: `temp.tokens` (fts5vocab's instance
        table: term, doc, col, offset) and `unaligned`. Raises `Damaged` when a row is not all numbers."""
        self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.tokens USING fts5vocab(main, search, instance)")
        for row in self._db.execute(sql, parameters):
            if not _NUMBERS.issuperset(map(type, row)):
                raise Damaged("not a number")
            yield row

    def _header_document(self) -> Any:
        row = self._db.execute("SELECT document FROM header").fetchone()
        if row is None:
            raise Damaged("no header")
        return _json(row[0])

    def _header(self) -> dict[str, Any]:
        """The register's (or part's) title, source, publication and plans, as keyword arguments."""
        return _header(self._header_document(), optional=self._kind == "part")


_NUMBERS = frozenset((int, float))


def _linked(row: tuple[object, ...], plan_ids: Collection[str]) -> tuple[Action, list[str], list[str]]:
    """An `actions` row checked: the action (of a known plan), and the ids that continue and build on it."""
    document, continued_by, built_on_by = row
    action = _action(_json(document))
    if action.plan not in plan_ids:
        raise Damaged(f"action {action.id}: no plan {action.plan}")
    return action, _ids(_json(continued_by)), _ids(_json(built_on_by))


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- checking what is read: what validation guaranteed, cheaply ------------------------------------

_ID_MATCH = re.compile(ID_PATTERN).fullmatch  # not `match`: `$` would let a trailing newline through
_STATUSES = {status.value: status for status in Status}
_BASES = {basis.value: basis for basis in StatusBasis}
_ORIGINS = {origin.value: origin for origin in Origin}


def _json(text: object) -> Any:
    try:
        return json.loads(text)  # type: ignore[arg-type]
    except (TypeError, ValueError, RecursionError):
        raise Damaged("not JSON") from None


def _is_id(value: object) -> TypeGuard[str]:
    """As `model.validation.Identifier` checks an id."""
    return type(value) is str and len(value) <= ID_MAX_LENGTH and _ID_MATCH(value) is not None


def _ids(value: object) -> list[str]:
    if type(value) is not list or not all(map(_is_id, value)):
        raise Damaged("not a list of ids")
    return value


def _strings(value: object) -> tuple[str, ...]:
    if type(value) is not list or any(type(item) is not str for item in value):
        raise Damaged("not a list of strings")
    return tuple(value)


def _optional_str(value: object) -> TypeGuard[str | None]:
    return value is None or type(value) is str


def _optional_origin(value: object) -> bool:
    return value is None or (type(value) is str and value in _ORIGINS)


def _optional_int(value: object) -> TypeGuard[int | None]:
    return value is None or type(value) is int


_ACTION_FIELDS = tuple(field.name for field in fields(Action))  # the dataclass's fields: the one list
_ACTION_KEYS = frozenset(_ACTION_FIELDS)


def _action(document: Any) -> Action:
    """An action document checked as validation would (ids inline: a call per id costs 10% of a warm read)."""
    if type(document) is not dict or document.keys() != _ACTION_KEYS:
        raise Damaged("not an action")
    try:
        action_id, plan, number = document["id"], document["plan"], document["number"]
        theme, text, commentary = document["theme"], document["text"], document["commentary"]
        evidence, marker = document["status_evidence"], document["annex_marker"]
        status, basis = document["status"], document["status_basis"]
        handed_to, waits_on = document["handed_to"], document["waits_on"]
        continues, links, references = document["continues"], document["builds_on"], document["references"]
    except (TypeError, KeyError):
        raise Damaged("not an action") from None
    if not (
        type(action_id) is str
        and len(action_id) <= ID_MAX_LENGTH
        and _ID_MATCH(action_id)
        and type(plan) is str
        and len(plan) <= ID_MAX_LENGTH
        and _ID_MATCH(plan)
        and type(number) is int
        and number >= 1
        and type(theme) is str
        and type(text) is str
        and type(commentary) is str
        and type(evidence) is str
        and (marker is None or type(marker) is str)
        and type(status) is str
        and status in _STATUSES
        and (basis is None or (type(basis) is str and basis in _BASES))
        and (handed_to is None or (type(handed_to) is str and handed_to.strip() != ""))
        and (waits_on is None or (type(waits_on) is str and waits_on.strip() != ""))
        and type(continues) is list
        and type(links) is list
        and type(references) is list
    ):
        raise Damaged(f"action {action_id!r}")
    return Action(
        id=action_id,
        plan=plan,
        number=number,
        theme=theme,
        text=text,
        status=_STATUSES[status],
        commentary=commentary,
        status_basis=None if basis is None else _BASES[basis],
        status_evidence=evidence,
        handed_to=handed_to,
        waits_on=waits_on,
        continues=tuple(_ids(continues)) if continues else (),
        builds_on=tuple(map(_link, links)) if links else (),
        references=_strings(references) if references else (),
        annex_marker=marker,
    )


def _link(link: Any) -> BuildsOn:
    if type(link) is not dict or not _is_id(link.get("id")) or type(link.get("reason")) is not str:
        raise Damaged("not a link")
    return BuildsOn(link["id"], link["reason"])


def _header(document: Any, *, optional: bool) -> dict[str, Any]:
    """The title, source, publication and plans of a header document (each may be None in a part)."""
    try:
        title, source = document["title"], document["source"]
        publication, plans = document["publication"], document["plans"]
    except (TypeError, KeyError):
        raise Damaged("not a header") from None
    texts = (title, source)
    if not (all(map(_optional_str, texts)) if optional else all(type(text) is str for text in texts)):
        raise Damaged("title or source")
    if type(plans) is not list:
        raise Damaged("plans")
    return {
        "title": title,
        "source": source,
        "publication": None if publication is None else _publication(publication),
        "plans": tuple(map(_plan, plans)),
    }


def _publication(document: Any) -> Publication:
    if type(document) is not dict:
        raise Damaged("publication")
    title, year, text = document.get("title"), document.get("year"), document.get("text")
    if not (type(title) is str and type(year) is int and type(text) is str):
        raise Damaged("publication")
    introductions = document.get("introductions")
    if type(introductions) is not list:
        raise Damaged("publication")
    return Publication(title, year, text, tuple(map(_introduction, introductions)))


def _introduction(document: Any) -> Introduction:
    if type(document) is not dict or not _is_id(document.get("plan")) or type(document.get("text")) is not str:
        raise Damaged("publication introduction")
    return Introduction(document["plan"], document["text"])


def _plan(document: Any) -> Plan:
    if type(document) is not dict:
        raise Damaged("plan")
    plan_id, title, year = document.get("id"), document.get("title"), document.get("year")
    as_of, source = document.get("commentary_as_of"), document.get("commentary_source")
    title_from, year_from = document.get("title_from"), document.get("year_from")
    if not (
        _is_id(plan_id)
        and type(title) is str
        and type(year) is int
        and _optional_int(as_of)
        and _optional_str(source)
        and _optional_origin(title_from)
        and _optional_origin(year_from)
    ):
        raise Damaged(f"plan {plan_id!r}")
    title_origin, year_origin = (None if given is None else _ORIGINS[given] for given in (title_from, year_from))
    return Plan(plan_id, title, year, as_of, source, title_origin, year_origin)


def _glossary(document: Any) -> dict[str, Any]:
    """A glossary document as `query.glossary` reads it: terms of non-blank strings (`validation.Text`)."""
    terms = document.get("terms") if type(document) is dict else None
    if type(terms) is not list or type(document.get("annex")) is not str:
        raise Damaged("glossary")
    for term in terms:
        if type(term) is not dict or term.get("source") not in ("annex", "cited"):
            raise Damaged("glossary term")
        lists = [term.get(name) for name in ("aliases", "other_forms", "quotes")]
        if not all(type(items) is list for items in lists):
            raise Damaged("glossary term")
        texts = [term.get("term"), term.get("expansion"), term.get("description")]
        texts += [text for items in lists for text in items or ()]
        if not all(type(text) is str and text and not text.isspace() for text in texts):
            raise Damaged("glossary term")
        if not all(type(term.get(name)) is str for name in ("cited_title", "cited_url")):
            raise Damaged("glossary term")
    checked: dict[str, Any] = document
    return checked


# --- reading ---------------------------------------------------------------------------------------


def open_store(register: Path, kind: str = "register", entry: Path | None = None) -> Store | None:
    """The register's cache, if there is one that holds the file as it is now; else None.

    `kind` is what the file was read as: a "register", a "part" of a directory register (which is
    checked only with the other files), or a "glossary". A file larger than the size guard allows
    (`tomlfile.max_bytes`, which raises `UsageError` for a malformed `JNAP_MAX_BYTES`) has no cache:
    reading it says why it is refused.
    """
    import sqlite3

    from jnap_cli.register.tomlfile import max_bytes

    limit = max_bytes()
    entry = entry_path(register) if entry is None else entry
    try:
        stamp = Stamp.of(register)
        used = entry.stat()
        if stamp.size > limit or not stat.S_ISREG(used.st_mode):  # a FIFO put there would block the read
            return None
        connection = sqlite3.connect(f"{entry.as_uri()}?mode=ro", uri=True)
    except (OSError, ValueError, sqlite3.Error):
        return None
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("kind") == kind and _current(meta, register, stamp):
            cache_files.touch(entry, used.st_mtime_ns)
            return Store(connection, entry, kind)
    except sqlite3.Error:
        pass
    connection.close()
    return None


def _current(meta: dict[str, str], register: Path, stamp: Stamp) -> bool:
    if (meta.get("format"), meta.get("jnap"), meta.get("path")) != (FORMAT, __version__, os.path.realpath(register)):
        return False
    if meta.get("stamp") != stamp.text():
        return False
    try:
        built_ns = int(meta["built_ns"])
    except (KeyError, ValueError, TypeError):
        return False
    if max(stamp.mtime_ns, stamp.ctime_ns) < built_ns - RACY_NS:
        return True
    # Modified too close to when the cache was built for the time to tell: compare the bytes.
    try:
        return hashlib.sha256(register.read_bytes()).hexdigest() == meta.get("sha256")
    except OSError:
        return False


# --- writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What a cache records of the file it was made from: its stamp before it was read, when the read
    began, and the SHA-256 of the bytes read."""

    stamp: Stamp
    built_ns: int
    sha256: str


def read(path: Path, read_bytes: Callable[[Path], bytes]) -> tuple[bytes, Source | None]:
    """The file's bytes (`read_bytes` says why it cannot be read), and what its cache would record;
    None when the file cannot even be looked at."""
    try:
        stamp = Stamp.of(path)
    except OSError:
        stamp = None
    built_ns = time.time_ns()
    data = read_bytes(path)
    return data, Source(stamp, built_ns, hashlib.sha256(data).hexdigest()) if stamp is not None else None


def store(path: Path, source: Source | None, register: Register | RegisterPart) -> None:
    """Cache `register` (or one file's part of one), validated from the file at `path` as `source` says.

    Nothing is written if the file changed since it was read; any failure leaves no cache behind.
    """
    if source is not None:
        _write(path, source.stamp, lambda db: _fill(db, path, source, register))


def _begin(
    connection: sqlite3.Connection,
    path: Path,
    source: Source,
    kind: str,
    header: dict[str, Any],
    extra: dict[str, str] | None = None,
) -> None:
    """A new cache's tables, what it records of its file (and `extra`), and its header (in the caller's transaction)."""
    connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
    meta = (extra or {}) | {
        "format": FORMAT,
        "jnap": __version__,
        "kind": kind,
        "path": os.path.realpath(path),
        "stamp": source.stamp.text(),
        "built_ns": str(source.built_ns),
        "sha256": source.sha256,
    }
    connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    connection.execute("INSERT INTO header VALUES (?)", (json.dumps(header),))


def read_document(path: Path, kind: str) -> dict[str, Any] | None:
    """The document cached for the file at `path` read as `kind` (a "glossary", checked as
    `query.glossary` reads it), if the file is unchanged."""
    found = open_store(path, kind)
    if found is None:
        return None
    try:
        return _glossary(found._header_document())
    except damage():
        return None
    finally:
        found.close()


def store_document(path: Path, source: Source | None, kind: str, document: dict[str, Any]) -> None:
    """Cache `document`, checked from the file at `path` (a glossary) as `source` says."""

    def fill(connection: sqlite3.Connection) -> None:
        assert source is not None
        with connection:
            _begin(connection, path, source, kind, document)

    if source is not None:
        _write(path, source.stamp, fill)


def _write(path: Path, before: Stamp, fill: Callable[[sqlite3.Connection], None], entry: Path | None = None) -> None:
    """Make the cache of the file at `path` (`entry`, else its register entry) with `fill`, in a temporary
    file renamed into place; nothing if the file no longer has stamp `before`, or on any failure."""
    import sqlite3

    from jnap_cli.files import atomic  # only a miss writes: not imported on a cache hit

    try:
        if Stamp.of(path) != before:
            return
        cache_files.make_directory()
        cache_files.tidy()
        entry = entry_path(path) if entry is None else entry
        temporary = cache_files.temporary_path(entry)
        temporary.unlink(missing_ok=True)  # left by a dead process that had this pid
        with atomic.private_temporary(temporary) as (_, handle):  # a failed build leaves no file
            os.close(handle)
            connection = sqlite3.connect(temporary)
            try:
                fill(connection)
            finally:
                connection.close()
            os.replace(temporary, entry)
    except (OSError, sqlite3.Error):
        return


def _fill(connection: sqlite3.Connection, path: Path, source: Source, register: Register | RegisterPart) -> None:
    from dataclasses import asdict

    from jnap_cli.model.related import Related
    from jnap_cli.progress import step
    from jnap_cli.text import indexed_text, unaligned

    header = {
        "title": register.title,
        "source": register.source,
        "publication": asdict(register.publication) if register.publication is not None else None,
        "plans": [asdict(plan) for plan in register.plans],
    }
    related = Related.of(register.actions, register.plans)
    kind = "part" if isinstance(register, RegisterPart) else "register"
    with connection, step(f"Indexing {len(register.actions)} actions", len(register.actions) * 2) as advance:
        _begin(connection, path, source, kind, header)
        connection.executemany(
            "INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    position,
                    action.id,
                    json.dumps(_document(action)),
                    json.dumps(list(related.continued_by.get(action.id, ()))),
                    json.dumps(list(related.built_on_by.get(action.id, ()))),
                    action.plan,
                )
                for position, action in _counted(register.actions, advance)
            ),
        )
        connection.executemany(
            "INSERT INTO search (rowid, theme, text, commentary) VALUES (?, ?, ?, ?)",
            (
                (position, indexed_text(action.theme), indexed_text(action.text), indexed_text(action.commentary))
                for position, action in _counted(register.actions, advance)
            ),
        )
        connection.executemany(
            "INSERT INTO unaligned VALUES (?)",
            (
                (position,)
                for position, action in enumerate(register.actions)
                if any(map(unaligned, (action.theme, action.text, action.commentary)))
            ),
        )
        connection.executemany(
            "INSERT INTO inexact VALUES (?)",
            (
                (position,)
                for position, action in enumerate(register.actions)
                if not all(map(tokens_exact, (action.theme, action.text, action.commentary)))
            ),
        )


def tokens_exact(text: str) -> bool:
    """Whether the index's tokens of `text` are exactly the words the search sees in it, where they are.

    So when every character folds to ASCII of its own kind: a word character (`\\w`) to letters and
    digits, any other to neither; and there is no underscore (a word character that is no token's).
    Then a token begins where the search's word pattern can match, a whole token is a whole word, and
    a field's first token is its first word. Curly quotes and accents qualify; "™" (to "tm") does not.
    """
    if text.isascii():
        return "_" not in text
    if _OTHER_CHARACTER.search(text) is None:  # the common case, found without a loop in Python
        return True
    return all(_CHARACTER_EXACT.get(char) or _character_exact(char) for char in set(_OTHER_CHARACTER.findall(text)))


# Characters other than these few, known to qualify: ASCII but the underscore, curly quotes, en and em dashes.
_OTHER_CHARACTER = re.compile(r"[^\x00-\x5e\x60-\x7f\u2018\u2019\u201c\u201d\u2013\u2014]")
_CHARACTER_EXACT: dict[str, bool] = {}
_WORD_CHARACTER = re.compile(r"\w")
_TOKEN_CHARACTERS = re.compile("[a-z0-9]*")


def _character_exact(char: str) -> bool:
    from jnap_cli.text import fold_char

    folded = fold_char(char)
    if _WORD_CHARACTER.match(char):
        exact = char != "_" and folded != "" and _TOKEN_CHARACTERS.fullmatch(folded) is not None
    else:
        exact = folded.isascii() and _WORD_CHARACTER.search(folded) is None
    _CHARACTER_EXACT[char] = exact
    return exact


def _counted(actions: Sequence[Action], advance: Callable[[int], None]) -> Iterator[tuple[int, Action]]:
    """`enumerate(actions)`, telling `advance` every thousand."""
    for position, action in enumerate(actions):
        if position % 1000 == 999:
            advance(1000)
        yield position, action
    advance(len(actions) % 1000)


_action_values = operator.attrgetter(*_ACTION_FIELDS)


def _document(action: Action) -> dict[str, Any]:
    """What `_action` reads back: every field of the dataclass, as JSON has it (its enums are strings;
    `dataclasses.asdict` is several times slower)."""
    document = dict(zip(_ACTION_FIELDS, _action_values(action), strict=True))
    document["builds_on"] = [{"id": link.id, "reason": link.reason} for link in action.builds_on]
    return document


def forget(register: Path) -> None:
    """Remove the register's cache and its findings (after jnap rewrote the register)."""
    with contextlib.suppress(OSError, ValueError):
        entry_path(register).unlink(missing_ok=True)
        findings_entry(register).unlink(missing_ok=True)


# --- findings: `jnap check` of an unchanged file ----------------------------------------------------

FINDINGS = "findings"
_FINDING_FIELDS = ("code", "severity", "message", "action_id", "index", "field", "line", "plan")


def findings_entry(register: Path) -> Path:
    """Where the findings of the register file at `register` are kept: beside its register entry,
    named (as every entry) by a hash of its real path, here with the kind after it."""
    name = hashlib.sha256(os.fsencode(os.path.realpath(register)) + b"\0" + FINDINGS.encode()).hexdigest()[:32]
    return cache_files.directory() / f"{name}.sqlite3"


def read_findings(path: Path, rules: str, named: str | None = None) -> tuple[int, list[Finding]] | None:
    """The number of actions and the findings (their path `named`) that `store_findings` kept for the
    file at `path` as it is now, found by the rules `rules` names; None if there are none to trust."""
    found = open_store(path, FINDINGS, findings_entry(path))
    if found is None:
        return None
    try:
        meta = dict(found._db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("rules") != rules:
            return None
        actions = _json(meta.get("actions"))
        if type(actions) is not int or actions < 0:
            raise Damaged("actions")
        rows = found._db.execute("SELECT document FROM findings ORDER BY ord")
        return actions, [_finding(_json(document), named) for (document,) in rows]
    except damage():
        with contextlib.suppress(OSError):
            findings_entry(path).unlink()
        return None
    finally:
        found.close()


def store_findings(path: Path, source: Source | None, rules: str, actions: int, findings: Sequence[Finding]) -> None:
    """Keep the findings that the rules `rules` names found in the file at `path`, read as `source`
    says (`read`), with its number of actions. Nothing is kept if the file changed since it was read."""

    def fill(connection: sqlite3.Connection) -> None:
        assert source is not None
        with connection:
            _begin(connection, path, source, FINDINGS, {}, {"rules": rules, "actions": str(actions)})
            connection.executemany(
                "INSERT INTO findings VALUES (?, ?)",
                ((order, json.dumps(_finding_document(f))) for order, f in enumerate(findings)),
            )

    if source is not None:
        _write(path, source.stamp, fill, findings_entry(path))


def _finding_document(finding: Finding) -> dict[str, Any]:
    return {name: getattr(finding, name) for name in _FINDING_FIELDS}


_SEVERITIES = {severity.value: severity for severity in Severity}


def _finding(document: Any, path: str | None) -> Finding:
    """A finding document checked for what a finding holds (its text is escaped when shown, as any)."""
    if type(document) is not dict or document.keys() != set(_FINDING_FIELDS):
        raise Damaged("not a finding")
    code, severity, message = document["code"], document["severity"], document["message"]
    if not (type(code) is str and type(message) is str and type(severity) is str and severity in _SEVERITIES):
        raise Damaged("finding")
    texts = (document["action_id"], document["field"])
    numbers = (document["index"], document["line"], document["plan"])
    if not (all(map(_optional_str, texts)) and all(map(_optional_int, numbers))):
        raise Damaged("finding")
    return Finding(
        code,
        _SEVERITIES[severity],
        message,
        action_id=document["action_id"],
        index=document["index"],
        field=document["field"],
        path=path,
        line=document["line"],
        plan=document["plan"],
    )
