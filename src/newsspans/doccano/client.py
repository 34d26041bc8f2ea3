"""A connection to a Doccano 1.8 server: login, bounded timeouts, retries with backoff.

Where the connection comes from: DOCCANO_URL, DOCCANO_USERNAME, DOCCANO_PASSWORD in the
environment, else the credentials file of the local server (`scripts/doccano-server`),
found through $NEWSSPANS_DOCCANO_HOME or `<root>/.doccano/credentials.env`.

Messages never contain a password or a token.
"""

import os
import time
from http.cookiejar import DefaultCookiePolicy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import requests

from newsspans.errors import DoccanoError
from newsspans.store.reading import decode_utf8, read_file

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 60
RETRIES = 3
BACKOFF = 0.25
# A POST that reached the server may have been carried out: resend it only when the
# server could not have started on it (connection refused, gateway errors).
_RETRY_ANY_METHOD = {502, 503, 504}
_IDEMPOTENT = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}


@dataclass
class Connection:
    url: str
    username: str
    password: str = field(repr=False)
    session: Optional[requests.Session] = field(default=None, repr=False)
    timeout: tuple = (CONNECT_TIMEOUT, READ_TIMEOUT)
    retries: int = RETRIES

    def __post_init__(self):
        self.url = self.url.rstrip("/")
        if self.session is None:
            self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json"})
        # Token authentication only: a session cookie would switch Django REST framework
        # to session authentication, which demands a CSRF token on every POST.
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self._token = None

    # Authentication --------------------------------------------------------------------
    def login(self):
        """Log in (once); a DoccanoError names the server and user, never the password."""
        if self._token:
            return self
        response = self._send("POST", "/v1/auth/login/", json={"username": self.username,
                                                              "password": self.password},
                              authenticated=False)
        if response.status_code in (400, 401, 403):
            raise DoccanoError(f"Doccano at {self.url} refused the login of user {self.username!r}: "
                               f"wrong user name or password")
        self._check(response, "POST", "/v1/auth/login/")
        try:
            self._token = response.json().get("key")
        except (ValueError, AttributeError):
            kind = response.headers.get("Content-Type") or "no content type"
            raise DoccanoError(f"{self.url} answered POST /v1/auth/login/ with {kind}, not JSON: "
                               f"is it a Doccano 1.8 server?") from None
        if not self._token:
            raise DoccanoError(f"Doccano at {self.url} answered the login without a token")
        return self

    # Requests ---------------------------------------------------------------------------
    def request(self, method, path, expect=(200, 201, 204), raw=False, **kwargs):
        """The decoded JSON answer (None when empty); the Response itself when `raw`."""
        self.login()
        response = self._send(method, path, **kwargs)
        self._check(response, method, path, expect)
        if raw:
            return response
        if response.status_code == 204 or not response.content:
            return None
        kind = response.headers.get("Content-Type", "")
        try:
            if "json" not in kind:
                raise ValueError(kind)
            return response.json()
        except ValueError:
            # Doccano answers unknown paths with its web page: the URL is not its API.
            raise DoccanoError(f"{self.url} answered {method} {path} with {kind or 'no content type'}, "
                               f"not JSON: is it a Doccano 1.8 server?") from None

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def paginate(self, path, params=None, page=500):
        """Every item of a paginated list (limit/offset)."""
        offset, items = 0, []
        while True:
            data = self.get(path, params={**(params or {}), "limit": page, "offset": offset})
            items.extend(data["results"])
            offset += len(data["results"])
            if not data.get("next") or not data["results"]:
                return items

    def _send(self, method, path, authenticated=True, **kwargs):
        url = self.url + path
        headers = dict(kwargs.pop("headers", {}))
        if authenticated and self._token:
            headers["Authorization"] = f"Token {self._token}"
        delay, last = BACKOFF, None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(delay)
                delay *= 2
            try:
                response = self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            except requests.exceptions.ConnectionError as exc:
                last = exc
                sent = not isinstance(exc, requests.exceptions.ConnectTimeout) and \
                    "refused" not in str(exc).lower() and "NewConnectionError" not in str(exc)
                if sent and method not in _IDEMPOTENT:
                    break
                continue
            except requests.exceptions.Timeout as exc:
                last = exc
                if method not in _IDEMPOTENT:
                    break
                continue
            except requests.exceptions.ChunkedEncodingError:
                raise DoccanoError(f"{method} {self.url}{path}: the connection broke while Doccano "
                                   f"was sending its answer; nothing was written, run it again") from None
            except requests.exceptions.RequestException as exc:
                raise DoccanoError(f"{method} {self.url}{path}: {type(exc).__name__}") from None
            if response.status_code >= 500 and (method in _IDEMPOTENT or response.status_code in _RETRY_ANY_METHOD) \
                    and attempt < self.retries:
                continue
            return response
        reason = _short_reason(last)
        raise DoccanoError(f"cannot reach Doccano at {self.url} ({method} {path}: {reason}); "
                           f"is the server running? (scripts/doccano-server status)")

    def _check(self, response, method, path, expect=(200, 201, 204)):
        if response.status_code in expect:
            return
        if response.status_code in (401, 403):
            raise DoccanoError(f"Doccano at {self.url} denied {method} {path} to user "
                               f"{self.username!r} (HTTP {response.status_code}): is it a project admin?")
        detail = response.text[:300].replace("\n", " ") if response.text else ""
        raise DoccanoError(f"Doccano at {self.url} answered {method} {path} with HTTP "
                           f"{response.status_code}: {detail}")


def _short_reason(exc):
    if exc is None:
        return "server error"
    text = str(exc)
    for marker in ("Connection refused", "timed out", "Connection aborted", "Connection reset",
                   "RemoteDisconnected", "Name or service not known"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _read_env_file(path: Path) -> dict:
    values = {}
    for line in decode_utf8(read_file(path), str(path)).splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip("'\"")
    return values


def credentials_file(root) -> Path:
    home = os.environ.get("NEWSSPANS_DOCCANO_HOME")
    return Path(home) / "credentials.env" if home else Path(root) / ".doccano" / "credentials.env"


def connect(root=".", url=None, username=None, password=None, session=None) -> Connection:
    """A Connection from the arguments, else the environment, else the local credentials."""
    url = url or os.environ.get("DOCCANO_URL")
    username = username or os.environ.get("DOCCANO_USERNAME")
    password = password or os.environ.get("DOCCANO_PASSWORD")
    if not (url and username and password):
        path = credentials_file(root)
        if not path.is_file():
            raise DoccanoError("no Doccano connection: set DOCCANO_URL, DOCCANO_USERNAME and "
                               f"DOCCANO_PASSWORD, or start the local server (scripts/doccano-server "
                               f"start), whose credentials would be in {path}")
        saved = _read_env_file(path)
        url = url or saved.get("DOCCANO_URL")
        username = username or saved.get("DOCCANO_USERNAME")
        password = password or saved.get("DOCCANO_PASSWORD")
        if not (url and username and password):
            raise DoccanoError(f"{path} lacks DOCCANO_URL, DOCCANO_USERNAME or DOCCANO_PASSWORD")
    return Connection(url, username, password, session=session)
