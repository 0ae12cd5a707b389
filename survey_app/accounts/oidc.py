"""OpenID Connect sign-in against the organisation's identity provider (e.g. Microsoft Entra ID).

The authorization code flow with state, nonce and S256 PKCE. The code is exchanged by authlib's
httpx client; the ID token is verified with joserfc (which authlib itself uses) against the
provider's published keys, and only its verified claims come back. Tokens are never logged.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from survey_app.core.hashing import new_token

with warnings.catch_warnings():
    # authlib 1.9 announces a move to the httpx2 package; httpx is the one Litestar and
    # this project use, so the notice would only reach every command's output.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

OIDC_ERROR_CODES = frozenset(
    {
        "discovery",
        "state_mismatch",
        "provider_error",
        "token_exchange",
        "invalid_id_token",
        "nonce_mismatch",
    }
)

# Asymmetric algorithms only: "none" carries no signature and HS* would be verified with the
# client secret, which is not the provider's alone.
ALLOWED_ID_TOKEN_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
CLOCK_LEEWAY_SECONDS = 60
_DETAIL_LIMIT = 200


class OIDCError(Exception):
    """A sign-in that must not succeed; ``code`` says which step refused it."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in OIDC_ERROR_CODES:
            raise ValueError(f"unknown OIDC error code: {code}")
        self.code = code
        self.detail = detail[:_DETAIL_LIMIT]
        super().__init__(f"{code}: {self.detail}" if self.detail else code)


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser's session keeps between ``begin`` and ``finish``."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> PendingSignIn | None:
        """The pending sign-in, or None when the stored value does not hold one.

        Other keys are ignored: the caller may keep more in the same session entry.
        """
        if not isinstance(data, Mapping):
            return None
        values = [data.get(field.name) for field in fields(cls)]
        if not all(isinstance(value, str) and value for value in values):
            return None
        return cls(*values)


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _require_url(metadata: Mapping[str, Any], name: str) -> str:
    """An endpoint from the discovery document; plain HTTP only on this machine (tests)."""
    value = metadata.get(name)
    if not isinstance(value, str):
        raise OIDCError("discovery", f"discovery document lacks {name}")
    parts = urlsplit(value)
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
        raise OIDCError("discovery", f"{name} is not an https URL")
    return value


class OIDCClient:
    """One configured relying party; caches the provider's discovery document and keys."""

    def __init__(
        self,
        discovery_url: str,
        client_id: str,
        client_secret: str,
        scopes: str = "openid email profile",
        timeout: float = 10.0,
    ) -> None:
        self.discovery_url = discovery_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes if "openid" in scopes.split() else f"openid {scopes}".strip()
        self.timeout = timeout
        # The clock for exp/iat; tests move it instead of waiting an hour.
        self.clock: Callable[[], float] = time.time
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    async def begin(self, redirect_uri: str) -> tuple[str, PendingSignIn]:
        """The provider's authorization URL and what to keep until the browser comes back."""
        metadata = await self.metadata()
        pending = PendingSignIn(
            state=new_token(32),
            nonce=new_token(32),
            # RFC 7636: 43 to 128 characters; 64 random bytes give 86.
            code_verifier=new_token(64),
            redirect_uri=redirect_uri,
        )
        async with self._oauth_client(metadata) as oauth:
            url, _ = oauth.create_authorization_url(
                metadata["authorization_endpoint"],
                state=pending.state,
                code_verifier=pending.code_verifier,
                nonce=pending.nonce,
                redirect_uri=redirect_uri,
                response_type="code",
            )
        return url, pending

    async def finish(self, pending: PendingSignIn, params: Mapping[str, str]) -> dict[str, Any]:
        """Verified ID-token claims for the callback ``params``, or an OIDCError."""
        metadata = await self.metadata()
        state = params.get("state")
        if not isinstance(state, str) or not hmac.compare_digest(
            state.encode(), pending.state.encode()
        ):
            raise OIDCError("state_mismatch", "the callback's state is not this sign-in's")
        if params.get("error"):
            description = params.get("error_description") or ""
            raise OIDCError("provider_error", f"{params['error']} {description}".strip())
        issuer_param = params.get("iss")
        if issuer_param is not None and issuer_param != metadata["issuer"]:
            # RFC 9207: a response from another provider (mix-up attack).
            raise OIDCError("provider_error", "the callback comes from another issuer")
        code = params.get("code")
        if not code:
            raise OIDCError("provider_error", "the callback has no authorization code")

        token = await self.exchange_code(pending, code)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OIDCError("token_exchange", "the token response has no ID token")
        access_token = token.get("access_token")
        claims = await self.verify_id_token(id_token, pending, access_token)
        if not (claims.get("email") and claims.get("name")):
            claims = await self._with_userinfo(metadata, claims, access_token)
        return claims

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, fetched once per client."""
        if self._metadata is None:
            document = await self._get_json(self.discovery_url, "discovery")
            if not isinstance(document.get("issuer"), str) or not document["issuer"]:
                raise OIDCError("discovery", "discovery document lacks issuer")
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                _require_url(document, name)
            if document.get("userinfo_endpoint") is not None:
                _require_url(document, "userinfo_endpoint")
            self._id_token_algorithms(document)  # refuse an unusable provider before sign-in
            self._metadata = document
        return self._metadata

    def _id_token_algorithms(self, metadata: Mapping[str, Any]) -> list[str]:
        advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        allowed = [alg for alg in ALLOWED_ID_TOKEN_ALGORITHMS if alg in advertised]
        if not allowed:
            raise OIDCError("discovery", "the provider signs ID tokens with no allowed algorithm")
        return allowed

    def _token_endpoint_auth_method(self, metadata: Mapping[str, Any]) -> str:
        # The discovery default is client_secret_basic (OpenID Connect Discovery 1.0, §3).
        supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        for method in ("client_secret_basic", "client_secret_post"):
            if method in supported:
                return method
        raise OIDCError("discovery", "the provider accepts no client-secret authentication")

    def _oauth_client(self, metadata: Mapping[str, Any]) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint_auth_method=self._token_endpoint_auth_method(metadata),
            scope=self.scopes,
            code_challenge_method="S256",
            timeout=self.timeout,
            follow_redirects=False,
        )

    async def exchange_code(self, pending: PendingSignIn, code: str) -> Mapping[str, Any]:
        """The token endpoint's response for ``code``, proving possession of the verifier."""
        metadata = await self.metadata()
        try:
            async with self._oauth_client(metadata) as oauth:
                token = await oauth.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    redirect_uri=pending.redirect_uri,
                    code_verifier=pending.code_verifier,
                )
        except AuthlibBaseError as error:
            raise OIDCError("token_exchange", f"the provider refused: {error.error}") from None
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            raise OIDCError("token_exchange", f"token endpoint answered HTTP {status}") from None
        except (httpx.HTTPError, ValueError) as error:
            raise OIDCError("token_exchange", type(error).__name__) from None
        return token

    async def verify_id_token(
        self, id_token: str, pending: PendingSignIn, access_token: object = None
    ) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, times and nonce hold."""
        metadata = await self.metadata()
        algorithms = self._id_token_algorithms(metadata)
        # Header parameters beyond the registered ones (Entra ID's x5t…) do not weaken the check.
        registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(metadata), registry=registry)
            except InvalidKeyIdError:
                # The provider may have rotated its keys since they were cached.
                keys = await self._key_set(metadata, refresh=True)
                decoded = jwt.decode(id_token, keys, registry=registry)
        except (JoseError, ValueError, TypeError) as error:
            raise OIDCError("invalid_id_token", f"signature: {type(error).__name__}") from None

        nonce = decoded.claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(
            nonce.encode(), pending.nonce.encode()
        ):
            raise OIDCError("nonce_mismatch", "the ID token was not issued for this sign-in")

        id_claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={
                "iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": self.client_id},
                "sub": {"essential": True},
            },
            params={
                "client_id": self.client_id,
                "nonce": pending.nonce,
                **({"access_token": access_token} if isinstance(access_token, str) else {}),
            },
        )
        try:
            id_claims.validate(now=int(self.clock()), leeway=CLOCK_LEEWAY_SECONDS)
        except (JoseError, ValueError, TypeError) as error:
            raise OIDCError("invalid_id_token", f"claims: {error}") from None
        return dict(decoded.claims)

    async def _key_set(self, metadata: Mapping[str, Any], *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            document = await self._get_json(metadata["jwks_uri"], "discovery")
            try:
                self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as error:
                raise OIDCError("discovery", f"unusable JWKS: {type(error).__name__}") from None
        return self._keys

    async def _with_userinfo(
        self, metadata: Mapping[str, Any], claims: dict[str, Any], access_token: object
    ) -> dict[str, Any]:
        """Adds name and email from the userinfo endpoint; the ID token's own claims win."""
        endpoint = metadata.get("userinfo_endpoint")
        if not endpoint or not isinstance(access_token, str):
            return claims
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as http:
            try:
                response = await http.get(
                    endpoint, headers={"Authorization": f"Bearer {access_token}"}
                )
                response.raise_for_status()
                userinfo = response.json()
            except (httpx.HTTPError, ValueError) as error:
                raise OIDCError("token_exchange", f"userinfo: {type(error).__name__}") from None
        if not isinstance(userinfo, dict):
            raise OIDCError("token_exchange", "userinfo is not a JSON object")
        # OpenID Connect Core §5.3.2: a different subject means the response is not this user's.
        if userinfo.get("sub") != claims["sub"]:
            raise OIDCError("invalid_id_token", "userinfo is about another subject")
        return {**userinfo, **claims}

    async def _get_json(self, url: str, code: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as http:
                response = await http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except httpx.HTTPStatusError as error:
            raise OIDCError(code, f"{url} answered HTTP {error.response.status_code}") from None
        except (httpx.HTTPError, ValueError) as error:
            raise OIDCError(code, f"{url}: {type(error).__name__}") from None
        if not isinstance(document, dict):
            raise OIDCError(code, f"{url} did not return a JSON object")
        return document
