"""Start-up benchmark: how long common commands take, end to end, as a shell loop would run them.

    python benchmarks/startup.py [--runs N]

Prints the median and best wall-clock time of each command over N runs, then the modules that
cost most at import time (`python -X importtime -c "import jnap_cli.cli"`). Not a test: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = [
    ["--version"],
    ["show", "R4"],
    ["list"],
    ["list", "--status", "ongoing", "--format", "json"],
    ["check"],
]


def jnap() -> str:
    found = shutil.which("jnap", path=str(Path(sys.executable).parent)) or shutil.which("jnap")
    if not found:
        sys.exit("benchmarks/startup.py: install jnap first (pip install .)")
    return found


def time_command(args: list[str], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([jnap(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        timings.append(time.perf_counter() - start)
    return timings


def import_costs(top: int = 8) -> list[tuple[int, str]]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import jnap_cli.cli"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    rows = []
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    print(f"{'command':<45} {'median ms':>10} {'best ms':>8}")
    for args in COMMANDS:
        timings = time_command(args, runs)
        print(f"{'jnap ' + ' '.join(args):<45} {statistics.median(timings) * 1000:>10.1f} {min(timings) * 1000:>8.1f}")
    print("\ncumulative import time of `import jnap_cli.cli` (µs):")
    for micros, name in import_costs():
        print(f"{micros:>10}  {name}")


if __name__ == "__main__":
    main()
