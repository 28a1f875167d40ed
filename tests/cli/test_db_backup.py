"""The backup is one consistent snapshot even while another process keeps writing."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from needfinder.cli.db import _backup_sqlite


def test_backup_completes_while_a_writer_keeps_writing(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    setup = sqlite3.connect(source, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE turns (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    setup.executemany("INSERT INTO turns (body) VALUES (?)", [("x" * 500,)] * 5000)
    setup.close()
    stop = threading.Event()
    written = threading.Event()

    def writer() -> None:
        connection = sqlite3.connect(source, isolation_level=None, timeout=10)
        while not stop.is_set():
            connection.execute("INSERT INTO turns (body) VALUES ('during the backup')")
            written.set()
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    written.wait(timeout=10)
    try:
        pages = _backup_sqlite(source, tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (rows,) = copy.execute("SELECT count(*) FROM turns").fetchone()
    finally:
        copy.close()
    assert pages > 0 and rows > 5000  # the snapshot includes writes from the write-ahead log
    assert not (tmp_path / "copy.db.partial").exists()
