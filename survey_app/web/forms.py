"""Reading posted forms the same way everywhere."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from litestar import Request
from litestar.enums import RequestEncodingType

FormValues = dict[str, list[str]]

_SURROGATES = re.compile("[\ud800-\udfff]")


async def form_values(request: Request) -> FormValues:
    """The posted fields. In a urlencoded form, bytes that are not UTF-8 become lone
    surrogates, which answer validation refuses (``invalid_text``, ``not_a_number``): the
    respondent gets the field's error instead of a silently stored U+FFFD."""
    values: FormValues = {}
    if request.content_type[0] == RequestEncodingType.URL_ENCODED:
        body = (await request.body()).decode("utf-8", "surrogateescape")
        for key, value in parse_qsl(body, encoding="utf-8", errors="surrogateescape"):
            values.setdefault(key, []).append(value)
        return values
    form = await request.form()
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def displayable(values: FormValues) -> FormValues:
    """Values to show in the form again: lone surrogates cannot be encoded as UTF-8."""
    return {
        key: [_SURROGATES.sub("\ufffd", value) for value in items] for key, items in values.items()
    }


def first(values: FormValues, key: str, limit: int = 1000) -> str:
    """The first value of a field, cut to ``limit`` characters ("" when absent)."""
    return (values.get(key) or [""])[0][:limit]
