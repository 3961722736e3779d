"""The report: the whole register as one self-contained HTML page, or as Markdown for a wiki or a pull request.

The page answers "how far along are we, and what is stuck?" first: the headline numbers, then every
action not complete (needs attention), then the chart, the graph and every action; where the register
comes from and how to read it come last, one click away. Its content is worked out once (`contents`:
headline, attention list, tallies, actions with their links both ways, the graph) and drawn by two
Jinja2 templates; `origin` says when and from what a report was made, reproducibly. Jinja2 is
imported inside `html` and `markdown` only.
Register text is untrusted: the HTML template escapes everything (autoescape), the Markdown one
escapes through `md_text`, `md_line` and `md_cell`, which also leave GitHub no mention or issue
reference to link (`text.defuse_mentions`); both show control, bidi and zero-width characters as
visible escapes first (`text.escape_unsafe`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jnap_cli.errors import UsageError
from jnap_cli.model.vocab import STATUSES, Origin
from jnap_cli.render import report_layout as layout
from jnap_cli.render.cells import markdown_cell
from jnap_cli.render.views import SUPPLIED
from jnap_cli.text import defuse_mentions, escape_unsafe, one_line

if TYPE_CHECKING:
    from jnap_cli.model.schema import Plan, Register

# How each status and basis reads on the page, and its icon's name (a shape, so colour is never alone).
STATUS_LABELS = {
    "complete": "Complete",
    "in-progress": "In progress",
    "ongoing": "Ongoing",
    "transferred": "Transferred",
    "deferred": "Deferred",
    "not-started": "Not started",
}
BASIS_LABELS = {
    "stated": "stated: the commentary's own words say the status",
    "inferred": "inferred: the register concludes it from the commentary",
    None: "not yet reviewed",
}
RELATION_LABELS = {
    "continues": ("Continues", "Continued by"),
    "builds_on": ("Builds on", "Built on by"),
}


@dataclass(frozen=True)
class Link:
    id: str
    anchor: str
    reason: str = ""


@dataclass(frozen=True)
class Relation:
    label: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class ActionView:
    id: str
    anchor: str
    slug: str  # the Markdown heading's anchor
    number: int
    plan: str
    theme: str
    text: str
    summary: str  # one line of the text: its first sentence, shortened at a word when long
    paragraphs: tuple[str, ...]
    status: str
    status_label: str
    basis: str | None
    basis_label: str
    evidence: str
    handed_to: str | None  # words of the commentary: the body or group the work went to
    waits_on: str | None  # words of the commentary: what the work waits on
    as_of: int | None
    relations: tuple[Relation, ...]
    references: tuple[str, ...]
    annex_marker: str | None


@dataclass(frozen=True)
class ThemeView:
    name: str
    anchor: str
    slug: str
    actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class PlanView:
    id: str
    title: str
    year: int
    as_of: int | None
    commentary_source: str | None
    introduction: str | None  # the annex's own sentences before the plan's actions
    title_mark: str  # SUPPLIED's mark when the register supplies the title (the annex does not print it), else ""
    year_mark: str
    anchor: str
    slug: str
    themes: tuple[ThemeView, ...]
    count: int


@dataclass(frozen=True)
class PlanNumbers:
    """A plan's headline: how many of its actions are complete, as of when."""

    id: str
    title: str
    year: int
    as_of: int | None
    anchor: str
    complete: int
    total: int
    share: float
    title_mark: str = ""
    year_mark: str = ""


@dataclass(frozen=True)
class Headline:
    """The numbers a reader wants first: complete of all, what is not, per plan."""

    complete: int
    total: int
    share: float
    open: tuple[tuple[str, int], ...]  # (status, count) of each status other than complete that occurs
    plans: tuple[PlanNumbers, ...]

    @property
    def open_count(self) -> int:
        return sum(count for _, count in self.open)


@dataclass(frozen=True)
class Made:
    """When and from what a report was made: the date, the register's name, and the git commit it was
    read at (`changed`: the register's files differ from that commit's) or, outside git, its SHA-256."""

    day: date
    name: str
    commit: str | None
    changed: bool
    digest: str

    @property
    def day_text(self) -> str:
        return f"{self.day.day} {MONTHS[self.day.month - 1]} {self.day.year}"


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
SHORT = 12  # hex digits of a commit or a SHA-256 shown: unique in any register's history


@dataclass(frozen=True)
class Contents:
    """Everything the report shows, worked out from the register; both templates draw this."""

    title: str
    source: str
    publication: Any
    plans: tuple[PlanView, ...]
    statuses: tuple[str, ...]  # the statuses that occur, in vocabulary order
    headline: Headline
    # Every action not complete, by status (vocabulary order), then as the register lists them. Each
    # shows where its work went (`handed_to`) or what it waits on (`waits_on`) in the commentary's
    # words, and its links: the action that continues it, what it builds on.
    attention: tuple[ActionView, ...]
    handed: tuple[ActionView, ...]  # every action whose work (or a part of it) went elsewhere, complete ones too
    tallies: tuple[dict[str, Any], ...]  # `jnap stats --format json`'s records, with a label
    chart: layout.Chart
    graph: layout.Graph
    edges: tuple[layout.EdgeInput, ...]
    unlinked: int  # actions with no link, which the graph leaves out
    total: int


def anchor(action_id: str) -> str:
    """The HTML id of an action's card (ids are letters, digits, `_`, `.` and `-`: safe as they are)."""
    return f"action-{action_id}"


class Slugs:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, `-1`, `-2` for repeats."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, heading: str) -> str:
        base = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = self.seen.get(base, 0)
        self.seen[base] = count + 1
        return base if count == 0 else f"{base}-{count}"


def contents(register: Register) -> Contents:
    """The report's content: header, tallies and chart, each plan's themes and actions, the graph."""
    from jnap_cli.query.graph import drawing_order, edges
    from jnap_cli.query.records import records
    from jnap_cli.query.stats import tallies, tally_records

    rows = records(register, register.actions)
    by_id = {row["id"]: row for row in rows}
    found = [layout.EdgeInput(e.source, e.target, str(e.kind), e.reason) for e in edges(register)]
    slugs = Slugs()
    # The Markdown's headings before the plans; every heading on one line, as the template writes it.
    for fixed in (escape_unsafe(unwrap(register.title)), "Needs attention", "Handed elsewhere", "Summary", "Relations"):
        slugs(fixed)
    plans: list[PlanView] = []
    introductions = {i.plan: i.text for i in register.publication.introductions} if register.publication else {}
    for plan in register.plans:
        themes: dict[str, list[ActionView]] = {}
        title_mark, year_mark = marks(plan)
        plan_heading = f"{plan.title}{title_mark} ({plan.year}{year_mark})"
        plan_slug = slugs(escape_unsafe(unwrap(plan_heading)))
        theme_slugs: dict[str, str] = {}
        for action in register.actions:
            if action.plan != plan.id:
                continue
            if action.theme not in theme_slugs:
                theme_slugs[action.theme] = slugs(escape_unsafe(unwrap(action.theme)))
            themes.setdefault(action.theme, []).append(_action_view(by_id[action.id], slugs(f"Action {action.id}")))
        plans.append(
            PlanView(
                id=plan.id,
                title=plan.title,
                year=plan.year,
                as_of=plan.commentary_as_of,
                commentary_source=plan.commentary_source,
                introduction=introductions.get(plan.id),
                title_mark=title_mark,
                year_mark=year_mark,
                anchor=f"plan-{plan.id}",
                slug=plan_slug,
                themes=tuple(
                    ThemeView(name, f"theme-{plan.id}-{n}", theme_slugs[name], tuple(views))
                    for n, (name, views) in enumerate(themes.items(), start=1)
                ),
                count=sum(len(views) for views in themes.values()),
            )
        )
    counted = tallies(register)
    titles = {plan.id: plan.title + marks(plan)[0] for plan in register.plans}
    records_ = [
        {**record, "label": titles.get(record["plan"], record["plan"]) if record["theme"] is None else record["theme"]}
        for record in tally_records(counted)
    ]
    drawn = layout.chart(
        [
            layout.BarInput(
                r["scope"],
                r["plan"],
                r["theme"],
                r["label"],
                {s: r[s] for s in STATUSES},
                r["total"],
                r["complete"],
                r["share"],
            )
            for r in records_
        ]
    )
    older_first = sorted(register.plans, key=lambda plan: plan.year)  # stable: equal years keep file order
    actions = {a.id: a for a in register.actions}
    order = drawing_order(register, edges(register))
    placed = layout.graph(
        column_labels([(plan.id, plan.title + marks(plan)[0], f"{plan.year}{marks(plan)[1]}") for plan in older_first]),
        [
            layout.NodeInput(i, plan, actions[i].status.value, escape_unsafe(unwrap(actions[i].text)))
            for plan, ids in order
            for i in ids
        ],
        found,
    )
    present = {a.status.value for a in register.actions}
    views = {a.id: a for plan in plans for theme in plan.themes for a in theme.actions}
    rank = {status: n for n, status in enumerate(STATUSES)}
    attention = sorted((views[a.id] for a in register.actions if a.status != "complete"), key=lambda a: rank[a.status])
    return Contents(
        title=register.title,
        source=register.source,
        publication=register.publication,
        plans=tuple(plans),
        statuses=tuple(s for s in STATUSES if s in present),
        headline=headline(register, records_),
        attention=tuple(attention),
        handed=tuple(views[a.id] for a in register.actions if a.handed_to is not None),
        tallies=tuple(records_),
        chart=drawn,
        graph=placed,
        edges=tuple(found),
        unlinked=len(register.actions) - len(placed.nodes),
        total=len(register.actions),
    )


def headline(register: Register, records: Sequence[dict[str, Any]]) -> Headline:
    """The headline numbers, read off the plan rows of `jnap stats`'s records (no counting twice)."""
    rows = {r["plan"]: r for r in records if r["scope"] == "plan"}
    plans = tuple(
        PlanNumbers(
            plan.id,
            plan.title,
            plan.year,
            plan.commentary_as_of,
            f"plan-{plan.id}",
            rows[plan.id]["complete"],
            rows[plan.id]["total"],
            rows[plan.id]["share"],
            *marks(plan),
        )
        for plan in register.plans
        if plan.id in rows
    )
    complete = sum(plan.complete for plan in plans)
    total = sum(plan.total for plan in plans)
    counts = {status: sum(rows[p.id][status] for p in plans) for status in STATUSES if status != "complete"}
    return Headline(
        complete,
        total,
        complete / total if total else 0.0,
        tuple((status, n) for status, n in counts.items() if n),
        plans,
    )


COLUMN_TITLE = 22  # characters of a plan's title that fit above its column of the graph


def marks(plan: Plan) -> tuple[str, str]:
    """The marks of a plan's title and year: `SUPPLIED`'s when the register supplies it, else ""."""
    return (
        SUPPLIED[0] if plan.title_from is Origin.REGISTER else "",
        SUPPLIED[0] if plan.year_from is Origin.REGISTER else "",
    )


def column_labels(plans: list[tuple[str, str, int | str]]) -> list[tuple[str, str]]:
    """Each graph column's heading, by plan id: every plan's title when all fit above their columns, else
    every plan's id (one kind of name for all columns), with its year."""
    short = all(len(title) <= COLUMN_TITLE for _id, title, _year in plans)
    return [(plan_id, f"{title if short else plan_id} ({year})") for plan_id, title, year in plans]


def _action_view(record: dict[str, Any], slug: str) -> ActionView:
    relations = [
        Relation(RELATION_LABELS["continues"][0], tuple(Link(i, anchor(i)) for i in record["continues"])),
        Relation(RELATION_LABELS["continues"][1], tuple(Link(i, anchor(i)) for i in record["continued_by"])),
        Relation(
            RELATION_LABELS["builds_on"][0],
            tuple(Link(link["id"], anchor(link["id"]), link["reason"]) for link in record["builds_on"]),
        ),
        Relation(RELATION_LABELS["builds_on"][1], tuple(Link(i, anchor(i)) for i in record["built_on_by"])),
    ]
    commentary = record["commentary"] or ""
    return ActionView(
        id=record["id"],
        anchor=anchor(record["id"]),
        slug=slug,
        number=record["number"],
        plan=record["plan"],
        theme=record["theme"],
        text=record["text"],
        summary=summary(record["text"]),
        paragraphs=tuple(p.strip() for p in re.split(r"\n\s*\n", commentary) if p.strip()),
        status=record["status"],
        status_label=STATUS_LABELS.get(record["status"], record["status"]),
        basis=record["status_basis"],
        basis_label=BASIS_LABELS.get(record["status_basis"], str(record["status_basis"])),
        evidence=record["status_evidence"] or "",
        handed_to=record["handed_to"],
        waits_on=record["waits_on"],
        as_of=record["as_of"],
        relations=tuple(r for r in relations if r.links),
        references=tuple(record["references"]),
        annex_marker=record["annex_marker"],
    )


SUMMARY_LENGTH = 120  # characters of an action's text that the needs-attention list shows at most
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“‘\"'(])")


def summary(text: str) -> str:
    """One line of an action's text: its first sentence, shortened at a word (with `…`) when longer
    than `SUMMARY_LENGTH`. The whole text is one link away, in the action's entry."""
    flat = unwrap(text).strip()
    first = _SENTENCE_END.split(flat, maxsplit=1)[0]
    if len(first) <= SUMMARY_LENGTH:
        return first
    cut = first.rfind(" ", 0, SUMMARY_LENGTH)
    return first[: cut if cut > 0 else SUMMARY_LENGTH].rstrip(" ,;:-–—") + "…"


def origin(register: Path, environ: Mapping[str, str] = os.environ) -> Made:
    """When and from what a report of the register at `register` (a file or a directory) is made.

    The date is `SOURCE_DATE_EPOCH`'s (reproducible-builds.org: seconds since 1970, UTC) when set, else
    today's. In a git work tree whose HEAD holds the register, the commit, and whether the register's
    files differ from it byte for byte; else the register's name and SHA-256 (`sha256sum FILE`, or for
    a directory `sha256sum *.toml | sha256sum`). git runs through `diff.git`: nothing it could start runs.
    """
    from jnap_cli.register.directory import member_paths
    from jnap_cli.register.paths import shown

    files = member_paths(register) if register.is_dir() else [register]
    contents = [(path.name, path.read_bytes()) for path in files]
    if register.is_dir():
        listing = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in contents)
        digest = hashlib.sha256(listing.encode("utf-8")).hexdigest()
    else:
        digest = hashlib.sha256(contents[0][1]).hexdigest()
    at = _commit(register, contents)
    name = shown(register) if at is not None else register.name or str(register)
    return Made(_day(environ), name, at[0] if at else None, at[1] if at else False, digest[:SHORT])


def _day(environ: Mapping[str, str]) -> date:
    given = environ.get("SOURCE_DATE_EPOCH")
    if given is None or given == "":
        return date.today()
    try:
        seconds = int(given)
        if seconds < 0:
            raise ValueError(given)
        return datetime.fromtimestamp(seconds, tz=UTC).date()
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH={one_line(given)!r} is not a whole number of seconds since 1970-01-01 UTC",
            "set it to a time such as $(git log -1 --format=%ct), or unset it for today's date",
        ) from None


def _commit(register: Path, contents: Sequence[tuple[str, bytes]]) -> tuple[str, bool] | None:
    """(HEAD's commit, whether the register's files differ from HEAD's) when git's HEAD holds every
    one of them; None outside a git work tree, without git, or for a register git does not track."""
    from jnap_cli.diff.git import run_git
    from jnap_cli.errors import InputUnreadable

    where = register if register.is_dir() else register.parent
    what = str(register)
    missing = ("git is not installed", "")

    def git(*args: str) -> bytes:
        return run_git(list(args), where, what, missing=missing, failure="git cannot read it", hint="")

    try:
        commit = git("rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode("ascii").strip()
        committed = [git("cat-file", "blob", f"HEAD:./{name}") for name, _ in contents]
    except InputUnreadable:
        return None
    changed = any(old != new for old, (_, new) in zip(committed, contents, strict=True))
    return commit[:SHORT], changed


def _asset(name: str) -> str:
    return resources.files("jnap_cli.render").joinpath("templates", name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The CSP hash source (without its quotes) that allows exactly this inline script or style: `sha256-…`."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("jnap_cli.render", "templates"),
        # HTML templates escape every value; the Markdown one escapes through md_text and md_cell instead.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=("md.j2",), default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        safe_text=escape_unsafe,
        md_text=md_text,
        md_line=md_line,
        md_cell=md_cell,
        percent=lambda share: f"{round(share * 100)}%",
    )
    environment.globals.update(STATUS_LABELS=STATUS_LABELS, SUPPLIED=SUPPLIED)
    return environment


def html(register: Register, generator: str = "jnap", made: Made | None = None) -> str:
    """The report as one HTML page: no external assets, a CSP that allows only its own style and script.
    `made` (from `origin`) says when and from what; without it the page does not say."""
    style = _asset("report.css")
    script = _asset("report.js")
    template = _environment().get_template("report.html.j2")
    return str(
        template.render(
            c=contents(register),
            style=style,
            script=script,
            style_hash=csp_hash(style),
            script_hash=csp_hash(script),
            generator=generator,
            made=made,
        )
    )


def markdown(register: Register, generator: str = "jnap", made: Made | None = None) -> str:
    """The report as Markdown (GitHub's dialect): tables escaped, links as heading anchors, the graph
    as a Mermaid block."""
    from jnap_cli.query.graph import edges
    from jnap_cli.render.graph_text import mermaid

    content = contents(register)
    slug_of = {a.id: a.slug for plan in content.plans for theme in plan.themes for a in theme.actions}
    found = edges(register)
    template = _environment().get_template("report.md.j2")
    return str(
        template.render(
            c=content,
            slug_of=slug_of,
            mermaid=mermaid(register, found).rstrip("\n") if found else "",
            generator=generator,
            made=made,
        )
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~|#!])")
_LIST_MARK = re.compile(r"^([-+=])", re.MULTILINE)  # a list item, a setext heading's underline
_NUMBERED = re.compile(r"^(\d+)([.)])", re.MULTILINE)  # a numbered list item
_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")


def md_text(value: Any) -> str:
    """Register text as Markdown prose that shows the text and nothing else: no emphasis, link, HTML,
    heading, list or code block can come of it, and no mention or issue reference for GitHub to link."""
    text = escape_unsafe("" if value is None else str(value)).replace("&", "&amp;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = "\n".join(line.strip() for line in text.split("\n"))  # four spaces would start a code block
    return defuse_mentions(_NUMBERED.sub(r"\1\\\2", _LIST_MARK.sub(r"\\\1", text)))


def unwrap(text: str) -> str:
    """`text` with each line break a space: how a heading shows it, as HTML and GitHub render a soft break."""
    return _LINE_BREAK.sub(" ", text)


def md_line(value: Any) -> str:
    """`md_text` on one line: a heading, a list item or a quote inside a sentence, which a newline would end."""
    return md_text(unwrap("" if value is None else str(value)))


def md_cell(value: Any) -> str:
    """A table cell (`cells.markdown_cell`: pipes escaped, newlines as `<br>`, no mention or reference),
    trimmed as GitHub trims a cell: a space inside `** plan **` would leave the asterisks showing."""
    return markdown_cell(value.strip() if isinstance(value, str) else value)


def status_names(statuses: Sequence[str]) -> list[str]:
    return [STATUS_LABELS.get(s, s) for s in statuses]
