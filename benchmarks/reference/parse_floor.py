"""The parse floor: plain Python, tomllib and a substring loop; prints the ids of actions that mention WORD.

    python benchmarks/reference/parse_floor.py REGISTER WORD

WORD is looked for, case-insensitively, in text, commentary and theme. REGISTER is a file, or a directory
whose `*.toml` files are read in name order. What reading a register and scanning it costs with nothing
else: no validation, no ranking, no framework.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path


def main() -> None:
    register, word = Path(sys.argv[1]), sys.argv[2].casefold()
    files = sorted(register.glob("*.toml")) if register.is_dir() else [register]
    found = []
    for path in files:
        with path.open("rb") as handle:
            for action in tomllib.load(handle).get("actions", []):
                if any(word in action.get(name, "").casefold() for name in ("text", "commentary", "theme")):
                    found.append(action["id"])
    print("\n".join(found))
    sys.exit(0 if found else 1)


if __name__ == "__main__":
    main()
