"""The language of an answer, from the request's `Accept-Language` (fr by default).

Task names and form labels are drawn in French and translated by the process
owner (`engine.camunda.translations`); a caller asks for its language the HTTP
way, and the answer says which one it got (`Content-Language`) and that it
depends on the header (`Vary`), so a cache never serves German to a French
reader. Webhooks carry no names, so they have no language.
"""

from __future__ import annotations

from flask import Response, g, request

from engine.camunda.translations import DEFAULT_LANGUAGE, LANGUAGES

#: the header as the OpenAPI document shows it on the operations that answer in a language
ACCEPT_LANGUAGE = {
    "in": "header", "name": "Accept-Language", "required": False,
    "schema": {"type": "string", "example": "de-CH, de;q=0.9"},
    "description": "fr (default), de or en: the language of task names, form labels and "
                   "enum names; the answer's Content-Language says which was used",
}


def answer_language() -> str:
    """The best of fr, de, en for the request (`de-CH` is de; anything else fr)."""
    language = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    g.answer_language = language
    return language


def say_language(response: Response) -> Response:
    """`Content-Language` on an answer whose texts were chosen by `answer_language`."""
    language = g.get("answer_language")
    if language:
        response.headers["Content-Language"] = language
        response.vary.add("Accept-Language")
    return response
