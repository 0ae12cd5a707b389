"""After signing in, the browser returns to exactly the page it asked for."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.helpers import PASSWORD, csrf_from, make_account


async def test_the_page_asked_for_comes_back_encoded_once(client) -> None:
    await make_account("beheer@testdorp.example", is_admin=True)
    asked = "/admin/users?q=a%26b+c&page=1"
    refused = await client.get(asked)
    assert refused.status_code == 303
    target = parse_qs(urlsplit(refused.headers["location"]).query)["next"][0]
    assert target == asked
    form = await client.get(refused.headers["location"])
    signed_in = await client.post(
        "/sign-in",
        data={
            "_csrf": csrf_from(form.text),
            "username": "beheer@testdorp.example",
            "password": PASSWORD,
            "next": target,
        },
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == asked
    page = await client.get(signed_in.headers["location"])
    assert page.status_code == 200
    assert 'value="a&amp;b c"' in page.text  # the search as typed, not "a%26b"
