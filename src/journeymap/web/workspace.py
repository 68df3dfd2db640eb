"""The workspace folder: maps as YAML in a git repository, data and caches beside it.

Layout::

    WORKSPACE/
      .git/                 every browser save is a commit by the signed-in user
      maps/NAME.yaml        the source of truth; people may edit these by hand too
      data/ID/              uploaded data: events.parquet, report.json, quarantine.csv
      .journeymap/          app.db (SQLite), the session secret, the measurement cache

The git command does the versioning (no home-made version store); every call passes
its arguments as a list, never through a shell. A save writes the file atomically
(temporary file + rename) and then commits it, under one lock per process.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from journeymap.errors import JourneymapError

# a map name is also its file name: lower-case letters, digits and dashes only, so a
# name can never climb out of maps/ ("../x"), hide (".x") or name a git option ("-x")
MAP_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_SAVE_LOCK = threading.Lock()
_FIELD = "\x1f"


class WorkspaceError(JourneymapError):
    """A workspace operation cannot be done (bad name, unknown map or version)."""


@dataclass(frozen=True)
class Version:
    """One commit that touched a map."""

    commit: str
    author: str
    email: str
    date: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "commit": self.commit,
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "message": self.message,
        }


def check_map_name(name: str) -> str:
    """``name`` if it is a valid map name, else a :class:`WorkspaceError`."""
    if not MAP_NAME.fullmatch(name):
        raise WorkspaceError(
            f"map name {name[:80]!r}: use lower-case letters, digits and dashes "
            "(at most 63), starting with a letter or digit"
        )
    return name


class Workspace:
    """A workspace folder; created (``git init``) on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.maps_dir = self.root / "maps"
        self.data_dir = self.root / "data"
        self.private_dir = self.root / ".journeymap"
        self.cache_dir = self.private_dir / "cache"

    # -- setup ---------------------------------------------------------------------
    def initialise(self) -> None:
        for folder in (self.maps_dir, self.data_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.private_dir.chmod(0o700)
        if not (self.root / ".git").exists():
            self._git("init", "--quiet", "--initial-branch=main")
        # a server killed inside `git commit` leaves git's lock behind, and every later
        # save would fail on it; the file itself was already replaced whole (see save)
        (self.root / ".git" / "index.lock").unlink(missing_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text(".journeymap/\ndata/\n", encoding="utf-8")
            self._git("add", "--", ".gitignore")
            self._commit("journeymap", "journeymap@localhost", "Start the workspace")

    # -- maps ----------------------------------------------------------------------
    def map_path(self, name: str) -> Path:
        return self.maps_dir / f"{check_map_name(name)}.yaml"

    def map_names(self) -> list[str]:
        return sorted(
            p.stem for p in self.maps_dir.glob("*.yaml") if MAP_NAME.fullmatch(p.stem)
        )

    def exists(self, name: str) -> bool:
        return self.map_path(name).is_file()

    def read(self, name: str, commit: str | None = None) -> str:
        """The map's text in the working tree, or as of ``commit``."""
        path = self.map_path(name)
        if commit is None:
            if not path.is_file():
                raise WorkspaceError(f"no map named {name!r}")
            return path.read_text(encoding="utf-8")
        return self._git("show", f"{self._commit_id(commit)}:maps/{path.name}")

    def save(self, name: str, text: str, *, author: str, message: str) -> str:
        """Write the map atomically and commit it as ``author``; returns the commit."""
        path = self.map_path(name)
        with _SAVE_LOCK:
            write_atomically(path, text)
            self._git("add", "--", f"maps/{path.name}")
            if self._git("status", "--porcelain", "--", f"maps/{path.name}").strip():
                self._commit(author, f"{author}@journeymap", message)
            return self.head()

    def head(self) -> str:
        return self._git("rev-parse", "HEAD").strip()

    def blob(self, name: str) -> str:
        """The git blob hash of the map's current text: its version for the cache and
        for conflict checks (computed as git does, without running git per request)."""
        data = self.map_path(name).read_bytes()
        return hashlib.sha1(
            b"blob %d\0" % len(data) + data, usedforsecurity=False
        ).hexdigest()

    def history(self, name: str) -> list[Version]:
        out = self._git(
            "log",
            f"--format=%H{_FIELD}%an{_FIELD}%ae{_FIELD}%aI{_FIELD}%s",
            "--",
            f"maps/{self.map_path(name).name}",
        )
        return [Version(*line.split(_FIELD, 4)) for line in out.splitlines() if line]

    def diff(self, name: str, commit: str) -> str:
        """What ``commit`` changed in the map (a unified diff)."""
        return self._git(
            "show",
            "--format=",
            "--no-color",
            self._commit_id(commit),
            "--",
            f"maps/{self.map_path(name).name}",
        )

    # -- git -----------------------------------------------------------------------
    def _commit_id(self, commit: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{7,40}", commit):
            raise WorkspaceError(f"not a version: {commit[:50]!r}")
        return commit

    def _commit(self, author: str, email: str, message: str) -> None:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": "journeymap",
            "GIT_COMMITTER_EMAIL": "journeymap@localhost",
        }
        self._git("commit", "--quiet", "--no-verify", "-m", message, env=env)

    def _git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", "-c", "core.hooksPath=/dev/null", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise WorkspaceError(
                f"git {args[0]}: {done.stderr.strip().splitlines()[-1:] or ['failed']}"
            )
        return done.stdout


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a crash leaves either the old or the new file."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
