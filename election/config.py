"""Configuration from the environment, with secrets generated into instance/ on first start.

Nothing secret is ever hard-coded: SECRET_KEY and the Fernet key for personal data come
from the environment or are created once, with owner-only permissions, in the instance
folder and reused after that.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

DEFAULT_INSTANCE = Path.cwd() / "instance"


def instance_path() -> Path:
    """The folder that holds the SQLite file and generated keys."""
    path = Path(os.environ.get("JUXUAN_INSTANCE", DEFAULT_INSTANCE)).resolve()
    private_folder(path)
    return path


def private_folder(path: Path) -> None:
    """Create ``path`` owner-only (0700): the database, its -wal, keys, print jobs and
    auditor files inside are never readable by another account of the machine (issue 15)."""
    created = not path.exists()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if created:
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask


def _read_or_create(path: Path, make: Callable[[], str]) -> str:
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    value = make()
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


def secret_key(folder: Path) -> str:
    return os.environ.get("SECRET_KEY") or _read_or_create(
        folder / "secret_key", lambda: secrets.token_urlsafe(48)
    )


def data_key(folder: Path) -> str:
    """The Fernet key that encrypts ID numbers and private keys at rest."""
    return os.environ.get("JUXUAN_DATA_KEY") or _read_or_create(
        folder / "data.key", lambda: Fernet.generate_key().decode("ascii")
    )


def data_key_is_new(folder: Path) -> bool:
    """Whether ``data_key`` is about to create the key (no variable, no file yet)."""
    return not os.environ.get("JUXUAN_DATA_KEY") and not (folder / "data.key").exists()


def database_url(folder: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'juxuan.db'}"


def _number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {value!r}") from None


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


def load(overrides: dict | None = None) -> dict:
    """The app's configuration: environment first, then generated defaults, then overrides."""
    overrides = dict(overrides or {})
    folder = Path(overrides.pop("INSTANCE_PATH", None) or instance_path())
    private_folder(folder)
    new_key = "DATA_KEY" not in overrides and data_key_is_new(folder)
    config = {
        "INSTANCE_PATH": str(folder),
        "DATA_KEY_NEW": new_key,
        "DATABASE_URL": database_url(folder),
        "SECRET_KEY": secret_key(folder),
        "DATA_KEY": overrides.get("DATA_KEY") or data_key(folder),
        # The receipt-check address printed on stubs and the poster (election/address.py);
        # empty: the address the page was opened with (a warning says when that is loopback).
        "PUBLIC_BASE_URL": os.environ.get("JUXUAN_PUBLIC_URL", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh",
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        # Sessions (election/web/security.py): a polling day runs from about 7:00 to the
        # end of counting, so a login lasts at most 16 hours; a desk left alone for two
        # hours logs in again. Secure cookies are on when the public address is HTTPS.
        "SESSION_IDLE_MINUTES": _number("JUXUAN_SESSION_IDLE_MINUTES", 120),
        "SESSION_MAX_HOURS": _number("JUXUAN_SESSION_MAX_HOURS", 16),
        "SESSION_COOKIE_SECURE": _flag("JUXUAN_SECURE_COOKIES",
                                       os.environ.get("JUXUAN_PUBLIC_URL", "").startswith("https://")),
        # How many reverse proxies in front of the app to believe in X-Forwarded-For.
        "TRUSTED_PROXIES": int(_number("JUXUAN_TRUSTED_PROXIES", 0)),
    }
    config.update(overrides)
    return config
