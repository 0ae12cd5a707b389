"""Settings read once from environment variables, with safe defaults."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from survey_app.core.files import private_directory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Where templates/ and static/ are: the source tree, or for an installed package (the
# Docker image) the folder named by KLANKBORD_SITE_DIR.
SITE_DIR = Path(os.environ.get("KLANKBORD_SITE_DIR", "") or PROJECT_ROOT).resolve()
SUPPORTED_LANGUAGES = ("nl", "en")


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def _secret_key(var_dir: Path) -> str:
    """The configured key, or one generated once and kept under var/.

    Every worker process must sign and encrypt cookies with the same key, so a generated
    key is written to a file that all workers read.
    """
    configured = os.environ.get("SECRET_KEY", "").strip()
    if configured:
        return configured
    path = var_dir / "secret_key"
    private_directory(var_dir)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker may be writing it right now.
        for _attempt in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it or set SECRET_KEY") from None
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_hex(32)
        handle.write(key)
    return key


def _group_size(variable: str, default: int = 5) -> int:
    """A minimum group size of the anonymity gate; below 3 is refused, never rounded up."""
    value = os.environ.get(variable, "").strip() or str(default)
    if not value.isdigit() or int(value) < 3:
        raise ValueError(f"{variable} must be a whole number of at least 3, not {value!r}")
    return int(value)


def _positive(variable: str, default: int) -> int:
    value = os.environ.get(variable, "").strip() or str(default)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{variable} must be a whole number of at least 1, not {value!r}")
    return int(value)


def trusted_proxies_from_env() -> tuple[str, ...]:
    """``KLANKBORD_TRUSTED_PROXIES``: addresses or networks (``10.0.0.5``, ``10.0.0.0/24``)
    of reverse proxies whose ``X-Forwarded-For`` names the visitor. None by default: then
    every visitor is the address that connected, and the header is ignored (anyone could
    send it)."""
    import ipaddress

    entries = tuple(
        entry.strip()
        for entry in os.environ.get("KLANKBORD_TRUSTED_PROXIES", "").split(",")
        if entry.strip()
    )
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as error:
            raise ValueError(
                f"KLANKBORD_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from error
    return entries


def theme_css_from_env() -> Path | None:
    """``KLANKBORD_THEME_CSS``: the design tokens file of the organisation's house style
    (served as ``/theme.css``); None for the neutral theme that ships with Klankbord. A path
    that is not a readable file is refused at start, not on the first page."""
    configured = os.environ.get("KLANKBORD_THEME_CSS", "").strip()
    if not configured:
        return None
    path = Path(configured).expanduser().resolve()
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ValueError(f"KLANKBORD_THEME_CSS: {configured!r} is not a readable file")
    return path


def theme_class_from_env() -> str:
    """``KLANKBORD_THEME_CLASS``: the class a tokens file sets its properties on (published
    NL Design System themes use one, e.g. ``utrecht-theme``), put on every page's ``<html>``."""
    configured = os.environ.get("KLANKBORD_THEME_CLASS", "").strip()
    if configured and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", configured):
        raise ValueError(f"KLANKBORD_THEME_CLASS: {configured!r} is not a CSS class name")
    return configured


SMTP_TLS_MODES = ("starttls", "tls", "none")
_SMTP_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def smtp_from_env() -> dict[str, object]:
    """The ``KLANKBORD_SMTP_*`` and ``KLANKBORD_MAIL_*`` settings (mail is off without a host)."""
    tls = os.environ.get("KLANKBORD_SMTP_TLS", "").strip().lower() or "starttls"
    if tls not in SMTP_TLS_MODES:
        raise ValueError(f"KLANKBORD_SMTP_TLS must be one of {SMTP_TLS_MODES}, not {tls!r}")
    port = os.environ.get("KLANKBORD_SMTP_PORT", "").strip()
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        raise ValueError(f"KLANKBORD_SMTP_PORT must be a port number, not {port!r}")
    poll = os.environ.get("KLANKBORD_MAIL_POLL_SECONDS", "").strip() or "30"
    if not poll.isdigit():
        raise ValueError(f"KLANKBORD_MAIL_POLL_SECONDS must be a whole number, not {poll!r}")
    return {
        "smtp_host": os.environ.get("KLANKBORD_SMTP_HOST", "").strip(),
        "smtp_port": int(port) if port else _SMTP_DEFAULT_PORTS[tls],
        "smtp_user": os.environ.get("KLANKBORD_SMTP_USER", "").strip(),
        "smtp_password": os.environ.get("KLANKBORD_SMTP_PASSWORD", ""),
        "smtp_tls": tls,
        "mail_from": os.environ.get("KLANKBORD_MAIL_FROM", "").strip(),
        "mail_poll_seconds": int(poll),
        "mail_lease_seconds": _positive("KLANKBORD_MAIL_LEASE_SECONDS", 600),
    }


_PERIOD = re.compile(r"([0-9]{1,5})([ymd])")
_PERIOD_DAYS = {"y": 365, "m": 30, "d": 1}


def parse_period(text: str) -> dt.timedelta:
    """A period written ``<n>y``, ``<n>m`` or ``<n>d`` (a year 365 days, a month 30 days),
    e.g. ``2y``, ``18m``, ``90d``; ValueError naming the accepted form otherwise."""
    match = _PERIOD.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) < 1:
        raise ValueError(
            f"A period is a whole number of at least 1 followed by y (years), m (months) or "
            f"d (days), e.g. 2y, 18m or 90d; not {text!r}"
        )
    return dt.timedelta(days=int(match.group(1)) * _PERIOD_DAYS[match.group(2)])


def quickscan_retention_from_env() -> dt.timedelta:
    """``KLANKBORD_QUICKSCAN_RETENTION``: how long a Quick Scan conversation is kept after
    its last change (default 2y)."""
    value = os.environ.get("KLANKBORD_QUICKSCAN_RETENTION", "").strip() or "2y"
    try:
        return parse_period(value)
    except ValueError as error:
        raise ValueError(f"KLANKBORD_QUICKSCAN_RETENTION: {error}") from None


def var_dir_from_env() -> Path:
    return Path(os.environ.get("KLANKBORD_VAR_DIR", PROJECT_ROOT / "var")).resolve()


def database_url_from_env(var_dir: Path | None = None) -> str:
    """``DATABASE_URL``, or an SQLite file under ``var/``."""
    configured = os.environ.get("DATABASE_URL", "").strip()
    if configured:
        return configured
    return f"sqlite:///{(var_dir or var_dir_from_env()) / 'klankbord.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """Everything the application can be configured with."""

    database_url: str
    secret_key: str
    var_dir: Path
    base_url: str = "http://127.0.0.1:8000"
    default_language: str = "nl"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    min_group_size: int = 5
    min_comment_group_size: int = 5
    # Breakdowns by what people said about themselves (DIG): a category is shown only with
    # at least this many respondents, in a unit and in the organisation.
    min_demographic_group_size: int = 10
    debug: bool = False
    https: bool = False
    max_request_body: int = 256 * 1024
    session_idle_minutes: int = 30
    session_absolute_hours: int = 10
    # OpenID Connect: sign-in through the organisation's identity provider when set.
    oidc_discovery_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # The ID-token claim matched to an employee: "email" or "employee_number" (any claim
    # name holding the employee number, e.g. "employeeid").
    oidc_employee_claim: str = "email"
    oidc_button_label: str = ""
    # Match e-mail addresses the provider does not mark verified (Entra ID sends no
    # email_verified claim; only when the tenant assigns every address).
    oidc_trust_email: bool = False
    # Local accounts (user name and password) can be switched off once SSO works.
    local_sign_in: bool = True
    # The house style: a design tokens file (None: the neutral theme in static/css/) and the
    # class its properties are set on.
    theme_css: Path | None = None
    theme_class: str = ""
    # E-mail (invitations and reminders): off until a server and a sender are set.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_tls: str = "starttls"  # starttls, tls or none
    mail_from: str = ""
    # How often the running server looks for queued mail (0: never; the CLI still sends).
    mail_poll_seconds: int = 30
    # How long a sender's claim on a batch lasts: after a crash, its unsent messages are
    # taken up again once the lease has ended.
    mail_lease_seconds: int = 600
    # How a respondent who experienced undesirable behaviour reaches the confidential
    # adviser (free text: name, phone, e-mail); empty: a sentence pointing to the intranet.
    confidential_adviser: str = ""
    # Quick Scan conversations are deleted this long after their last change.
    quickscan_retention: dt.timedelta = dt.timedelta(days=2 * 365)

    @property
    def session_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.session_idle_minutes)

    @property
    def session_absolute(self) -> dt.timedelta:
        return dt.timedelta(hours=self.session_absolute_hours)

    @property
    def mail_configured(self) -> bool:
        return bool(self.smtp_host and self.mail_from)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_discovery_url and self.oidc_client_id)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        var_dir = var_dir_from_env()
        database_url = database_url_from_env(var_dir)
        language = os.environ.get("KLANKBORD_LANGUAGE", "nl")
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"KLANKBORD_LANGUAGE must be one of {SUPPORTED_LANGUAGES}")
        values: dict[str, object] = {
            "database_url": database_url,
            # An overridden key (tests, benchmarks) leaves var/secret_key alone.
            "secret_key": overrides.get("secret_key") or _secret_key(var_dir),
            "var_dir": var_dir,
            "base_url": os.environ.get("KLANKBORD_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            "default_language": language,
            "timezone": ZoneInfo(os.environ.get("KLANKBORD_TIMEZONE", "Europe/Amsterdam")),
            "min_group_size": _group_size("KLANKBORD_MIN_GROUP_SIZE"),
            "min_comment_group_size": _group_size("KLANKBORD_MIN_COMMENT_GROUP_SIZE"),
            "min_demographic_group_size": _group_size(
                "KLANKBORD_MIN_DEMOGRAPHIC_GROUP_SIZE", default=10
            ),
            "debug": _bool(os.environ.get("KLANKBORD_DEBUG", "")),
            "https": os.environ.get("KLANKBORD_BASE_URL", "").startswith("https://"),
            "session_idle_minutes": _positive("KLANKBORD_SESSION_IDLE_MINUTES", 30),
            "session_absolute_hours": _positive("KLANKBORD_SESSION_ABSOLUTE_HOURS", 10),
            "oidc_discovery_url": os.environ.get("KLANKBORD_OIDC_DISCOVERY_URL", "").strip(),
            "oidc_client_id": os.environ.get("KLANKBORD_OIDC_CLIENT_ID", "").strip(),
            "oidc_client_secret": os.environ.get("KLANKBORD_OIDC_CLIENT_SECRET", "").strip(),
            "oidc_employee_claim": os.environ.get("KLANKBORD_OIDC_EMPLOYEE_CLAIM", "email").strip(),
            "oidc_button_label": os.environ.get("KLANKBORD_OIDC_BUTTON_LABEL", "").strip(),
            "oidc_trust_email": _bool(os.environ.get("KLANKBORD_OIDC_TRUST_EMAIL", "")),
            "local_sign_in": _bool(os.environ.get("KLANKBORD_LOCAL_SIGN_IN", "yes")),
            "theme_css": theme_css_from_env(),
            "theme_class": theme_class_from_env(),
            "confidential_adviser": os.environ.get("KLANKBORD_CONFIDENTIAL_ADVISER", "").strip(),
            "quickscan_retention": quickscan_retention_from_env(),
            **smtp_from_env(),
        }
        if (
            "min_demographic_group_size" not in overrides
            and not os.environ.get("KLANKBORD_MIN_DEMOGRAPHIC_GROUP_SIZE", "").strip()
        ):
            # Unset, it follows a group minimum raised above its default.
            values["min_demographic_group_size"] = max(
                10,
                int(overrides.get("min_group_size", values["min_group_size"])),  # type: ignore[call-overload]
            )
        values.update(overrides)
        if values["min_comment_group_size"] < values["min_group_size"]:  # type: ignore[operator]
            raise ValueError(
                "KLANKBORD_MIN_COMMENT_GROUP_SIZE must not be below KLANKBORD_MIN_GROUP_SIZE"
            )
        if values["min_demographic_group_size"] < values["min_group_size"]:  # type: ignore[operator]
            raise ValueError(
                "KLANKBORD_MIN_DEMOGRAPHIC_GROUP_SIZE must not be below KLANKBORD_MIN_GROUP_SIZE"
            )
        return cls(**values)  # type: ignore[arg-type]
