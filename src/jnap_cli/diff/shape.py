"""A diff value → its fixed JSON shape (`to_json`), its summary counts (`counts`) and its rows (`rows`).

`diff_versions` (in `versions`) compares two versions of a register; `diff_plans` (in `plans`) two
plans of one register. The text renderer lives in `render.diff_text`.

## JSON output of `jnap diff`

Between two versions of the register (`jnap diff OLD [NEW] --format json`):

```json
{
  "added": [{"id": "R21", "plan": "refresh", "number": 21, "theme": "…", "text": "…", "commentary": "…",
             "status": "in-progress", "status_evidence": "…", "continues": [], "references": [],
             "annex_marker": null}],
  "removed": [{"id": "O24", "plan": "original", "number": 24, "…": "the whole action, as for added"}],
  "renamed": [{"old_id": "O23", "new_id": "O99", "similarity": 1.0,
               "fields": {"number": {"old": 23, "new": 99}}}],
  "changed": [{"id": "R4", "fields": {"status": {"old": "ongoing", "new": "complete"}}}],
  "transitions": [{"old": "ongoing", "new": "complete", "count": 1, "regression": false, "ids": ["R4"]}],
  "metadata": {"plans": {"old": ["refresh: JNAP Refresh (2022)"], "new": ["refresh: JNAP Refresh 2 (2022)"]}}
}
```

- `added` / `removed`: every field of each action only in the new / old version, in file order.
- `renamed`: an action whose id changed but whose `text` is at least 90% similar (`similarity`, 0–1,
  three decimals); `fields` holds its other changes, as for `changed` (empty when only the id changed).
- `changed`: actions with the same id whose fields differ, in the new file's order. `fields` maps
  each changed field (`plan`, `number`, `theme`, `text`, `commentary`, `status`, `status_evidence`,
  `continues`, `references`, `annex_marker`) to its `old` and `new` value: strings, integers, arrays
  of strings (`continues`, `references`) or null (`annex_marker`).
- `transitions`: status changes of the actions in `changed` and `renamed` (by their new id), one
  entry per (old status, new status) pair in vocabulary order; `regression` is true for a transition
  out of `complete`.

- `metadata`: changes to the register's `title`, `source` and `plans` (each plan as
  `id: title (year)`), as `{"old", "new"}`; empty when they are the same.

With `--stat`: `{"added": 1, "removed": 0, "renamed": 0, "changed": 2, "status_changes": 2,
"regressions": 1, "metadata": 0}` (counts of actions, and of changed register fields).

Between two plans of the register (`jnap diff original refresh --format json`). The plans may be
given in either order: `old_plan` is always the older plan (the earlier `year`; the first given when
the years are equal) and `new_plan` the newer, so `jnap diff refresh original` gives the same
document and every key means the same thing in both orders:

```json
{
  "theme": null,
  "old_plan": {"id": "original", "title": "…", "year": 2021, "as_of": 2022,
               "provenance": {"register": ["title", "year"]},
               "themes": [{"theme": "Supporting Victims", "actions": ["O1", "O2", "O3", "O4", "O5"]}]},
  "new_plan": {"id": "refresh", "title": "JNAP Refresh", "year": 2022, "as_of": 2024,
               "provenance": {"annex": ["title"], "register": ["year"]}, "themes": ["… as for old_plan"]},
  "links": [{"old_id": "O23", "new_id": "R4", "old_status": "ongoing", "new_status": "ongoing",
             "old_as_of": 2022, "new_as_of": 2024, "similarity": 0.876, "text": [{"op": "delete", "text": "Hold"},
                                           {"op": "insert", "text": "Continue to hold"},
                                           {"op": "equal", "text": "quarterly"},
                                           {"op": "delete", "text": "meetings"}, "…"]}],
  "new": ["R1", "R2", "R3", "…"],
  "not_continued": ["O3", "O4", "O5", "…"],
  "suggestions": [{"new_id": "R5", "old_id": "O23", "score": 0.224}],
  "builds_on": [{"from": "R2", "to": "O9", "reason": "…"}]
}
```

- `theme`: `--theme` as given (null without it): only the themes containing it are listed, and only
  the links, suggestions, builds-on links, new and not-continued actions with an end in them.
- `as_of`: the year each plan's statuses speak for (its `commentary_as_of`); each link repeats them as
  `old_as_of` and `new_as_of`: `old_status` and `new_status` are two readings of their years, not a change.
- `provenance`: which of `title` and `year` the annex prints and which the register supplies.
- `themes`: each plan's themes in file order, with the ids of their actions.
- `links`: every pair (old-plan action, new-plan action) joined by `continues` (in either direction),
  in the new plan's order: `new_id` continues `old_id` (the text output says `R4 continues O23`, as
  `graph` draws `R4 → O23`); `text` is the word diff of the two texts (`op` is `equal`, `delete` or
  `insert`; a paragraph break is `"\\n\\n"` inside a `text`); `similarity` is the score that
  suggestions use (0–1, three decimals).
- `new`: actions of the newer plan linked to no action of the older plan (new in the newer plan),
  in its order. `not_continued`: actions of the older plan that no action of the newer plan
  continues, in its order. Neither depends on the order in which the plan ids were given.
- `builds_on`: `from` builds on `to` (uses what it delivered), in the direction the register stores;
  the text output says `R2 builds on O9`.
- `suggestions`: `null` unless `--suggest`; then the unlinked pairs whose texts (alone or with their
  commentary) are similar (`score` ≥ 0.20, three decimals, highest first): candidates for a person
  to judge, not links.

With `--stat`: `{"links": 10, "new": 12, "not_continued": 15, "suggestions": null, "builds_on": 2}`.

## Similarity

- Renames: difflib's `SequenceMatcher.ratio` of the characters of the two `text`s, ≥ 90%. Changing
  the id only scores 1.0; a few words changed in a sentence stay above 0.9.
- Suggestions (and `similarity` of links): cosine similarity of TF-IDF word vectors, words case- and
  accent-folded, IDF taken over the actions of the two plans; the better of two scores, text alone
  and text plus commentary (so that a restated action is found even when its commentary is new).
  On the bundled register the curated links score 0.10–0.88 and the best unlinked pair 0.22 (R5 and
  O23, both about stakeholder meetings), the next 0.18; the threshold of 0.20 lets through only pairs
  that share distinctive words. The threshold is a judgement from that register, not a calibration.
- Word diffs of links (text output only): a link at least 50% similar is shown as a word diff of the
  two texts; below that, the two texts are shown whole. The curated links fall into two groups:
  0.64 and 0.88, where the word diff keeps a long shared run around a few replacements, and 0.26 and
  below, where fewer than a fifth of the words are shared (mostly "and", "to", "the") and the word
  diff is a string of replacements. 0.50 lies in the gap. The JSON `text` is always the word diff.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jnap_cli.diff.plans import PlanDiff, PlanSummary
from jnap_cli.diff.versions import FieldChange, FieldValue, VersionDiff
from jnap_cli.query.records import action_record


def _json_value(value: FieldValue) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _json_fields(fields: Mapping[str, FieldChange]) -> dict[str, Any]:
    return {name: {"old": _json_value(c.old), "new": _json_value(c.new)} for name, c in fields.items()}


def words_json(segments: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """A word diff as `[{"op": ..., "text": ...}]`."""
    return [{"op": op, "text": text} for op, text in segments]


def _plan_json(plan: PlanSummary) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": plan.title,
        "year": plan.year,
        "as_of": plan.as_of,
        "provenance": {origin: list(names) for origin, names in plan.provenance.items()},
        "themes": [{"theme": theme.name, "actions": list(theme.actions)} for theme in plan.themes],
    }


def to_json(diff: VersionDiff | PlanDiff) -> dict[str, Any]:
    """The diff in its fixed JSON shape (see the module documentation)."""
    if isinstance(diff, PlanDiff):
        return {
            "theme": diff.theme,
            "old_plan": _plan_json(diff.old_plan),
            "new_plan": _plan_json(diff.new_plan),
            "links": [
                {
                    "old_id": link.old_id,
                    "new_id": link.new_id,
                    "old_status": link.old_status,
                    "new_status": link.new_status,
                    "old_as_of": diff.old_plan.as_of,
                    "new_as_of": diff.new_plan.as_of,
                    "similarity": link.similarity,
                    "text": words_json(link.text),
                }
                for link in diff.links
            ],
            "new": list(diff.new),
            "not_continued": list(diff.not_continued),
            "suggestions": None
            if diff.suggestions is None
            else [{"new_id": s.new_id, "old_id": s.old_id, "score": s.score} for s in diff.suggestions],
            "builds_on": [{"from": b.from_id, "to": b.to_id, "reason": b.reason} for b in diff.builds_on],
        }
    return {
        "added": [action_record(action) for action in diff.added],
        "removed": [action_record(action) for action in diff.removed],
        "renamed": [
            {"old_id": r.old_id, "new_id": r.new_id, "similarity": r.similarity, "fields": _json_fields(r.fields)}
            for r in diff.renamed
        ],
        "changed": [{"id": change.id, "fields": _json_fields(change.fields)} for change in diff.changed],
        "transitions": [
            {"old": t.old, "new": t.new, "count": t.count, "regression": t.regression, "ids": list(t.ids)}
            for t in diff.transitions
        ],
        "metadata": _json_fields(diff.metadata),
    }


def counts(diff: VersionDiff | PlanDiff) -> dict[str, int | None]:
    """The summary counts (`--stat`): of actions for a version diff, of links and ids for a plan diff."""
    if isinstance(diff, PlanDiff):
        return {
            "links": len(diff.links),
            "new": len(diff.new),
            "not_continued": len(diff.not_continued),
            "suggestions": None if diff.suggestions is None else len(diff.suggestions),
            "builds_on": len(diff.builds_on),
        }
    return {
        "added": len(diff.added),
        "removed": len(diff.removed),
        "renamed": len(diff.renamed),
        "changed": len(diff.changed),
        "status_changes": sum(t.count for t in diff.transitions),
        "regressions": sum(t.count for t in diff.transitions if t.regression),
        "metadata": len(diff.metadata),
    }


def rows(diff: VersionDiff | PlanDiff) -> list[dict[str, Any]]:
    """The diff as flat records, one per difference, for the record formats (csv, tsv, table, …).

    A version diff gives `{"change", "id", "old_id", "field", "old", "new"}` rows: `added` and
    `removed` carry the action's text, `renamed` and `changed` one row per changed field, `register`
    one row per changed register field. A plan diff gives `{"relation", "old_id", "new_id",
    "old_status", "new_status", "similarity"}` rows: `continues`, `new`, `not-continued`, `suggestion`.
    """
    if isinstance(diff, PlanDiff):
        return _plan_rows(diff)
    found: list[dict[str, Any]] = []

    def add(
        change: str, id: str | None, field: str | None, old: FieldValue, new: FieldValue, old_id: str | None = None
    ) -> None:
        found.append(
            {
                "change": change,
                "id": id,
                "old_id": old_id,
                "field": field,
                "old": _json_value(old),
                "new": _json_value(new),
            }
        )

    for name, change in diff.metadata.items():
        add("register", None, name, change.old, change.new)
    for action in diff.added:
        add("added", action.id, "text", None, action.text)
    for action in diff.removed:
        add("removed", action.id, "text", action.text, None)
    for rename in diff.renamed:
        add("renamed", rename.new_id, "id", rename.old_id, rename.new_id, rename.old_id)
        for name, change in rename.fields.items():
            add("renamed", rename.new_id, name, change.old, change.new, rename.old_id)
    for changed in diff.changed:
        for name, change in changed.fields.items():
            add("changed", changed.id, name, change.old, change.new)
    return found


def _plan_rows(diff: PlanDiff) -> list[dict[str, Any]]:
    def row(relation: str, old_id: str | None, new_id: str | None, **more: Any) -> dict[str, Any]:
        return {"relation": relation, "old_id": old_id, "new_id": new_id, "old_status": None, "new_status": None,
                "old_as_of": None, "new_as_of": None, "similarity": None, **more}  # fmt: skip

    found = [
        row(
            "continues",
            link.old_id,
            link.new_id,
            old_status=link.old_status,
            new_status=link.new_status,
            old_as_of=diff.old_plan.as_of,
            new_as_of=diff.new_plan.as_of,
            similarity=link.similarity,
        )
        for link in diff.links
    ]
    found += [row("new", None, new_id) for new_id in diff.new]
    found += [
        row("builds-on", *((b.to_id, b.from_id) if b.from_newer else (b.from_id, b.to_id))) for b in diff.builds_on
    ]
    found += [row("not-continued", old_id, None) for old_id in diff.not_continued]
    found += [row("suggestion", s.old_id, s.new_id, similarity=s.score) for s in diff.suggestions or ()]
    return found
