"""Seeded generator of large registers for the benchmarks: generated on demand, never committed.

    python benchmarks/generate.py 10000                       # benchmarks/out/actions-10000-s1.toml
    python benchmarks/generate.py 20000 --next                 # … and actions-20000-s1-next.toml
    python benchmarks/generate.py 10000 --split                # … and a directory, one file per plan
    python benchmarks/generate.py 44 --big-commentary 5        # one action with a 5 MB commentary
    python benchmarks/generate.py 10000 --plans 2 --growing-vocabulary   # words of their own (diff --suggest)

Text and commentary follow the shipped register (data/actions.toml): each generated action copies the
word counts (and paragraph breaks) of a real action picked at random, and its words come from a bigram
chain over the real register's sentences, mostly (`TOPICAL`) that real action's own, so that words
cluster by topic and searches for words and phrases hit about as often as in a real register; a seeded
pool of rare invented words (`Corpus.rare`) makes searches that hit a handful of actions. Plans are
one per area, with themes from the real register, statuses from the vocabulary, `status_basis`,
`status_evidence` quoted from the commentary, `continues` and `builds_on` links to earlier plans and
`action N under THEME` references. Same arguments, same seed: the same bytes.

A register written here passes `jnap check` with no error (exit 0). `--next` writes a later version of it
for `jnap diff`: a few percent of statuses changed, some texts and commentaries edited, some actions
renamed, some pairs re-numbered (swapped), some added and some removed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tomllib
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

HERE = Path(__file__).resolve().parent
SHIPPED = HERE.parent / "data" / "actions.toml"
DEFAULT_OUT = HERE / "out"

STATUSES = ("complete", "in-progress", "ongoing", "transferred", "deferred", "not-started")
# Roughly the shipped register's mix (mostly complete), with every status present.
STATUS_WEIGHTS = (60, 12, 12, 6, 6, 4)
AREAS = (
    "North East", "North West", "Yorkshire and Humberside", "East Midlands", "West Midlands", "East of England",
    "London North", "London South", "South East", "South West", "Thames and Chiltern", "Wessex", "Mersey-Cheshire",
    "Cymru-Wales",
)  # fmt: skip
TOPICAL = 0.8  # how often an action's next word comes from its model action's own bigrams
RARE_PROBABILITY = 0.0015  # per word: a rare word lands in about one action in 15
START = "<s>"

Document = dict[str, Any]


@dataclass
class Corpus:
    """What the shipped register offers the generator: sentence bigrams, lengths and themes."""

    following: dict[str, list[str]]
    local: list[dict[str, list[str]]]  # each real action's own bigrams: generated actions keep to a topic
    text_words: list[int]
    commentary_paragraphs: list[list[int]]
    themes: list[str]
    rare: list[str] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return text.split()


def load_corpus(path: Path = SHIPPED, rare_words: int = 400, seed: int = 1) -> Corpus:
    """Read the shipped register: the bigram chain of its sentences and the lengths of its fields."""
    with path.open("rb") as handle:
        actions = tomllib.load(handle)["actions"]
    following: dict[str, list[str]] = defaultdict(list)
    local: list[dict[str, list[str]]] = []
    for action in actions:
        own: dict[str, list[str]] = defaultdict(list)
        for paragraph in (action["text"], *action["commentary"].split("\n\n")):
            for sentence in re.split(r"(?<=[.!?])\s+", paragraph.strip()):
                words = _words(sentence)
                for before, after in zip([START, *words], [*words, ""], strict=True):
                    following[before].append(after)  # "" ends a sentence
                    own[before].append(after)
        local.append(dict(own))
    themes = sorted({action["theme"] for action in actions})
    rng = random.Random(f"rare-{seed}")
    syllables = ("ka", "lo", "mer", "vin", "tas", "qu", "zor", "bel", "dra", "nix", "ul", "pem", "ost", "rith")
    rare = sorted({"".join(rng.choice(syllables) for _ in range(4)) for _ in range(rare_words)})
    return Corpus(
        following=dict(following),
        local=local,
        text_words=[len(_words(action["text"])) for action in actions],
        commentary_paragraphs=[
            [len(_words(paragraph)) for paragraph in action["commentary"].split("\n\n")] for action in actions
        ],
        themes=themes,
        rare=rare,
    )


def prose(rng: random.Random, corpus: Corpus, words: int, topic: int | None = None) -> str:
    """About `words` words of sentences from the bigram chain, with the odd rare word.

    With a `topic` (the index of a real action), the next word comes from that action's own bigrams
    when it has some (`TOPICAL` of the time), so that an action's words cluster as a real one's do.
    """
    out: list[str] = []
    previous = START
    own = corpus.local[topic] if topic is not None else {}
    while len(out) < words:
        choices = own.get(previous) if rng.random() < TOPICAL else None
        word = rng.choice(choices or corpus.following.get(previous) or corpus.following[START])
        if not word:  # the end of a sentence: start another
            previous = START
            continue
        if rng.random() < RARE_PROBABILITY:
            out.append(rng.choice(corpus.rare))
        out.append(word)
        previous = word
    text = " ".join(out[:words])
    return text if text.endswith((".", "!", "?")) else text.rstrip(",;:") + "."


def _evidence(rng: random.Random, commentary: str) -> str:
    """A quote from the commentary, as `status_evidence` is: a run of 6–15 words of its first paragraph."""
    words = commentary.split("\n\n", maxsplit=1)[0].split()
    length = min(len(words), rng.randint(6, 15))
    start = rng.randint(0, len(words) - length)
    return " ".join(words[start : start + length])


def plan_ids(count: int) -> list[tuple[str, str]]:
    """(plan id, action id prefix) for `count` plans: one per area, then a numbered round of each."""
    out = []
    for index in range(count):
        area = AREAS[index % len(AREAS)]
        slug = re.sub(r"[^a-z]+", "-", area.casefold()).strip("-")
        round_ = index // len(AREAS)
        suffix = f"-{round_ + 1}" if round_ else ""
        prefix = "".join(word[0] for word in re.split(r"[\s-]+", area) if word[0].isalpha()).upper()
        out.append((f"{slug}{suffix}", f"{prefix}{round_ + 1}-"))
    return out


def default_plans(actions: int) -> int:
    """2 plans for a small register, then one per area (about 700 actions each), at most 4 rounds of areas."""
    return max(2, min(len(AREAS) * 4, actions // 700))


def generate(actions: int, seed: int = 1, plans: int | None = None, corpus: Corpus | None = None) -> Document:
    """A register of `actions` actions across `plans` plans (default: `default_plans`), as a TOML document."""
    corpus = corpus or load_corpus(seed=seed)
    rng = random.Random(seed)
    count = plans or default_plans(actions)
    ids = plan_ids(count)
    document: Document = {
        "title": f"Generated register: {actions} actions in {count} plans (seed {seed})",
        "source": "benchmarks/generate.py: words from the Police–CPS JNAP Final Report 2024 annex",
        "plans": [
            {
                "id": plan,
                "title": f"{AREAS[index % len(AREAS)]} rape and serious sexual offences action plan",
                "year": 2021 + index % 4,
                "commentary_as_of": 2024,
                "commentary_source": "generated",
            }
            for index, (plan, _prefix) in enumerate(ids)
        ],
        "actions": [],
    }
    # Actions are spread evenly over the plans, in plan order; each plan has 3–6 themes, in runs.
    per_plan = [actions // count + (1 if index < actions % count else 0) for index in range(count)]
    all_actions: list[Document] = document["actions"]
    for index, ((plan, prefix), size) in enumerate(zip(ids, per_plan, strict=True)):
        themes = rng.sample(corpus.themes, rng.randint(3, min(6, len(corpus.themes))))
        earlier = all_actions[:]  # actions of the plans before this one: link targets
        mine: list[Document] = []
        for number in range(1, size + 1):
            theme = themes[min(len(themes) - 1, (number - 1) * len(themes) // size)]
            action = _action(rng, corpus, plan, prefix, number, theme)
            if mine and rng.random() < 0.02:
                target = rng.choice(mine)
                reference = f"action {target['number']} under {target['theme']}"
                action["text"] = action["text"].rstrip(".") + f" (as {reference})."
                action["references"] = [reference]
            if index and earlier:
                if rng.random() < 0.25:
                    action["continues"] = sorted({rng.choice(earlier)["id"] for _ in range(rng.randint(1, 2))})
                if rng.random() < 0.05:
                    target = rng.choice(earlier)
                    action["builds_on"] = [{"id": target["id"], "reason": f"uses what {target['id']} delivered"}]
            mine.append(action)
        all_actions.extend(mine)
    return document


def _action(rng: random.Random, corpus: Corpus, plan: str, prefix: str, number: int, theme: str) -> Document:
    model = rng.randrange(len(corpus.text_words))  # the real action whose lengths this one copies
    commentary = "\n\n".join(prose(rng, corpus, words, model) for words in corpus.commentary_paragraphs[model])
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    action: Document = {
        "id": f"{prefix}{number}",
        "plan": plan,
        "number": number,
        "theme": theme,
        "text": prose(rng, corpus, corpus.text_words[model], model),
        "commentary": commentary,
        "status": status,
        "status_basis": "stated" if rng.random() < 0.27 else "inferred",
        "status_evidence": _evidence(rng, commentary),
        "continues": [],
    }
    return action


def next_version(document: Document, seed: int = 1, corpus: Corpus | None = None) -> Document:
    """A later version of `document` for `jnap diff`: statuses, texts, ids and numbers changed; actions added, removed.

    About 3% of statuses change, 2% of texts and 1% of commentaries are edited, 0.5% of actions are
    renamed (a new id, the same text), 0.5% are re-numbered (two neighbours swap numbers and ids), 1% are
    removed (the last actions of every other plan, so that numbers keep no gaps) and 1% added (at the
    end of the others). Links follow renames and drop removed actions; the new version passes `jnap check`.
    """
    corpus = corpus or load_corpus(seed=seed)
    rng = random.Random(f"next-{seed}")
    actions = [dict(action) for action in document["actions"]]
    renamed = _edit(rng, corpus, actions)
    by_plan: dict[str, list[Document]] = defaultdict(list)
    for action in actions:
        by_plan[action["plan"]].append(action)
    _renumber(rng, by_plan, set(renamed.values()))
    removed, added = _remove_and_add(rng, corpus, by_plan, len(actions))
    present = {(action["plan"], action["number"]) for members in by_plan.values() for action in members}
    kept = [_relink(action, renamed, removed, present) for action in actions if action["id"] not in removed]
    return {**{key: value for key, value in document.items() if key != "actions"}, "actions": kept + added}


def _edit(rng: random.Random, corpus: Corpus, actions: list[Document]) -> dict[str, str]:
    """Change statuses, texts and commentaries, and rename some actions, in place; return the renames (old → new)."""
    renamed: dict[str, str] = {}
    for action in actions:
        roll = rng.random()
        if roll < 0.03:
            action["status"] = rng.choice([status for status in STATUSES if status != action["status"]])
        elif roll < 0.05 and "references" not in action:  # a reference must stay word for word in the text
            words = action["text"].split()
            words[rng.randrange(len(words))] = prose(rng, corpus, 1).rstrip(".")
            action["text"] = " ".join(words)
        elif roll < 0.06:
            action["commentary"] += " " + prose(rng, corpus, rng.randint(8, 30))
        elif roll < 0.065:
            renamed[action["id"]] = action["id"] + "r"
            action["id"] += "r"
    return renamed


def _renumber(rng: random.Random, by_plan: dict[str, list[Document]], renamed: set[str]) -> None:
    """Neighbours in a plan swap numbers and ids, so that each id now names the other's text."""
    for members in by_plan.values():
        for _ in range(round(len(members) * 0.0025)):
            first = rng.randrange(len(members) - 1)
            a, b = members[first], members[first + 1]
            if a["id"] in renamed or b["id"] in renamed:
                continue
            a["id"], b["id"] = b["id"], a["id"]
            a["number"], b["number"] = b["number"], a["number"]
            a.pop("references", None)  # a reference names a number, which has moved
            b.pop("references", None)


def _remove_and_add(
    rng: random.Random, corpus: Corpus, by_plan: dict[str, list[Document]], total: int
) -> tuple[set[str], list[Document]]:
    """Drop the last actions of every other plan and add some at the end of the others: (removed ids, added)."""
    plans = list(by_plan)
    change = max(1, round(total * 0.01 / max(1, len(plans) // 2)))
    removed: set[str] = set()
    added: list[Document] = []
    for plan in plans[0::2]:
        members = by_plan[plan]
        keep = max(1, len(members) - change)
        removed.update(action["id"] for action in members[keep:])
        by_plan[plan] = members[:keep]
    for plan in plans[1::2]:
        members = by_plan[plan]
        prefix = re.sub(r"\d+r?$", "", members[-1]["id"])
        last = max(action["number"] for action in members)
        themes = sorted({action["theme"] for action in members})
        new = [_action(rng, corpus, plan, prefix, last + offset, rng.choice(themes)) for offset in range(1, change + 1)]
        members.extend(new)
        added.extend(new)
    return removed, added


def _relink(action: Document, renamed: dict[str, str], removed: set[str], present: set[tuple[str, int]]) -> Document:
    """Links follow renames and drop removed actions; a reference to a number no longer there is dropped."""
    targets = (renamed.get(target, target) for target in action.get("continues", []))
    action["continues"] = [target for target in targets if target not in removed]
    links = [{**link, "id": renamed.get(link["id"], link["id"])} for link in action.get("builds_on", [])]
    links = [link for link in links if link["id"] not in removed]
    if links:
        action["builds_on"] = links
    else:
        action.pop("builds_on", None)
    if any((action["plan"], int(reference.split()[1])) not in present for reference in action.get("references", [])):
        action.pop("references")
    return action


def with_big_commentary(document: Document, megabytes: float, seed: int = 1, corpus: Corpus | None = None) -> str:
    """Give the first action a commentary of about `megabytes` MB (paragraphs of prose); return its id."""
    corpus = corpus or load_corpus(seed=seed)
    rng = random.Random(f"big-{seed}")
    target = int(megabytes * 1_000_000)
    paragraphs: list[str] = []
    size = 0
    while size < target:
        paragraph = prose(rng, corpus, rng.randint(40, 160))
        paragraphs.append(paragraph)
        size += len(paragraph.encode()) + 2
    action = document["actions"][0]
    action["commentary"] = "\n\n".join(paragraphs)
    action["status_evidence"] = _evidence(rng, action["commentary"])
    return str(action["id"])


TAIL_SHARE = 0.3  # of an action's longer words, how many --growing-vocabulary replaces by its own tail words
TAIL_WORD = re.compile(r"\b[a-z]{4,}\b")


def with_growing_vocabulary(document: Document, seed: int = 1, share: float = TAIL_SHARE) -> Document:
    """`document` with words of its own: real plans differ in wording, so their vocabulary grows with them.

    In each action, a `share` of the distinct lower-case words of four letters or more (in text,
    commentary and the evidence quoted from it alike, so that the quote still matches) become words
    of a long Zipfian tail (rank log-uniform in 1 … 20 × the actions: names, places, programmes);
    which words, and what they become, hang on the seed, the action's id and the word alone. Actions
    whose text cites another (`references`) keep their words. Same document and seed: the same bytes.
    """
    vocabulary = 20 * len(document["actions"])

    def replaced(action_id: str, word: str) -> str:
        draw = zlib.crc32(f"{seed}:{action_id}:{word}".encode()) / 2**32
        if draw >= share:
            return word
        rank, letters = int(vocabulary ** (draw / share)), ""
        while True:
            rank, digit = divmod(rank, 26)
            letters += chr(97 + digit)
            if not rank:
                return f"q{letters}"

    actions = []
    for action in document["actions"]:
        if action.get("references"):
            actions.append(action)
            continue
        action_id = action["id"]

        def own(match: re.Match[str], action_id: str = action_id) -> str:
            return replaced(action_id, match[0])

        actions.append(
            {**action, **{key: TAIL_WORD.sub(own, action[key]) for key in ("text", "commentary", "status_evidence")}}
        )
    return {**document, "actions": actions}


def dumps(document: Document) -> bytes:
    """The document as TOML (commentaries as multi-line strings, as the shipped register writes them)."""
    return tomli_w.dumps(document, multiline_strings=True).encode("utf-8")


def split(document: Document) -> dict[str, bytes]:
    """One TOML file per plan (file name → bytes), each with the register's metadata and that plan's actions."""
    files = {}
    for plan in document["plans"]:
        part = {key: value for key, value in document.items() if key not in ("plans", "actions")}
        part["plans"] = [plan]
        part["actions"] = [action for action in document["actions"] if action["plan"] == plan["id"]]
        files[f"{plan['id']}.toml"] = dumps(part)
    return files


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("actions", type=int, help="how many actions")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plans", type=int, help="how many plans (default: 2, or one per ~700 actions)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory to write to [benchmarks/out]")
    parser.add_argument("--output", "-o", type=Path, help="the register's file (default: OUT/actions-N-sSEED.toml)")
    parser.add_argument("--next", action="store_true", help="also write a later version (…-next.toml)")
    parser.add_argument("--split", nargs="?", const=True, metavar="DIR", help="also write one file per plan to DIR")
    parser.add_argument("--big-commentary", type=float, metavar="MB", help="give the first action an MB commentary")
    parser.add_argument(
        "--growing-vocabulary", action="store_true", help="words of each action's own, as real plans (…-vocab.toml)"
    )
    args = parser.parse_args(argv)
    if args.actions < 1:
        parser.error("actions must be at least 1")

    corpus = load_corpus(seed=args.seed)
    document = generate(args.actions, args.seed, args.plans, corpus)
    stem = f"actions-{args.actions}-s{args.seed}" + (f"-p{args.plans}" if args.plans else "")
    if args.big_commentary:
        big = with_big_commentary(document, args.big_commentary, args.seed, corpus)
        stem += f"-big{args.big_commentary:g}"
        print(f"{big}: commentary of {len(document['actions'][0]['commentary'].encode()):,} bytes", file=sys.stderr)
    if args.growing_vocabulary:
        document = with_growing_vocabulary(document, args.seed)
        stem += "-vocab"
    output = args.output or args.out / f"{stem}.toml"
    write(output, dumps(document))
    print(output)
    if args.next:
        later = output.with_name(output.stem + "-next.toml")
        write(later, dumps(next_version(document, args.seed, corpus)))
        print(later)
    if args.split:
        directory = Path(args.split) if isinstance(args.split, str) else output.with_suffix("")
        for name, data in split(document).items():
            write(directory / name, data)
        print(f"{directory}/")


if __name__ == "__main__":
    main()
