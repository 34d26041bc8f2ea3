"""A connection to a Doccano 1.8 server: login, bounded timeouts, retries with backoff.

Where the connection comes from: DOCCANO_URL, DOCCANO_USERNAME, DOCCANO_PASSWORD in the
environment, else the credentials file of the local server (`scripts/doccano-server`),
found through $NEWSSPANS_DOCCANO_HOME or `<root>/.doccano/credentials.env`.

The server is not trusted: a URL carrying `user:password@` is refused, no redirect is
followed (a login sent on to another host would carry the password with it), every answer
is bounded in size and time (`bounds`), a list ends when the server says it has no more
or at the count it announced, and error pages are summarised, never printed as sent.
Messages never contain a password or a token.
"""

import os
import time
from http.cookiejar import DefaultCookiePolicy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import orjson
import requests

from newsspans.doccano.records import check_list_item
from newsspans.doccano.bounds import Deadline, Limits, WatchedAdapter, read_body, summarise, too_slow
from newsspans.errors import DoccanoBusy, DoccanoError, DoccanoUnavailable
from newsspans.store.reading import decode_utf8, read_file, read_text

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
    limits: Limits = field(default_factory=Limits.from_env, repr=False)

    def __post_init__(self):
        self.url = check_url(self.url)
        if self.session is None:
            self.session = requests.Session()
        if not isinstance(self.session.get_adapter(self.url), WatchedAdapter):
            adapter = WatchedAdapter()
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
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
        path = "/v1/auth/login/"
        response = self._send("POST", path, json={"username": self.username, "password": self.password},
                              authenticated=False)
        if response.status_code in (400, 401, 403):
            raise DoccanoError(f"Doccano at {self.url} refused the login of user {self.username!r}: "
                               f"wrong user name or password")
        self._check(response, "POST", path)
        answer = self._json(response, "POST", path)
        token = answer.get("key") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token or not token.isprintable():
            raise DoccanoError(f"Doccano at {self.url} answered the login without a token")
        self._token = token
        return self

    # Requests ---------------------------------------------------------------------------
    def request(self, method, path, expect=(200, 201, 204), raw=False, limit=None, seconds=None, **kwargs):
        """The decoded JSON answer (None when empty); the Response itself when `raw`.

        The answer is read whole, up to `limit` bytes within `seconds` (the connection's
        limits for an answer by default)."""
        self.login()
        response = self._send(method, path, limit=limit, seconds=seconds, **kwargs)
        self._check(response, method, path, expect)
        if raw:
            return response
        if response.status_code == 204 or not response.content:
            return None
        return self._json(response, method, path)

    def _json(self, response, method, path):
        kind = response.headers.get("Content-Type", "")
        if "json" not in kind:
            # Doccano answers unknown paths with its web page: the URL is not its API.
            kind = summarise(kind.encode(), length=60) or "no content type"
            raise DoccanoError(f"{self.url} answered {method} {path} with {kind}, not JSON: "
                               f"is it a Doccano 1.8 server?")
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise DoccanoError(f"Doccano at {self.url} answered {method} {path} with invalid JSON "
                               f"({str(exc).split(':')[0]}); is it a Doccano 1.8 server?") from None

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def paginate(self, path, params=None, page=500):
        """Every item of a paginated list (limit/offset), each a JSON object with an id.

        The list ends when the server says so, and never goes past the count it announced
        or repeats an item: a `next` that never ends, or loops, is an error."""
        offset, items, seen, count = 0, [], set(), None
        for _ in range(self.limits.pages):
            data = self.get(path, params={**(params or {}), "limit": page, "offset": offset})
            where = f"Doccano at {self.url} answered GET {path} (offset {offset})"
            if not (isinstance(data, dict) and isinstance(data.get("results"), list)
                    and type(data.get("count")) is int and data["count"] >= 0):
                raise DoccanoError(f"{where} with something other than a page of a list "
                                   f"(an object with `count` and `results`)")
            count = data["count"] if count is None else count
            for index, item in enumerate(data["results"]):
                wrong = check_list_item(path, item)
                if wrong:
                    at = f"$.results[{index}]" + wrong[0].path[1:]
                    raise DoccanoError(f"{where} {at}: {wrong[0].message}; nothing was written")
                if item["id"] in seen:
                    raise DoccanoError(f"{where} with item {item['id']} a second time: the list loops; "
                                       f"nothing was written")
                seen.add(item["id"])
            items.extend(data["results"])
            if len(items) > count:
                raise DoccanoError(f"{where} with more than the {count} items it announced: the list "
                                   f"does not end; nothing was written")
            offset += len(data["results"])
            if not data.get("next") or not data["results"]:
                return items
        raise DoccanoError(f"Doccano at {self.url} answered GET {path} with more than "
                           f"{self.limits.pages} pages: the list does not end; nothing was written")

    def _send(self, method, path, authenticated=True, limit=None, seconds=None, **kwargs):
        url = self.url + path
        headers = dict(kwargs.pop("headers", {}))
        if authenticated and self._token:
            headers["Authorization"] = f"Token {self._token}"
        what = f"Doccano at {self.url}, {method} {path}"
        delay, last = BACKOFF, None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(delay)
                delay *= 2
            deadline = Deadline(seconds or self.limits.seconds)
            try:
                with deadline:
                    # No redirect is followed: requests would re-send a login's password to
                    # wherever the server points.
                    response = self.session.request(method, url, headers=headers, timeout=self.timeout,
                                                    allow_redirects=False, stream=True, **kwargs)
                    response._content = read_body(response, limit or self.limits.answer_bytes, deadline, what)
            except requests.exceptions.ConnectionError as exc:
                if deadline.expired:
                    raise too_slow(what, deadline) from None
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
                if deadline.expired:
                    raise too_slow(what, deadline) from None
                raise DoccanoError(f"{method} {self.url}{path}: the connection broke while Doccano "
                                   f"was sending its answer; nothing was written, run it again") from None
            except requests.exceptions.RequestException as exc:
                if deadline.expired:
                    raise too_slow(what, deadline) from None
                raise DoccanoError(f"{method} {self.url}{path}: {type(exc).__name__}") from None
            if response.status_code >= 500 and attempt < self.retries and \
                    (method in _IDEMPOTENT or response.status_code in _RETRY_ANY_METHOD or _rolled_back(response)):
                continue
            return response
        reason = _short_reason(last)
        raise DoccanoUnavailable(f"cannot reach Doccano at {self.url} ({method} {path}: {reason}); "
                                 f"is the server running? (scripts/doccano-server status)")

    def summary(self, body) -> str:
        """An excerpt of an answer that is safe to print: no password, token or markup."""
        return summarise(body if isinstance(body, bytes) else str(body).encode(), (self.password, self._token))

    def _check(self, response, method, path, expect=(200, 201, 204)):
        if response.status_code in expect:
            return
        if 300 <= response.status_code < 400:
            target = urlsplit(response.headers.get("Location", ""))
            elsewhere = f" to {target.scheme}://{target.hostname}" if target.hostname else ""
            raise DoccanoError(f"Doccano at {self.url} answered {method} {path} with a redirect "
                               f"(HTTP {response.status_code}{elsewhere}); not followed, nothing was sent "
                               f"on: set the URL of the server itself")
        if response.status_code in (401, 403):
            raise DoccanoError(f"Doccano at {self.url} denied {method} {path} to user "
                               f"{self.username!r} (HTTP {response.status_code}): is it a project admin?")
        detail = self.summary(response.content)
        error = DoccanoBusy if response.status_code >= 500 else DoccanoError
        raise error(f"Doccano at {self.url} answered {method} {path} with HTTP "
                    f"{response.status_code}" + (f": {detail}" if detail else ""))


def check_url(url) -> str:
    """`url` without a trailing slash; refused if it carries credentials, a query or a fragment.

    The message never repeats the URL: it may hold a password."""
    try:
        parts = urlsplit(str(url).strip())
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        raise DoccanoError("the Doccano URL cannot be parsed (expected http://host:port)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DoccanoError("the Doccano URL must start with http:// or https:// and name a host")
    if "@" in parts.netloc:
        raise DoccanoError(f"the Doccano URL carries a user name or password ({parts.scheme}://***@"
                           f"{parts.netloc.rsplit('@', 1)[1]}): refused, so it cannot reach a log or a "
                           f"file; set DOCCANO_USERNAME and DOCCANO_PASSWORD instead")
    if parts.query or parts.fragment:
        raise DoccanoError(f"the Doccano URL {parts.scheme}://{parts.netloc}{parts.path} must not carry "
                           f"a query or fragment (it is recorded in provenance): refused")
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


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


# Where scripts/doccano-server remembers the state folder of its last `start --state DIR`.
REMEMBERED = ".doccano/state-folder"


def _rolled_back(response) -> bool:
    """A server error that says the database refused the write (SQLite's lock): nothing was
    written, so even a POST may be sent again."""
    return b"database is locked" in (response.content or b"")[:65536]


def doccano_home(root) -> Path:
    """The local Doccano state folder: $NEWSSPANS_DOCCANO_HOME, else the folder the last
    `scripts/doccano-server start --state DIR` remembered, else <root>/.doccano."""
    chosen = os.environ.get("NEWSSPANS_DOCCANO_HOME")
    if chosen:
        return Path(chosen)
    remembered = read_text(root, REMEMBERED, default="").strip()
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    return Path(root) / ".doccano"


def credentials_file(root) -> Path:
    return doccano_home(root) / "credentials.env"


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
