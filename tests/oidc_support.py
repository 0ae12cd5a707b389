"""A real OpenID provider for the tests, a browser stand-in for its forms, and a tampering proxy.

The provider is panva/oidc-provider (tests/oidc, installed by ``./dev test``) in a Node process
on 127.0.0.1. Its development login form accepts any login name and password; the consent form
is one button. The proxy sits between the app and the provider's token and userinfo endpoints,
so an ID token can be altered on the wire the way an attacker in the middle would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from joserfc.jwk import KeySet

from tests.conftest import PROJECT_ROOT, free_port

PROVIDER_DIR = PROJECT_ROOT / "tests" / "oidc"
CLIENT_ID = "klankbord"
CLIENT_SECRET = "klankbord-test-secret"
# Client-level tests never follow the redirect, so nothing needs to listen here.
TEST_REDIRECT_URI = "http://127.0.0.1:9/auth/oidc/callback"
# The in-process application's own callback (its base URL in the tests is http://testserver).
APP_REDIRECT_URI = "http://testserver/auth/oidc/callback"


class OIDCProvider:
    """oidc-provider in a Node process of its own; issuer ``http://127.0.0.1:<port>``."""

    def __init__(self, redirect_uris: list[str], log_dir: Path) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"
        self.redirect_uris = redirect_uris
        self.log_path = log_dir / f"oidc-provider-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        node = shutil.which("node")
        if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError(
                "The test OpenID provider is not installed: run ./dev test, "
                "or (cd tests/oidc && npm ci)"
            )
        env = {**os.environ, "OIDC_REDIRECT_URIS": ",".join(self.redirect_uris)}
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [node, "provider.mjs", str(self.port)],
            cwd=PROVIDER_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"OpenID provider exited: {self.log()}")
            try:
                if httpx.get(self.discovery_url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"OpenID provider did not start: {self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OIDCProvider]:
    """One provider per test module that imports this fixture."""
    provider = OIDCProvider([TEST_REDIRECT_URI, APP_REDIRECT_URI], tmp_path_factory.mktemp("oidc"))
    provider.start()
    yield provider
    provider.stop()


class _FormParser(HTMLParser):
    """The first form's action and hidden fields, and the links, of a provider page."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.links: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = attributes.get("action", "")
            self._in_form = True
        elif tag == "input" and self._in_form and attributes.get("type") == "hidden":
            self.fields[attributes.get("name", "")] = attributes.get("value", "")
        elif tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


async def sign_in_at_provider(
    authorization_url: str, login: str = "ada", *, deny: bool = False, max_steps: int = 12
) -> str:
    """Plays the browser at the provider: sign in as ``login`` and consent (or cancel).

    Returns the URL the provider redirects back to (the redirect_uri with code and state,
    or with error=access_denied when ``deny``) without requesting it. A fresh cookie jar each
    time, so every call is a new browser with no session at the provider.
    """
    provider = urlsplit(authorization_url)
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as browser:
        response = await browser.get(authorization_url)
        for _ in range(max_steps):
            if response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                parts = urlsplit(target)
                if (parts.scheme, parts.netloc) != (provider.scheme, provider.netloc):
                    return target
                response = await browser.get(target)
                continue
            if response.status_code != 200:
                raise AssertionError(f"provider answered {response.status_code}: {response.text}")
            page = _FormParser()
            page.feed(response.text)
            if page.action is None:
                raise AssertionError(f"no form on the provider's page: {response.text[:500]}")
            action = urljoin(str(response.url), page.action)
            prompt = page.fields.get("prompt")
            if prompt == "login":
                form = {**page.fields, "login": login, "password": "any password"}
            elif prompt == "consent" and deny:
                cancel = next(link for link in page.links if "/abort" in link)
                response = await browser.get(urljoin(str(response.url), cancel))
                continue
            elif prompt == "consent":
                form = page.fields
            else:
                raise AssertionError(f"unexpected provider prompt {prompt!r}")
            response = await browser.post(action, data=form)
    raise AssertionError("the provider never redirected back")


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tamper_id_token(id_token: str, mode: str, impersonate: str = "mallory@example.org") -> str:
    """The same ID token made to speak for ``impersonate``; see TamperingProxy for the modes."""
    header_segment, payload_segment, signature = id_token.split(".")
    claims = json.loads(_b64url_decode(payload_segment))
    claims.update(sub=impersonate, email=impersonate, email_verified=True, name=impersonate)
    payload = _b64url_encode(json.dumps(claims).encode())
    if mode == "claims":
        # Header and signature kept: only the signature check can notice.
        return f"{header_segment}.{payload}.{signature}"
    if mode == "alg_none":
        header = _b64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        return f"{header}.{payload}."
    if mode == "hs256_client_secret":
        # Signed with the secret the client itself knows: proves nothing about the provider.
        kid = json.loads(_b64url_decode(header_segment)).get("kid")
        header = _b64url_encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        signing_input = f"{header}.{payload}".encode()
        mac = hmac.new(CLIENT_SECRET.encode(), signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64url_encode(mac)}"
    raise ValueError(f"unknown tampering mode {mode}")


class TamperingProxy:
    """An HTTP forwarder on 127.0.0.1 in front of the provider, in a thread of the test process.

    Its discovery document is the provider's with the token, userinfo and JWKS endpoints
    pointing at the proxy (the issuer and the authorization endpoint stay the provider's), so
    the client's real back-channel requests pass through it; ``requests`` counts them by path.
    ``mode`` says what it changes:

    - None: nothing (a control: sign-in through the proxy works);
    - "claims": the ID token's sub/email/name made ``impersonate``'s, header and signature
      untouched;
    - "alg_none": the ID token unsigned (alg "none"), also advertised in discovery;
    - "hs256_client_secret": the ID token re-signed with HS256 and the client secret,
      also advertised in discovery;
    - "access_token": the access token beside the ID token swapped for another;
    - "userinfo_sub": the userinfo response's subject;
    - "userinfo_extra": userinfo also claims another iss, aud and nonce;
    - "discovery_issuer": discovery names another issuer than the one signing the tokens;
    - "no_issuer", "symmetric_only", "insecure_endpoint": discovery without an issuer, with
      only HS256 and "none" for ID tokens, or with a plain-HTTP token endpoint elsewhere;
    - "stale_jwks": the first JWKS answer holds other keys (as before a key rotation);
    - "foreign_jwks": every JWKS answer holds other keys.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.mode: str | None = None
        self.impersonate = "mallory@example.org"
        self.tampered = 0
        self.requests: Counter[str] = Counter()
        self._foreign_keys = KeySet.generate_key_set("RSA", 2048, count=1).as_dict(private=False)
        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.discovery_url = f"{self.url}/.well-known/openid-configuration"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def rewrite(self, path: str, body: bytes) -> bytes:
        """The response body the client gets for ``path``."""
        self.requests[path] += 1
        if path == "/.well-known/openid-configuration":
            document = json.loads(body)
            for endpoint in ("token_endpoint", "userinfo_endpoint", "jwks_uri"):
                document[endpoint] = f"{self.url}{urlsplit(document[endpoint]).path}"
            if self.mode == "alg_none":
                document["id_token_signing_alg_values_supported"] += ["none"]
            if self.mode == "hs256_client_secret":
                document["id_token_signing_alg_values_supported"] += ["HS256"]
            if self.mode == "discovery_issuer":
                document["issuer"] = "https://login.example.net/tenant/v2.0"
            if self.mode == "no_issuer":
                del document["issuer"]
            if self.mode == "symmetric_only":
                document["id_token_signing_alg_values_supported"] = ["HS256", "none"]
            if self.mode == "insecure_endpoint":
                document["token_endpoint"] = "http://login.example.net/token"
            return json.dumps(document).encode()
        if path == "/token" and self.mode in {"claims", "alg_none", "hs256_client_secret"}:
            token = json.loads(body)
            if "id_token" in token:
                token["id_token"] = tamper_id_token(token["id_token"], self.mode, self.impersonate)
                self.tampered += 1
            return json.dumps(token).encode()
        if path == "/token" and self.mode == "access_token":
            token = json.loads(body)
            token["access_token"] = "another-persons-access-token"
            self.tampered += 1
            return json.dumps(token).encode()
        if path == "/me" and self.mode == "userinfo_sub":
            userinfo = json.loads(body)
            userinfo["sub"] = "mallory"
            self.tampered += 1
            return json.dumps(userinfo).encode()
        if path == "/me" and self.mode == "userinfo_extra":
            userinfo = json.loads(body)
            userinfo.update(iss="https://login.example.net", aud="another-app", nonce="other")
            self.tampered += 1
            return json.dumps(userinfo).encode()
        if path == "/jwks" and (
            self.mode == "foreign_jwks" or (self.mode == "stale_jwks" and self.requests[path] == 1)
        ):
            self.tampered += 1
            return json.dumps(self._foreign_keys).encode()
        return body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the test output is not the place for request logs

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() not in {"host", "content-length", "connection"}
                }
                upstream = httpx.request(
                    self.command,
                    f"{proxy.upstream}{self.path}",
                    headers=headers,
                    content=body,
                    timeout=10,
                )
                content = proxy.rewrite(urlsplit(self.path).path, upstream.content)
                self.send_response(upstream.status_code)
                for name, value in upstream.headers.items():
                    if name.lower() not in {
                        "content-length",
                        "content-encoding",
                        "transfer-encoding",
                        "connection",
                        "etag",
                    }:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _forward

        return Handler


@pytest.fixture(scope="session")
def tampering_proxy(oidc_provider: OIDCProvider) -> Iterator[TamperingProxy]:
    proxy = TamperingProxy(oidc_provider.issuer)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def proxy(tampering_proxy: TamperingProxy) -> Iterator[TamperingProxy]:
    """The shared proxy, passing everything through unless the test sets ``mode``."""
    tampering_proxy.mode = None
    tampering_proxy.impersonate = "mallory@example.org"
    tampering_proxy.tampered = 0
    tampering_proxy.requests.clear()
    yield tampering_proxy
    tampering_proxy.mode = None
