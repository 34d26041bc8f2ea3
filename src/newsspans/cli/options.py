"""Options and error handling shared by every command."""

import json
import os
import re
import sys
from functools import wraps
from pathlib import Path

import click

from newsspans.errors import InvalidCorpus, NewsspansError
from newsspans.model.corpus import Corpus


def _open_corpus(ctx, param, value):
    try:
        return Corpus.open(value)
    except NewsspansError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def root_option(func):
    """--root PATH: the corpus repository to work on, given to the command as `corpus`."""
    return click.option(
        "--root", "corpus", type=click.Path(file_okay=False, path_type=Path), default=".",
        show_default=True, callback=_open_corpus, help="The corpus repository to work on.")(func)


def library_errors(func):
    """Refuse undecodable command-line values, and report a library error as `Error: ...`
    with exit status 1.

    Every command has this decorator, so the check of its values is made once, here,
    before the command has a chance to write anything.
    """
    @wraps(func)
    def wrapper(*args, **kwargs):
        _refuse_undecodable(kwargs)
        try:
            return func(*args, **kwargs)
        except InvalidCorpus as exc:
            for problem in exc.problems:
                click.echo(problem.format(), err=True)
            count = len(exc.problems)
            raise click.ClickException(f"corpus is invalid ({count} problem{'s' if count != 1 else ''} "
                                       f"above); nothing was written") from None
        except NewsspansError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            # A full disk or a denied permission is the machine's state, not a bug: a
            # message naming the file, not a traceback.
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None
    wrapper.refuses_undecodable = True
    return wrapper


# On POSIX, Python hands over command-line bytes that are not UTF-8 as lone surrogates
# (surrogateescape); written into a JSON file they would fail half-way, or corrupt it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_undecodable(values: dict) -> None:
    """Raise a ClickException naming the first option or argument that is not valid UTF-8."""
    context = click.get_current_context(silent=True)
    params = {p.name: p for p in context.command.params} if context else {}
    for name, value in values.items():
        why = _undecodable(value)
        if why:
            param = params.get(name)
            label = param.opts[0] if isinstance(param, click.Option) else \
                (param.human_readable_name if param else name)
            raise click.ClickException(f"{label}: {why}; nothing was written")


def _undecodable(value):
    """Why `value` (a str, a path, or a tuple of them) is not valid UTF-8 text; None if it is."""
    if isinstance(value, (tuple, list)):
        return next(filter(None, map(_undecodable, value)), None)
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not _SURROGATE.search(value):
        return None
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        found = _SURROGATE.search(value)
        return (f"{ascii(value)} is not valid Unicode (lone surrogate "
                f"U+{ord(found.group()):04X} at character {found.start()})")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (f"{data!r} is not valid UTF-8 (byte 0x{data[exc.start]:02X} at byte "
                f"{exc.start})")
    return None


def report(items, fmt, noun, clean):
    """Print problems or findings (text lines or a JSON list) and exit 1 if there are any."""
    if fmt == "json":
        click.echo(json.dumps([item.asdict() for item in items], ensure_ascii=False, indent=2))
    else:
        for item in items:
            click.echo(item.format())
        click.echo(f"{len(items)} {noun}{'s' if len(items) != 1 else ''}" if items else clean,
                   err=True)
    sys.exit(1 if items else 0)
