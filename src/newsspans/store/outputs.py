"""The one output boundary: where a command's `--out` folder may not be.

The repository's sources (corpus/, annotations/, schema/), its release record (releases/)
and git's own folder are written only by the commands that own a file there, never as an
output folder; exports/ is the published dataset, written only by `export` and `rehydrate`
(whose purpose is to rebuild it): pages, screenshots or the text-free distribution there
would be published with it. The
check resolves symbolic links (os.path.realpath), so a link to a protected folder counts,
and it runs before anything is written.
"""

import os
from pathlib import Path

from newsspans.errors import CorpusError

PROTECTED = ("corpus", "annotations", "schema", "releases", ".git")
EXPORTS = "exports"


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(os.path.join(folder, ""))


def check_output_dir(root, out, *, allow_exports=False, what="--out") -> Path:
    """Return `out` if a command may write into it; CorpusError naming the reason otherwise.

    Refused: `out` resolving into (or onto) one of PROTECTED, or exports/ unless
    `allow_exports`; and `out` inside the repository by its name but outside it once its
    links are resolved (nothing is written through a link that leaves the repository).
    `what` names the option in the message.
    """
    real_root = os.path.realpath(root)
    lexical = os.path.abspath(out)
    real = os.path.realpath(out)
    forbidden = PROTECTED + (() if allow_exports else (EXPORTS,))
    for name in forbidden:
        if _inside(real, os.path.realpath(os.path.join(root, name))):
            holds = "the published exports" if name == EXPORTS else "the repository's own files"
            raise CorpusError(f"{what} {out}: resolves into {name}/, which holds {holds}; "
                              f"choose another folder (nothing was written)")
    if _inside(lexical, os.path.abspath(root)) and not _inside(real, real_root):
        raise CorpusError(f"{what} {out}: is inside the repository but resolves to {real}, "
                          f"outside it (a symbolic link); nothing was written")
    return Path(out)
