"""Throw-away PostgreSQL and Redis on loopback for tests and benchmarks (Debian packages).

    python -m deploy.backing      # starts both, prints the environment, stops on Ctrl-C

Each run gets a fresh data directory, free ports and random passwords; nothing is installed
as a system service and nothing outlives `Backing.stop()`.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.tools import services
from deploy.nginx import find_nginx

HOST = services.HOST
DB_NAME = "mi_tracker"
DB_USER = "mi"
#: The Debian packages of the scaled set-up: the tracker store, the lock store, the balancer.
DEPLOY_PACKAGES = ("postgresql", "redis-server", "nginx")


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _missing(packages: Sequence[str]) -> list[str]:
    present = {
        "postgresql": _postgres_bin() is not None,
        "redis-server": shutil.which("redis-server") is not None,
        "nginx": find_nginx() is not None,
    }
    return [package for package in packages if not present[package]]


def ensure_installed(packages: Sequence[str] = DEPLOY_PACKAGES) -> None:
    """Installs the Debian packages of the scaled set-up that are missing (needs root).

    Args:
        packages: some of `DEPLOY_PACKAGES`; all of them by default (``make deploy-deps``).
    """
    missing = _missing(packages)
    if not missing:
        return
    if os.geteuid() != 0:
        raise RuntimeError(f"{' and '.join(missing)} missing: install as root (make deploy-deps)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    # Where an init system runs, Debian starts each package's default service; the project
    # uses none of them: tests, benchmarks and deployments run their own from their own config.
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the Debian package creates the `postgres` user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Backing:
    """A running PostgreSQL and Redis, and the environment that points Rasa at them."""

    workdir: Path
    pg_bin: Path
    pg_data: Path
    pg_port: int
    pg_password: str
    redis: subprocess.Popen[bytes]
    redis_port: int
    redis_password: str
    env: dict[str, str] = field(default_factory=dict)

    def stop_postgres(self) -> None:
        """Stops PostgreSQL at once (fault tests use this to make the database vanish)."""
        subprocess.run(
            _as_postgres([str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-m", "fast",
                          "-w", "stop"]),
            check=False,
            capture_output=True,
        )  # fmt: skip

    def start_postgres(self) -> None:
        """Starts (or restarts) PostgreSQL on its port and waits until it accepts connections."""
        options = f"-h {HOST} -p {self.pg_port} -k {self.pg_data} -c max_connections=200"
        subprocess.run(
            _as_postgres([str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-w",
                          "-l", str(self.pg_data / "server.log"), "-o", options, "start"]),
            check=True,
            capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        """Stops both servers and deletes their data."""
        self.stop_postgres()
        if self.redis.poll() is None:
            self.redis.terminate()
            try:
                self.redis.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.redis.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _init_postgres(pg_bin: Path, data: Path, password: str) -> None:
    data.mkdir(parents=True)
    pwfile = data.parent / "pgpass"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(data.parent, "postgres")
        shutil.chown(data, "postgres")
        shutil.chown(pwfile, "postgres")
    subprocess.run(
        _as_postgres([str(pg_bin / "initdb"), "-D", str(data), "-U", DB_USER,
                      "--pwfile", str(pwfile), "-A", "scram-sha-256", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )  # fmt: skip
    pwfile.unlink()


def _create_db(pg_bin: Path, port: int, password: str) -> None:
    env = dict(os.environ, PGPASSWORD=password)
    subprocess.run(
        [str(pg_bin / "createdb"), "-h", HOST, "-p", str(port), "-U", DB_USER, DB_NAME],
        check=True,
        capture_output=True,
        env=env,
    )


def _wait_redis(port: int, password: str, process: subprocess.Popen[bytes]) -> None:
    import redis

    client = redis.Redis(host=HOST, port=port, password=password)
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        try:
            if client.ping():
                return
        except redis.RedisError:
            time.sleep(0.1)
    raise TimeoutError("redis-server did not answer")


def start_backing(workdir: Path | None = None) -> Backing:
    """Installs if needed, then starts PostgreSQL and Redis on free loopback ports."""
    ensure_installed(["postgresql", "redis-server"])
    pg_bin = _postgres_bin()
    assert pg_bin is not None
    # Under /tmp rather than a pytest folder: the postgres user must be able to reach it.
    workdir = workdir or Path(tempfile.mkdtemp(prefix="mi-backing-"))
    workdir.chmod(0o755)
    pg_password, redis_password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    pg_port, redis_port = services.free_port(), services.free_port()
    pg_data = workdir / "pg" / "data"
    _init_postgres(pg_bin, pg_data, pg_password)
    redis_dir = workdir / "redis"
    redis_dir.mkdir()
    # The password goes in through stdin config, so it never shows in `ps`.
    redis = subprocess.Popen(
        ["redis-server", "-"],
        stdin=subprocess.PIPE,
        stdout=(workdir / "redis.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    config = (
        f"bind {HOST}\nport {redis_port}\nrequirepass {redis_password}\n"
        f'dir {redis_dir}\nsave ""\nappendonly no\n'
    )
    assert redis.stdin is not None
    redis.stdin.write(config.encode())
    redis.stdin.close()
    backing = Backing(
        workdir, pg_bin, pg_data, pg_port, pg_password, redis, redis_port, redis_password
    )
    try:
        backing.start_postgres()
        _create_db(pg_bin, pg_port, pg_password)
        _wait_redis(redis_port, redis_password, redis)
    except Exception:
        backing.stop()
        raise
    backing.env = {
        "TRACKER_DB_HOST": HOST,
        "TRACKER_DB_PORT": str(pg_port),
        "TRACKER_DB_NAME": DB_NAME,
        "TRACKER_DB_USER": DB_USER,
        "TRACKER_DB_PASSWORD": pg_password,
        "REDIS_HOST": HOST,
        "REDIS_PORT": str(redis_port),
        "REDIS_DB": "1",
        "REDIS_PASSWORD": redis_password,
        "APP_DATABASE_URL": (
            f"postgresql+psycopg2://{DB_USER}:{pg_password}@{HOST}:{pg_port}/{DB_NAME}"
        ),
    }
    return backing


def main() -> None:
    """Starts both servers, prints the variables for deploy/endpoints.scaled.yml, waits."""
    backing = start_backing()
    for key, value in backing.env.items():
        print(f"export {key}={value}")
    try:
        backing.redis.wait()
    except KeyboardInterrupt:
        pass
    finally:
        backing.stop()


if __name__ == "__main__":
    main()
