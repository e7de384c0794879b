"""Latency sampling of the web server for the latency benchmarks: gunicorn as in the
Procfile, a loopback load of concurrent clients, percentiles."""

from __future__ import annotations

import http.client
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench.common import PYTHON, ROOT, free_port, wait_for_port


def gunicorn_start(env: dict, port: int, *, workers: int = 2, threads: int = 4):
    """gunicorn as in the Procfile, on loopback, with production settings (DEBUG off)."""
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    wait_for_port(port, timeout=60)
    return process


def web_environment(env: dict, tmp: Path) -> dict:
    """The production settings module, served over plain HTTP on loopback."""
    web = dict(env)
    web.update(
        DJANGO_SETTINGS_MODULE="bench.web_settings",
        SECRET_KEY=f"bench-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        SECURE_HSTS_SECONDS="0",
        BENCH_STATIC_ROOT=str(tmp / "static"),
    )
    # Production settings refuse to start without it; links are not followed here.
    web.setdefault("SITE_URL", "http://127.0.0.1")
    if env.get("CELERY_BROKER_URL", "").startswith("redis://"):
        parsed = urlparse(env["CELERY_BROKER_URL"])
        # Database 15 of the same Redis: the product's own cache entries stay untouched.
        web.setdefault("CACHE_URL", urlunparse(parsed._replace(path="/15")))
    return web


def percentile(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def load(
    port: int,
    paths: Sequence[str],
    *,
    clients: int,
    requests_per_client: int,
    headers_for: Callable[[int, str], dict] | None = None,
) -> dict:
    """`clients` threads, each with its own keep-alive connection, requesting the paths in
    turn (with headers_for(client, path), e.g. its session cookie); latency samples in ms per
    path, and any status other than 200."""
    samples: dict[str, list[float]] = {p: [] for p in paths}
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(n: int) -> None:
        headers = {p: (headers_for(n, p) if headers_for else {}) for p in paths}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: dict[str, list[float]] = {p: [] for p in paths}
        barrier.wait()
        for i in range(requests_per_client):
            path = paths[(n + i) % len(paths)]
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers[path])
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    errors.append(f"{path}: {exc!r}")
                continue
            mine[path].append((time.perf_counter() - started) * 1000)
            if status != 200:
                with lock:
                    errors.append(f"{path}: HTTP {status}")
        conn.close()
        with lock:
            for p, values in mine.items():
                samples[p].extend(values)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "samples": samples,
        "errors": errors,
        "seconds": time.perf_counter() - started,
    }


def web_serve(env: dict, tmp: Path) -> tuple[dict, subprocess.Popen, int]:
    """Static files collected and gunicorn started with the production settings; the web
    environment (the same SECRET_KEY is needed to make sessions), the process, its port."""
    web = web_environment(env, tmp)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=web,
        check=True,
    )
    port = free_port()
    return web, gunicorn_start(web, port), port


def server_stop(server: subprocess.Popen | None) -> None:
    """Stop a server started by `web_serve` (or `gunicorn_start`), killing it if it hangs."""
    if server is None:
        return
    server.terminate()
    try:
        server.wait(timeout=20)
    except Exception:  # noqa: BLE001 - whatever went wrong, it must not outlive the run
        server.kill()


def latency_summary(samples: dict[str, list[float]]) -> dict:
    return {
        path: {
            "requests": len(values),
            "p50_ms": round(percentile(values, 50), 2),
            "p95_ms": round(percentile(values, 95), 2),
            "p99_ms": round(percentile(values, 99), 2),
        }
        for path, values in samples.items()
    }
