"""A validated cache of each register file, with its search index: one SQLite file per register.

A register is read, parsed and validated once; afterwards, while the file is unchanged, its actions
come back from the cache without parsing TOML or running validation (no pydantic, no source map), and
`jnap search` asks the cache's FTS5 index which actions can match instead of reading every one.

Where: `platformdirs.user_cache_path("jnap")/registers/` (`$XDG_CACHE_HOME/jnap/registers` on Linux),
one file per register, named by a hash of the register's real path.

Key: the file's device, inode, size and modification time (ns). A file modified within
`RACY_NS` of the moment the cache was built may have changed again within the filesystem's timestamp
granularity without its size or time changing (git's "racy" index entries): then the file's bytes
are read and their SHA-256 compared as well.

Never an error: a cache that is missing, corrupt, stale, of another format or jnap version, or that
cannot be written is ignored (and rebuilt when it can be). `JNAP_NO_CACHE=1` or `jnap --no-cache`
bypasses it. A new cache is written to a temporary file and renamed into place, so that a reader
never sees half of one. The editing commands remove a register's cache when they write the register.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jnap_cli import __version__
from jnap_cli.model.schema import Action, BuildsOn, Plan, Publication, Register, RegisterPart
from jnap_cli.model.vocab import Status, StatusBasis
from jnap_cli.progress import step

if TYPE_CHECKING:
    import sqlite3

    from jnap_cli.query.records import Related

FORMAT = "2"  # the shape of what is stored (2: kinds, Python's tokens in the index); another is ignored
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
    continued_by TEXT NOT NULL, built_on_by TEXT NOT NULL
);
CREATE VIRTUAL TABLE search USING fts5(theme, text, commentary, content='', tokenize="{TOKENIZER}");
"""


def damage() -> tuple[type[Exception], ...]:
    """What reading a damaged cache raises (the cache was written by jnap, but may have been changed since)."""
    import sqlite3

    return (LookupError, TypeError, ValueError, AttributeError, sqlite3.Error)


def enabled() -> bool:
    """Whether the cache is used: not when `$JNAP_NO_CACHE` is set to anything but 0 or empty."""
    return os.environ.get(NO_CACHE_VARIABLE, "").strip() in ("", "0")


def directory() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("jnap", appauthor=False) / "registers"


def entry_path(register: Path) -> Path:
    """Where the cache of the register at `register` is kept."""
    name = hashlib.sha256(os.fsencode(os.path.realpath(register))).hexdigest()[:32]
    return directory() / f"{name}.sqlite3"


@dataclass(frozen=True)
class Stamp:
    """What identifies one state of a file without reading it."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stamp:
        info = path.stat()
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)

    def text(self) -> str:
        return f"{self.device}:{self.inode}:{self.size}:{self.mtime_ns}"


class Store:
    """An open, valid cache of one register: its header, its actions by position, and its search index."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def close(self) -> None:
        self._db.close()

    def register(self) -> Register:
        """The whole register, as it was validated."""
        return Register(**self._header(), actions=self._all_actions())

    def part(self) -> RegisterPart:
        """The whole file as one part of a directory register (`register.directory`; opened as a "part")."""
        return RegisterPart(**self._header(), actions=self._all_actions())

    def plans_only(self) -> Register:
        """The register's metadata and plans, without its actions."""
        return Register(**self._header())

    def _all_actions(self) -> tuple[Action, ...]:
        rows = self._db.execute("SELECT document FROM actions ORDER BY ord")
        return tuple(_action(json.loads(document)) for (document,) in rows)

    def actions(self, positions: Sequence[int]) -> tuple[tuple[Action, ...], Related]:
        """The actions at `positions` (in register order), and their links in reverse."""
        from jnap_cli.query.records import Related

        actions: list[Action] = []
        continued: dict[str, list[str]] = {}
        built: dict[str, list[str]] = {}
        for chunk in _chunks(sorted(set(positions)), 500):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT document, continued_by, built_on_by FROM actions WHERE ord IN ({marks}) ORDER BY ord"  # noqa: S608 (only ? marks)
            for document, continued_by, built_on_by in self._db.execute(query, chunk):
                action = _action(json.loads(document))
                actions.append(action)
                continued[action.id] = json.loads(continued_by)
                built[action.id] = json.loads(built_on_by)
        as_of = {plan.id: plan.commentary_as_of for plan in self.plans_only().plans}
        return tuple(actions), Related(continued, built, as_of)

    def matching(self, expression: str, fields: Sequence[str]) -> list[int]:
        """Positions of the actions whose indexed `fields` match an FTS5 `expression`, in register order."""
        columns = " ".join(fields)
        rows = self._db.execute(
            "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid", (f"{{{columns}}} : ({expression})",)
        )
        return [rowid for (rowid,) in rows]

    def _header_document(self) -> dict[str, Any]:
        header: dict[str, Any] = json.loads(self._db.execute("SELECT document FROM header").fetchone()[0])
        return header

    def _header(self) -> dict[str, Any]:
        """The register's (or part's) title, source, publication and plans, as keyword arguments."""
        header = self._header_document()
        publication = header["publication"]
        return {
            "title": header["title"],
            "source": header["source"],
            "publication": Publication(**publication) if publication is not None else None,
            "plans": tuple(Plan(**plan) for plan in header["plans"]),
        }


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _action(document: dict[str, Any]) -> Action:
    basis = document["status_basis"]
    return Action(
        id=document["id"],
        plan=document["plan"],
        number=document["number"],
        theme=document["theme"],
        text=document["text"],
        status=Status(document["status"]),
        commentary=document["commentary"],
        status_basis=StatusBasis(basis) if basis is not None else None,
        status_evidence=document["status_evidence"],
        continues=tuple(document["continues"]),
        builds_on=tuple(BuildsOn(link["id"], link["reason"]) for link in document["builds_on"]),
        references=tuple(document["references"]),
        annex_marker=document["annex_marker"],
    )


# --- reading ---------------------------------------------------------------------------------------


def open_store(register: Path, kind: str = "register") -> Store | None:
    """The register's cache, if there is one that holds the file as it is now; else None.

    `kind` is what the file was read as: a "register", a "part" of a directory register (which is
    checked only with the other files), or a "glossary". A file larger than the size guard allows
    (`tomlfile.max_bytes`, which raises `UsageError` for a malformed `JNAP_MAX_BYTES`) has no cache:
    reading it says why it is refused.
    """
    import sqlite3

    from jnap_cli.register.tomlfile import max_bytes

    limit = max_bytes()
    entry = entry_path(register)
    try:
        stamp = Stamp.of(register)
        if stamp.size > limit or not entry.is_file():  # a FIFO put there would block the read
            return None
        connection = sqlite3.connect(f"{entry.as_uri()}?mode=ro", uri=True)
    except (OSError, ValueError, sqlite3.Error):
        return None
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("kind") == kind and _current(meta, register, stamp):
            return Store(connection)
    except damage():
        pass
    connection.close()
    return None


def _current(meta: dict[str, str], register: Path, stamp: Stamp) -> bool:
    if (meta.get("format"), meta.get("jnap"), meta.get("path")) != (FORMAT, __version__, os.path.realpath(register)):
        return False
    if meta.get("stamp") != stamp.text():
        return False
    if stamp.mtime_ns < int(meta["built_ns"]) - RACY_NS:
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


def _begin(connection: sqlite3.Connection, path: Path, source: Source, kind: str, header: dict[str, Any]) -> None:
    """A new cache's tables, what it records of its file, and its header (in the caller's transaction)."""
    connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
    meta = {
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
    """The document cached for the file at `path` read as `kind` (a glossary), if the file is unchanged."""
    found = open_store(path, kind)
    if found is None:
        return None
    try:
        return found._header_document()
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


def _write(path: Path, before: Stamp, fill: Callable[[sqlite3.Connection], None]) -> None:
    """Make the cache of the file at `path` with `fill`, in a temporary file renamed into place; nothing
    if the file no longer has stamp `before`, or on any failure."""
    import sqlite3

    try:
        if Stamp.of(path) != before:
            return
        entry = entry_path(path)
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        try:
            connection = sqlite3.connect(temporary)
            try:
                fill(connection)
            finally:
                connection.close()
            os.replace(temporary, entry)
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink()
    except (OSError, sqlite3.Error):
        return


def _fill(connection: sqlite3.Connection, path: Path, source: Source, register: Register | RegisterPart) -> None:
    from dataclasses import asdict

    from jnap_cli.query.records import Related
    from jnap_cli.query.search import indexed_text

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
            "INSERT INTO actions VALUES (?, ?, ?, ?, ?)",
            (
                (
                    position,
                    action.id,
                    json.dumps(_document(action)),
                    json.dumps(list(related.continued_by.get(action.id, ()))),
                    json.dumps(list(related.built_on_by.get(action.id, ()))),
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


def _counted(actions: Sequence[Action], advance: Callable[[int], None]) -> Iterator[tuple[int, Action]]:
    """`enumerate(actions)`, telling `advance` every thousand."""
    for position, action in enumerate(actions):
        if position % 1000 == 999:
            advance(1000)
        yield position, action
    advance(len(actions) % 1000)


def _document(action: Action) -> dict[str, Any]:
    """What `_action` reads back (as `dataclasses.asdict`, which is several times slower)."""
    return {
        "id": action.id,
        "plan": action.plan,
        "number": action.number,
        "theme": action.theme,
        "text": action.text,
        "status": action.status.value,
        "commentary": action.commentary,
        "status_basis": action.status_basis.value if action.status_basis is not None else None,
        "status_evidence": action.status_evidence,
        "continues": action.continues,
        "builds_on": [{"id": link.id, "reason": link.reason} for link in action.builds_on],
        "references": action.references,
        "annex_marker": action.annex_marker,
    }


def forget(register: Path) -> None:
    """Remove the register's cache (after jnap rewrote the register)."""
    with contextlib.suppress(OSError, ValueError):
        entry_path(register).unlink(missing_ok=True)
