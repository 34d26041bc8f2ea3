"""Options and error handling shared by every command."""

import json
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
    """Report a library error as `Error: ...` with exit status 1."""
    @wraps(func)
    def wrapper(*args, **kwargs):
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
    return wrapper


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
