"""A real PostgreSQL server for the test run, and the seeded log on it.

The server is a throwaway cluster (``initdb`` into a temporary folder, ``pg_ctl
start`` on loopback with a free port, trust authentication, user ``jm``), started once
per run (tests/conftest.py keeps tests/postgres/ in one xdist worker) and removed at
the end. As root, the cluster belongs to the ``postgres`` user (initdb refuses root).
Without the server binaries (Debian: ``apt-get install postgresql``) or psycopg, every
test here skips with that reason.
"""

from __future__ import annotations

import glob
import io
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from journeymap.engine import Engine, EventLog, connect
from parity import duckdb_engine as duckdb_engine
from parity import journey as journey
from parity import logs_on, seeded_events

USER = "jm"
TABLE = "shop_events"
COLUMNS = (
    "customer_id text, timestamp timestamp, event text, channel text, age bigint, "
    "plan text, value double precision, score double precision, score_kind text, "
    "text text"
)
NO_SERVER = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found; install them with "
    "apt-get install postgresql"
)


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(debian[-1]).parent if debian else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(folder: Path) -> list[str]:
    """The command prefix that runs the server tools (not as root: initdb refuses)."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, user="postgres")
    return ["runuser", "-u", "postgres", "--"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql://jm@127.0.0.1:PORT/postgres`` of a server running for this run."""
    pytest.importorskip("psycopg")
    binaries = server_binaries()
    if binaries is None:
        pytest.skip(NO_SERVER)
    folder = Path(tempfile.mkdtemp(prefix="journeymap-postgres-"))
    folder.chmod(0o755)
    prefix = _as_server_user(folder)
    port = _free_port()
    data, log = folder / "data", folder / "log"
    ctl = [*prefix, str(binaries / "pg_ctl"), "-D", str(data)]

    def run(args: list[str]) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=120)

    try:
        run([*prefix, str(binaries / "initdb"), "-D", str(data), "-A", "trust",
             "-U", USER])  # fmt: skip
        options = f"-k {folder} -h 127.0.0.1 -p {port} -c fsync=off"
        run([*ctl, "-o", options, "-l", str(log), "-w", "start"])
        yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            run([*ctl, "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = connect(postgres_url)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def logs(duckdb_engine: Engine, postgres_engine: Engine) -> dict[str, EventLog]:
    return logs_on(duckdb_engine, postgres_engine)


def copy_rows(url: str, table: str, columns: str, frame: pd.DataFrame) -> None:
    import psycopg
    import pyarrow as pa
    import pyarrow.csv as pacsv

    buffer = io.BytesIO()
    pacsv.write_csv(
        pa.Table.from_pandas(frame, preserve_index=False),
        buffer,
        write_options=pacsv.WriteOptions(include_header=False),
    )
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} ({columns})")
        with con.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())


@pytest.fixture(scope="session")
def shop_table(postgres_url: str) -> Iterator[str]:
    """The seeded events as a warehouse table, with a row missing its customer."""
    frame = seeded_events()
    frame.loc[3, "customer_id"] = None
    copy_rows(postgres_url, TABLE, COLUMNS, frame)
    yield f"{postgres_url}?table={TABLE}"
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP TABLE {TABLE}")
