"""Task names, form labels and enum labels in French, German and English.

Camunda 7 has no translations for what a process owner draws, so ciiflow reads
them from extensions the Modeler already edits (docs/translations.md):

* on an element, a property in its "Extension properties":
  `camunda:property name="name.de" value="…"` (`name.en` alike);
* on a form field, a property in the field's "Properties":
  `camunda:property id="label.de" value="…"` for its label and
  `camunda:property id="value.<enum value id>.de" value="…"` for an enum value
  (a `camunda:value` holds only an id and a name, so its translations live on its field).

The drawn `name` and `label` are French, the default language. A text without a
translation in the asked language is given in French rather than left out: a
caller always gets a label to show. Translations are read from the deployed
definition at read time (definitions never change once deployed), so a task row
stores nothing per language and webhooks, which carry no names, stay
language-free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from .forms import FormField
from .taskattrs import task_properties

DEFAULT_LANGUAGE = "fr"
#: the languages a caller may ask for, the default first
LANGUAGES = ("fr", "de", "en")
#: the languages a process owner translates into (the drawn text is French)
TRANSLATED = ("de", "en")


def name_property(language: str) -> str:
    """The element property holding its name in `language` (`name.de`)."""
    return f"name.{language}"


def label_property(language: str) -> str:
    """The form-field property holding its label in `language` (`label.de`)."""
    return f"label.{language}"


def value_property(value_id: str, language: str) -> str:
    """The form-field property holding an enum value's name in `language` (`value.<id>.de`)."""
    return f"value.{value_id}.{language}"


def translated(properties: Mapping[str, str | None], key: str, drawn: str | None) -> str | None:
    """The translation under `key` when it is given (not blank), else the drawn text."""
    text = properties.get(key)
    return text if text and text.strip() else drawn


def task_name(task_spec: Any, drawn: str | None, language: str | None) -> str | None:
    """A task's name in `language`, from its spec's `name.<language>` property."""
    if not language or language == DEFAULT_LANGUAGE or task_spec is None:
        return drawn
    return translated(task_properties(task_spec), name_property(language), drawn)


def translate_field(field: FormField, language: str | None) -> FormField:
    """The field with its label and enum names in `language` (a copy; specs are shared)."""
    if not language or language == DEFAULT_LANGUAGE:
        return field
    props = field.properties
    return replace(
        field,
        label=translated(props, label_property(language), field.label),
        enum=[(vid, translated(props, value_property(vid, language), name))
              for vid, name in field.enum],
    )


def translate_form(form: Iterable[FormField], language: str | None) -> list[FormField]:
    """Every field of a form in `language`."""
    return [translate_field(f, language) for f in form]
