"""The schema of the register and of the glossary as pydantic models, which check a parsed document.

Strings and integers are strict (TOML `number = "4"` is an error, never coerced) and unknown keys are
rejected, so that a misspelt key is reported instead of silently dropped. What passes becomes the
plain dataclasses of `model.schema` (and `model.terms`), which the rest of jnap uses; only loading imports this module.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from jnap_cli.model import schema, terms
from jnap_cli.model.vocab import ID_MAX_LENGTH, ID_PATTERN, Origin, Status, StatusBasis, TermSource

_STRICT = ConfigDict(extra="forbid", frozen=True)
T = TypeVar("T")

# Strict (no coercion) and not blank.
Text = Annotated[StrictStr, Field(pattern=r"\S")]

Identifier = Annotated[StrictStr, Field(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]


class Plan(BaseModel):
    """What a `schema.Plan` may hold, as a file gives it."""

    model_config = _STRICT

    id: Identifier
    title: StrictStr
    year: StrictInt
    commentary_as_of: StrictInt | None = None
    commentary_source: StrictStr | None = None
    title_from: Origin | None = None
    year_from: Origin | None = None

    @model_validator(mode="before")
    @classmethod
    def _older_form(cls, given: Any) -> Any:
        """`title_source`, the free text that `title_from`/`year_from` replaced (December 2026), is read and
        set aside: a register's earlier revisions still load, so `diff REV` and `history` reach past it."""
        if isinstance(given, dict) and "title_source" in given:
            return {key: value for key, value in given.items() if key != "title_source"}
        return given


class Introduction(BaseModel):
    """What a `schema.Introduction` may hold, as a file gives it."""

    model_config = _STRICT

    plan: Identifier
    text: Text


class Publication(BaseModel):
    """What a `schema.Publication` may hold, as a file gives it."""

    model_config = _STRICT

    title: StrictStr
    year: StrictInt
    text: StrictStr  # the path of the copied text, from the register's repository
    introductions: tuple[Introduction, ...] = ()


class BuildsOn(BaseModel):
    """What a `schema.BuildsOn` may hold, as a file gives it."""

    model_config = _STRICT

    id: Identifier
    reason: StrictStr = ""


class Action(BaseModel):
    """What a `schema.Action` may hold, as a file gives it."""

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
    handed_to: Text | None = None  # a quote: never blank (leave the key out instead)
    waits_on: Text | None = None
    continues: tuple[Identifier, ...] = ()
    builds_on: tuple[BuildsOn, ...] = ()
    references: tuple[StrictStr, ...] = ()
    annex_marker: StrictStr | None = None


class Register(BaseModel):
    """What a `schema.Register` may hold, as a file gives it."""

    model_config = _STRICT

    title: StrictStr
    source: StrictStr
    publication: Publication | None = None
    plans: tuple[Plan, ...]
    actions: tuple[Action, ...] = ()


class RegisterPart(BaseModel):
    """What a `schema.RegisterPart` may hold, as a file gives it."""

    model_config = _STRICT

    title: StrictStr | None = None
    source: StrictStr | None = None
    publication: Publication | None = None
    plans: tuple[Plan, ...] = ()
    actions: tuple[Action, ...] = ()


class Term(BaseModel):
    """What a `terms.Term` may hold, as a file gives it; which fields a source needs is `query.glossary`'s check."""

    model_config = _STRICT

    term: Text
    expansion: Text
    description: Text
    aliases: tuple[Text, ...] = ()
    source: TermSource
    other_forms: tuple[Text, ...] = ()
    quotes: tuple[Text, ...] = ()
    cited_title: StrictStr = ""
    cited_url: Annotated[StrictStr, Field(pattern=r"^(https://\S+)?$")] = ""


class Glossary(BaseModel):
    """What a `terms.Glossary` may hold, as a file gives it."""

    model_config = _STRICT

    terms: tuple[Term, ...]
    annex: StrictStr = ""


def converter(model: type[BaseModel], dataclass: type[T], **nested: Callable[[Any], Any]) -> Callable[[Any], T]:
    """A checked `model` → its `dataclass` of `model.schema`, field by field in the dataclass's order: its
    fields are the one list (a test holds every model to its dataclass). `nested` converts the fields
    that hold models of their own. Built once: positional arguments, as fast as a written-out call
    (`dataclass(**dict(checked))` takes 2.7x as long on 10,000 actions)."""
    names = tuple(field.name for field in dataclasses.fields(dataclass))  # type: ignore[arg-type]
    missing = set(names) ^ set(model.model_fields)
    if missing:
        raise TypeError(f"{model.__name__} and {dataclass.__name__} differ in {sorted(missing)}")
    get = operator.attrgetter(*names)
    values: Callable[[Any], tuple[Any, ...]] = get if len(names) > 1 else (lambda checked: (get(checked),))
    conversions = [(position, nested[name]) for position, name in enumerate(names) if name in nested]
    if not conversions:
        return lambda checked: dataclass(*values(checked))

    def convert(checked: Any) -> T:
        given = list(values(checked))
        for position, conversion in conversions:
            given[position] = conversion(given[position])
        return dataclass(*given)

    return convert


def _each(convert: Callable[[Any], T]) -> Callable[[Any], tuple[T, ...]]:
    return lambda items: tuple(map(convert, items))


def _optional(convert: Callable[[Any], T]) -> Callable[[Any], T | None]:
    return lambda item: None if item is None else convert(item)


_plan = converter(Plan, schema.Plan)
_introductions = _each(converter(Introduction, schema.Introduction))
_publication = _optional(converter(Publication, schema.Publication, introductions=_introductions))
_action = converter(Action, schema.Action, builds_on=_each(converter(BuildsOn, schema.BuildsOn)))
_register = converter(Register, schema.Register, plans=_each(_plan), publication=_publication, actions=_each(_action))
_part = converter(
    RegisterPart, schema.RegisterPart, plans=_each(_plan), publication=_publication, actions=_each(_action)
)
_glossary = converter(Glossary, terms.Glossary, terms=_each(converter(Term, terms.Term)))


def register(raw: dict[str, Any]) -> schema.Register:
    """A parsed register document, checked; raises pydantic's `ValidationError`."""
    return _register(Register.model_validate(raw))


def register_part(raw: dict[str, Any]) -> schema.RegisterPart:
    """A parsed file of a directory register, checked; raises pydantic's `ValidationError`."""
    return _part(RegisterPart.model_validate(raw))


def glossary(raw: dict[str, Any]) -> terms.Glossary:
    """A parsed glossary document, checked; raises pydantic's `ValidationError`."""
    return _glossary(Glossary.model_validate(raw))
