"""Output files of the CLI: checked before the work starts, replaced atomically.

Every command that writes (``measure``, ``render``, ``analyze``, ``new``, ``schema``,
``demo``) goes through here, so that (issue 8):

* a missing folder, a folder given as ``-o`` or a read-only file is one clear line and
  exit 2 *before* minutes of reading and measuring, not a traceback after them;
* the new content goes to a temporary file in the same folder, which then replaces the
  target with :func:`os.replace`: a crash, Ctrl-C or a full disk leaves the previous
  file intact (never empty, never half written);
* CSV cells that a spreadsheet would run as a formula are neutralised
  (:func:`neutralise_formula`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from journeymap.errors import RenderError

# Cells a spreadsheet reads as a formula or a command (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_output(path: Path, *, option: str = "--output") -> Path:
    """Fail now, with one line, if ``path`` cannot be written later.

    Checks that the folder exists and is writable, that ``path`` is not a folder and
    that an existing file is a writable regular file. Nothing is created.
    """
    folder = path.parent
    if not folder.exists():
        raise RenderError(f"{option}: folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise RenderError(f"{option}: {str(folder)!r} is not a folder")
    if path.is_dir():
        raise RenderError(f"{option}: is a folder; give a file name", file=str(path))
    if path.exists() or path.is_symlink():
        _check_existing(path, option)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RenderError(f"{option}: folder {str(folder)!r} is not writable")
    return path


def _check_existing(path: Path, option: str) -> None:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise RenderError(
            f"{option}: cannot use: {exc.strerror or exc}", file=str(path)
        ) from None
    if not stat.S_ISREG(mode):
        raise RenderError(f"{option}: not a regular file", file=str(path))
    # root may write anything; a file without any write bit was still made read-only
    # on purpose, and os.replace would silently swap it
    if not os.access(path, os.W_OK) or not mode & 0o222:
        raise RenderError(f"{option}: file is read-only", file=str(path))


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block succeeds.

    The temporary name keeps the suffix, so writers that pick a format from the suffix
    (pandas, ``journeymap.save``) work on it. On any error, Ctrl-C included, it is
    removed and ``path`` is left as it was.
    """
    handle, name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        _keep_mode(path, temp)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _keep_mode(path: Path, temp: Path) -> None:
    # mkstemp makes 0600 files; give the result the mode the file had, or the usual one
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp, mode)


def write_bytes(path: Path, data: bytes) -> Path:
    """Replace ``path`` with ``data`` atomically (flushed to disk before the rename)."""
    with replacing(path) as temp, temp.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    return path


def write_text(path: Path, text: str) -> Path:
    """Replace ``path`` with UTF-8 ``text`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def neutralise_formula(value: object) -> object:
    """A text cell a spreadsheet would evaluate gets a leading ``'``; others pass.

    >>> neutralise_formula("=cmd|' /C calc'!A0")
    "'=cmd|' /C calc'!A0"
    >>> neutralise_formula("checkout"), neutralise_formula(-3)
    ('checkout', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@contextlib.contextmanager
def staging_folder(folder: Path) -> Iterator[Path]:
    """A temporary folder beside ``folder`` whose files replace those in ``folder``.

    For writers that fill a whole folder (the demo data): each file then replaces its
    namesake with :func:`os.replace`, so no file is ever seen half written. On an
    error the temporary folder is removed and ``folder`` is left as it was.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        yield temp
        folder.mkdir(exist_ok=True)
        for item in sorted(temp.iterdir()):
            _keep_mode(folder / item.name, item)
            os.replace(item, folder / item.name)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
