"""The schema of the register and of the glossary as pydantic models, which check a parsed document.

Strings and integers are strict (TOML `number = "4"` is an error, never coerced) and unknown keys are
rejected, so that a misspelt key is reported instead of silently dropped. What passes becomes the
plain dataclasses of `model.schema`, which the rest of jnap uses; only loading imports this module.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from jnap_cli.model import schema
from jnap_cli.model.vocab import ID_MAX_LENGTH, ID_PATTERN, Status, StatusBasis

_STRICT = ConfigDict(extra="forbid", frozen=True)

# Strict (no coercion) and not blank.
Text = Annotated[StrictStr, Field(pattern=r"\S")]

Identifier = Annotated[StrictStr, Field(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]


class Plan(BaseModel):
    """One of the plans the register covers (the original JNAP, the JNAP Refresh).

    `commentary_as_of` is the year the plan's commentary speaks for ("complete" means complete then);
    `commentary_source` says where that commentary was published; `title_source` where the title and
    year come from (the annex prints neither for every plan: otherwise they are the register's).
    """

    model_config = _STRICT

    id: Identifier
    title: StrictStr
    year: StrictInt
    commentary_as_of: StrictInt | None = None
    commentary_source: StrictStr | None = None
    title_source: StrictStr | None = None


class Publication(BaseModel):
    """The publication the register's text is copied from, and where the copy is kept."""

    model_config = _STRICT

    title: StrictStr
    year: StrictInt
    text: StrictStr  # the path of the copied text, from the register's repository


class BuildsOn(BaseModel):
    """A link: this action uses what action `id` delivered (a tool, guidance, finding), and why we say so."""

    model_config = _STRICT

    id: Identifier
    reason: StrictStr = ""


class Action(BaseModel):
    """One action (original JNAP) or activity (JNAP Refresh), with its commentary and status."""

    model_config = _STRICT

    id: Identifier
    plan: Identifier
    number: Annotated[StrictInt, Field(ge=1)]
    theme: StrictStr
    text: StrictStr
    # Optional in the schema so that `jnap check` can report a missing commentary as a finding.
    commentary: StrictStr = ""
    status: Status
    status_basis: StatusBasis | None = None
    status_evidence: StrictStr = ""
    continues: tuple[Identifier, ...] = ()
    builds_on: tuple[BuildsOn, ...] = ()
    references: tuple[StrictStr, ...] = ()
    annex_marker: StrictStr | None = None


class Register(BaseModel):
    """The whole register: metadata, plans and actions in the order the file gives them.

    A register with plans may have no actions yet (a new one, from `jnap init`); the loader refuses one
    with neither.
    """

    model_config = _STRICT

    title: StrictStr
    source: StrictStr
    publication: Publication | None = None
    plans: tuple[Plan, ...]
    actions: tuple[Action, ...] = ()


class RegisterPart(BaseModel):
    """One file of a directory register: a register file's keys, every one optional."""

    model_config = _STRICT

    title: StrictStr | None = None
    source: StrictStr | None = None
    publication: Publication | None = None
    plans: tuple[Plan, ...] = ()
    actions: tuple[Action, ...] = ()


class Term(BaseModel):
    """One glossary entry: an acronym or term of art, what it stands for, and what it means."""

    model_config = _STRICT

    term: Text
    expansion: Text
    description: Text
    aliases: tuple[Text, ...] = ()


class Glossary(BaseModel):
    """The whole glossary, in file order."""

    model_config = _STRICT

    terms: tuple[Term, ...]


def register(raw: dict[str, Any]) -> schema.Register:
    """A parsed register document, checked; raises pydantic's `ValidationError`."""
    checked = Register.model_validate(raw)
    publication = checked.publication
    return schema.Register(
        title=checked.title,
        source=checked.source,
        publication=schema.Publication(**dict(publication)) if publication is not None else None,
        plans=tuple(schema.Plan(**dict(plan)) for plan in checked.plans),
        actions=tuple(_action(action) for action in checked.actions),
    )


def register_part(raw: dict[str, Any]) -> schema.RegisterPart:
    """A parsed file of a directory register, checked; raises pydantic's `ValidationError`."""
    checked = RegisterPart.model_validate(raw)
    publication = checked.publication
    return schema.RegisterPart(
        title=checked.title,
        source=checked.source,
        publication=schema.Publication(**dict(publication)) if publication is not None else None,
        plans=tuple(schema.Plan(**dict(plan)) for plan in checked.plans),
        actions=tuple(_action(action) for action in checked.actions),
    )


def _action(action: Action) -> schema.Action:
    # Field by field (not `schema.Action(**dict(action))`, which takes 2.7x as long on 10,000 actions).
    return schema.Action(
        id=action.id,
        plan=action.plan,
        number=action.number,
        theme=action.theme,
        text=action.text,
        status=action.status,
        commentary=action.commentary,
        status_basis=action.status_basis,
        status_evidence=action.status_evidence,
        continues=action.continues,
        builds_on=tuple(schema.BuildsOn(link.id, link.reason) for link in action.builds_on),
        references=action.references,
        annex_marker=action.annex_marker,
    )


def glossary(raw: dict[str, Any]) -> schema.Glossary:
    """A parsed glossary document, checked; raises pydantic's `ValidationError`."""
    checked = Glossary.model_validate(raw)
    return schema.Glossary(tuple(schema.Term(**dict(term)) for term in checked.terms))
