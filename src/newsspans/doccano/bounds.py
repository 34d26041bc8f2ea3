"""What a Doccano server may send: bounded in bytes and in time, summarised when refused.

A read timeout bounds the wait for each packet, not the answer: a server that drips one
byte a second, or streams without end, would hold a pull forever. Every request therefore
runs under a deadline for the whole answer (status line, headers and body), enforced by
shutting the socket down when it passes, and every body is read in chunks up to a byte
limit. The limits can be raised through the environment for a very large project.
"""

import html
import os
import re
import socket
import threading
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from newsspans.errors import DoccanoError

MIB = 1 << 20
_CHUNK = 64 * 1024


@dataclass
class Limits:
    """Caps on one answer (`answer_bytes`), the export zip (`download_bytes`), what it unpacks
    to (`unpacked_bytes`, `members`), a list (`pages`), and time per answer (`seconds`)."""

    answer_bytes: int = 256 * MIB
    download_bytes: int = 1024 * MIB
    unpacked_bytes: int = 4096 * MIB
    members: int = 10_000
    pages: int = 100_000
    seconds: float = 300.0
    download_seconds: float = 1800.0

    @classmethod
    def from_env(cls):
        """The defaults, or NEWSSPANS_DOCCANO_MAX_DOWNLOAD_MB / _MAX_UNPACKED_MB (the export
        zip) and _MAX_SECONDS (any answer, the export's included)."""
        limits = cls()
        for name, attr, scale in (("MAX_DOWNLOAD_MB", "download_bytes", MIB),
                                  ("MAX_UNPACKED_MB", "unpacked_bytes", MIB),
                                  ("MAX_SECONDS", "seconds", 1), ("MAX_SECONDS", "download_seconds", 1)):
            value = os.environ.get(f"NEWSSPANS_DOCCANO_{name}")
            if value:
                try:
                    number = float(value)
                except ValueError:
                    number = 0.0
                if not number > 0 or number == float("inf"):
                    raise DoccanoError(f"NEWSSPANS_DOCCANO_{name}={value!r} is not a positive number")
                setattr(limits, attr, type(getattr(limits, attr))(number * scale))
        return limits


# The connection serving each thread's current request, for the deadline's watchdog.
_SERVING = {}


class _WatchedHTTP(HTTPConnection):
    def request(self, *args, **kwargs):
        _SERVING[threading.get_ident()] = self
        return super().request(*args, **kwargs)


class _WatchedHTTPS(HTTPSConnection):
    def request(self, *args, **kwargs):
        _SERVING[threading.get_ident()] = self
        return super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class WatchedAdapter(HTTPAdapter):
    """requests' adapter, with connections the deadline can find and cut."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class Deadline:
    """`with Deadline(seconds):` shuts this thread's connection down when time runs out."""

    def __init__(self, seconds):
        self.seconds, self.expired = seconds, False
        self._thread = threading.get_ident()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def _cut(self):
        connection = _SERVING.get(self._thread)
        sock = getattr(connection, "sock", None)
        self.expired = True
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        _SERVING.pop(self._thread, None)
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        _SERVING.pop(self._thread, None)
        return False


def read_body(response, limit, deadline, what):
    """The body of a streamed `response`, refused past `limit` bytes or the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise DoccanoError(f"{what}: the answer announces {int(declared):,} bytes, more than the "
                           f"{limit:,} accepted; nothing was written")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise DoccanoError(f"{what}: the answer goes on past {limit:,} bytes; refused, "
                                   f"nothing was written")
            if deadline.expired:
                break
            chunks.append(chunk)
    except (requests.exceptions.RequestException, OSError):
        if not deadline.expired:
            raise
    finally:
        response.close()
    if deadline.expired:
        raise too_slow(what, deadline)
    return b"".join(chunks)


def too_slow(what, deadline):
    return DoccanoError(f"{what}: the answer took longer than {deadline.seconds:g}s (a stalled or "
                        f"endless transfer); given up, nothing was written")


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)
_SECRET_FIELD = re.compile(r"(password|passwd|token|key|secret|authorization|cookie)(\W{1,4})([^\s,;&\"'<>]+)",
                           re.I)


def summarise(body: bytes, secrets=(), length=160) -> str:
    """A short, printable excerpt of an error body: no markup, no control characters, no
    secret of ours and no value of a field named like one (a page may echo the request)."""
    text = body[:64 * 1024].decode("utf-8", errors="replace")
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
    text = title.group(1) if title else text
    text = html.unescape(_TAGS.sub(" ", text))
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _SECRET_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= length else text[:length - 1] + "…"
