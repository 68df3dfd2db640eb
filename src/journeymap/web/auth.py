"""Who is asking, and may they: passwords, sessions, API tokens, CSRF and roles.

* Passwords are hashed with argon2 (argon2-cffi). Sign-in links, API tokens and share
  links are random 256-bit secrets; only their SHA-256 is stored, so a copy of the
  database signs nobody in.
* A browser session is a signed cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS)
  holding the user id and a CSRF token. Every request that changes something and
  arrives with the cookie must carry that token, as the ``csrf_token`` form field or
  the ``X-CSRF-Token`` header (htmx sends the header).
* Scripts send ``Authorization: Bearer TOKEN``; such requests carry no ambient
  credential, so they need no CSRF token.
* Every route but the sign-in pages, share links and static files depends on
  :func:`signed_in`; the test suite enumerates the routes to prove it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlalchemy import select

from journeymap.web.db import ROLES, ApiToken, SigninLink, User, utcnow

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.orm import Session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_HASHER = PasswordHasher()
# verified against when the user does not exist, so a wrong name costs the same time
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class NotSignedInError(Exception):
    """No valid session or token: 401 (the sign-in page for a browser)."""


class ForbiddenError(Exception):
    """Signed in, but the role or the CSRF token does not allow this: 403."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(user: User | None, password: str) -> bool:
    stored = user.password_hash if user is not None else None
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None."""
    if len(password) < 10:
        return "use at least 10 characters"
    if len(password) > 256:
        return "use at most 256 characters"
    return None


def authenticate(db: Session, username: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.username == username))
    if not check_password(user, password) or user is None or not user.active:
        return None
    return user


def create_signin_link(db: Session, user: User, *, ttl_s: int) -> str:
    """A one-time sign-in secret for ``user`` (stored hashed); returns the secret."""
    secret = new_secret()
    db.add(
        SigninLink(
            user_id=user.id,
            token_hash=digest(secret),
            expires_at=utcnow() + dt.timedelta(seconds=ttl_s),
        )
    )
    return secret


def use_signin_link(db: Session, secret: str) -> User | None:
    link = db.scalar(select(SigninLink).where(SigninLink.token_hash == digest(secret)))
    if link is None or link.used_at is not None or link.expires_at < utcnow():
        return None
    link.used_at = utcnow()
    user = db.get(User, link.user_id)
    return user if user is not None and user.active else None


def create_api_token(db: Session, user: User, name: str) -> str:
    secret = "jm_" + new_secret()
    db.add(ApiToken(user_id=user.id, name=name, token_hash=digest(secret)))
    return secret


def _token_user(db: Session, header: str) -> User | None:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    token = db.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(secret.strip()))
    )
    if token is None or token.revoked:
        return None
    user = db.get(User, token.user_id)
    return user if user is not None and user.active else None


def session_stamp(user: User | None) -> str:
    """Changes whenever the user's password does: a session carries the stamp it was
    started with, so setting a new password signs out every other session."""
    secret = "" if user is None else (user.password_hash or f"link:{user.id}")
    return digest(secret)[:16]


class SigninThrottle:
    """At most ``limit`` failed sign-ins per (address, name) in ``window_s``; then
    that pair must wait (argon2 already makes each guess slow)."""

    def __init__(self, *, limit: int = 5, window_s: float = 900.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, address: str, username: str) -> bool:
        with self._lock:
            return len(self._recent(address, username)) >= self.limit

    def failed(self, address: str, username: str) -> None:
        with self._lock:
            self._recent(address, username).append(time.monotonic())

    def succeeded(self, address: str, username: str) -> None:
        with self._lock:
            self._failures.pop((address, username), None)

    def _recent(self, address: str, username: str) -> list[float]:
        now = time.monotonic()
        kept = [
            t
            for t in self._failures.get((address, username), [])
            if now - t < self.window_s
        ]
        self._failures[(address, username)] = kept
        return kept


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use, also before sign-in)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def _check_csrf(request: Request) -> None:
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            value = (await request.form()).get("csrf_token")
            given = value if isinstance(value, str) else None
    if not (
        isinstance(expected, str)
        and given
        and hmac.compare_digest(expected.encode(), given.encode())
    ):
        raise ForbiddenError("the form has expired or did not come from this site")


def db_session(request: Request) -> Session:
    """The request's database session (closed by the app's middleware)."""
    session: Session | None = getattr(request.state, "db", None)
    if session is None:
        session = request.app.state.web.sessions()
        request.state.db = session
    return session


def identified(request: Request) -> User:
    """Who sent the request, by bearer token or session cookie (401 if nobody).

    A plain function, so FastAPI runs it in its thread pool: database calls never
    block the event loop. The connection goes back to the pool at once, so a slow
    page never holds one while it renders (a later write takes a new one)."""
    db = db_session(request)
    try:
        header = request.headers.get("authorization")
        if header:
            user = _token_user(db, header)
            request.state.by_token = True
        else:
            user_id = request.session.get("uid")
            found = db.get(User, user_id) if isinstance(user_id, int) else None
            valid = found is not None and found.active
            # a new password (or none yet, for a link sign-in) ends other sessions
            if valid and request.session.get("stamp") != session_stamp(found):
                valid = False
            user = found if valid else None
            request.state.by_token = False
    finally:
        db.close()
    if user is None:
        raise NotSignedInError()
    request.state.user = user
    return user


async def signed_in(request: Request, user: User = Depends(identified)) -> User:
    """The signed-in user; a cookie-authenticated request that changes something must
    also carry the CSRF token."""
    if not request.state.by_token and request.method not in SAFE_METHODS:
        await _check_csrf(request)
    return user


def role_at_least(user: User, role: str) -> bool:
    return ROLES.index(user.role) >= ROLES.index(role)


def require(role: str) -> Callable[..., Awaitable[User]]:
    """A dependency: the signed-in user, who must hold ``role`` or a higher one."""

    async def dependency(user: User = Depends(signed_in)) -> User:
        if not role_at_least(user, role):
            raise ForbiddenError(f"this needs the {role} role (you are {user.role})")
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


async def public_csrf(request: Request) -> None:
    """CSRF for the public forms (sign-in): the session cookie exists before sign-in."""
    await _check_csrf(request)


def user_dict(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role}
