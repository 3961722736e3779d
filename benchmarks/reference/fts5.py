"""SQLite FTS5 on a prebuilt index: `build` makes the index of a register once, `query` answers a word from it.

    python benchmarks/reference/fts5.py build REGISTER INDEX.db
    python benchmarks/reference/fts5.py query INDEX.db WORD

The index holds id, theme, text and commentary (unicode61 tokenizer, accents removed); a query matches
WORD as a prefix (`WORD*`, as jnap's search does) and prints ids best first (FTS5's bm25 rank).
"""

from __future__ import annotations

import sqlite3
import sys
import tomllib
from pathlib import Path

SCHEMA = (
    "CREATE VIRTUAL TABLE actions USING fts5("
    "id UNINDEXED, theme, text, commentary, tokenize = 'unicode61 remove_diacritics 2')"
)
QUERY = "SELECT id FROM actions WHERE actions MATCH ? ORDER BY rank"


def build(register: Path, index: Path) -> None:
    files = sorted(register.glob("*.toml")) if register.is_dir() else [register]
    index.unlink(missing_ok=True)
    with sqlite3.connect(index) as db:
        db.execute(SCHEMA)
        for path in files:
            with path.open("rb") as handle:
                actions = tomllib.load(handle).get("actions", [])
            db.executemany(
                "INSERT INTO actions (id, theme, text, commentary) VALUES (?, ?, ?, ?)",
                ((a["id"], a["theme"], a["text"], a.get("commentary", "")) for a in actions),
            )
    db.close()


def query(index: Path, word: str) -> None:
    db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    rows = db.execute(QUERY, ('"' + word.replace('"', '""') + '"*',)).fetchall()
    print("\n".join(row[0] for row in rows))
    sys.exit(0 if rows else 1)


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "build":
        build(Path(args[0]), Path(args[1]))
    elif command == "query":
        query(Path(args[0]), args[1])
    else:
        sys.exit(f"usage: {sys.argv[0]} build REGISTER INDEX | query INDEX WORD")


if __name__ == "__main__":
    main()
