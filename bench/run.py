"""Request latency of the main pages, on the demo company, through the real server.

    make bench                      # or: .venv/bin/python bench/run.py [--requests N]

Starts `hms-tracker serve` (uvicorn, one worker, as in production) on a fresh SQLite
database in a temporary directory, migrated and loaded with `hms-tracker demo`, logs in as
the coordinator (koordinator@example.com) and times GET requests with httpx: first one
client sending N requests one after another, then C clients at once sending N in total.
Every response must be 200; anything else is counted as an error and shown. The results go
to bench/RESULTS.md with the date, the machine and the commit.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
COORDINATOR = "koordinator@example.com"
DEMO_PASSWORD = "demo-passord"

# (path, needs login)
ENDPOINTS: tuple[tuple[str, bool], ...] = (
    ("/healthz", False),
    ("/login", False),
    ("/people", True),
    ("/people?q=sen", True),
    ("/departments", True),
    ("/audit", True),
    ("/appointments", True),
    ("/training", True),
    ("/gaps", True),
    ("/gaps?on=2025-01-01", True),
    ("/deviations", True),
    ("/deviations?status=open&sort=risk", True),
    ("/deviations?q=truck", True),
    ("/deviations/1", True),
    ("/deviations/stats", True),
    ("/deviations/export.xlsx", True),
    ("/report", False),
    ("/routines", True),
    ("/routines/1", True),
    ("/my/reading", True),
    ("/risks", True),
    ("/risks/matrix", True),
)


@dataclass
class Measurement:
    path: str
    mode: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter[int]
    body_bytes: int

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hms_tracker.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        sys.exit(f"hms-tracker {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"the server did not answer /healthz within 60 s:\n{log.read_text()}")


def logged_in_client(base: str, limits: httpx.Limits) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, limits=limits)
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if page.status_code != 200 or not match:
        sys.exit(f"no login form at /login (status {page.status_code})")
    response = client.post(
        "/login",
        data={"email": COORDINATOR, "password": DEMO_PASSWORD, "csrf_token": match.group(1)},
    )
    if response.status_code != 303 or "hms_session" not in client.cookies:
        sys.exit(f"login as {COORDINATOR} failed (status {response.status_code})")
    return client


def measure(client: httpx.Client, path: str, requests: int, clients: int) -> Measurement:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    body_bytes = 0
    lock = threading.Lock()
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]

    def worker(count: int) -> None:
        nonlocal body_bytes
        own: list[float] = []
        own_statuses: Counter[int] = Counter()
        size = 0
        for _ in range(count):
            started = time.perf_counter()
            response = client.get(path)
            own.append((time.perf_counter() - started) * 1000)
            own_statuses[response.status_code] += 1
            size = len(response.content)
        with lock:
            latencies.extend(own)
            statuses.update(own_statuses)
            body_bytes = max(body_bytes, size)

    threads = [threading.Thread(target=worker, args=(n,)) for n in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    mode = "sequential" if clients == 1 else f"{clients} concurrent"
    return Measurement(path, mode, requests, seconds, latencies, statuses, body_bytes)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "commit": commit or "unknown",
    }


def demo_counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as db:
        return {
            table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("person", "department", "app_user", "audit_event")
        }


def report(
    results: list[Measurement],
    info: dict[str, str],
    counts: dict[str, int],
    args: argparse.Namespace,
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py` (`make bench`); numbers from one run, on this machine.",
        "",
        f"- Date: {now}",
        f"- Machine: {info['cpus']} CPUs (`nproc`), {info['cpu']}, {info['system']}",
        f"- Python {info['python']}; commit `{info['commit']}`",
        "- Server: `hms-tracker serve` (uvicorn, 1 worker, no access log), SQLite (WAL) in a "
        "temporary directory; client: httpx on the same machine (client and server share "
        "the CPUs)",
        f"- Data: the demo company ({counts['person']} people, {counts['department']} "
        f"departments, {counts['app_user']} accounts, {counts['audit_event']} audit events)",
        f"- Requests: {args.requests} per endpoint and mode after {args.warmup} warm-up "
        f"requests; concurrent = {args.concurrency} clients sharing one connection pool; "
        "logged-in pages as the coordinator",
        "",
        "| endpoint | mode | requests | p50 ms | p95 ms | max ms | requests/s | errors | body |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        errors = str(m.errors)
        if m.errors:
            errors += " (" + ", ".join(f"{s}×{n}" for s, n in sorted(m.statuses.items())) + ")"
        lines.append(
            f"| `{m.path}` | {m.mode} | {m.requests} | {m.percentile(50):.1f} | "
            f"{m.percentile(95):.1f} | {max(m.latencies_ms):.1f} | {m.per_second:.0f} | "
            f"{errors} | {size(m.body_bytes)} |"
        )
    lines += [
        "",
        "p50/p95/max are per-request latencies seen by the client; requests/s is requests "
        "divided by the wall time of the whole series. Mean latency over all logged-in "
        f"pages (sequential): {logged_in_mean(results):.1f} ms.",
        "",
    ]
    return "\n".join(lines)


def size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB"


def logged_in_mean(results: list[Measurement]) -> float:
    values = [
        statistics.fmean(m.latencies_ms)
        for m in results
        if m.mode == "sequential" and m.path not in ("/healthz", "/login")
    ]
    return statistics.fmean(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint/mode")
    parser.add_argument("--concurrency", type=int, default=4, help="clients at once")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hms-bench-") as tmp:
        db_path = Path(tmp) / "bench.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("HMS_")}
        env.update(HMS_DATABASE_URL=f"sqlite:///{db_path}", HMS_VAR_DIR=str(Path(tmp) / "var"))
        print(cli(env, "migrate"))
        print(cli(env, "demo"))
        counts = demo_counts(db_path)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = Path(tmp) / "server.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "hms_tracker.cli", "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_until_up(base, server, log_path)
                limits = httpx.Limits(max_connections=args.concurrency + 2)
                anonymous = httpx.Client(base_url=base, timeout=30, limits=limits)
                coordinator = logged_in_client(base, limits)
                results: list[Measurement] = []
                for path, needs_login in ENDPOINTS:
                    client = coordinator if needs_login else anonymous
                    measure(client, path, args.warmup, 1)
                    for clients in (1, args.concurrency):
                        m = measure(client, path, args.requests, clients)
                        results.append(m)
                        print(
                            f"{path:<18} {m.mode:<13} p50 {m.percentile(50):7.1f} ms  "
                            f"p95 {m.percentile(95):7.1f} ms  {m.per_second:7.0f}/s  "
                            f"errors {m.errors}"
                        )
                anonymous.close()
                coordinator.close()
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()

    args.output.write_text(report(results, machine(), counts, args))
    print(f"Written to {args.output}")
    if any(m.errors for m in results):
        sys.exit("Some requests did not answer 200; see the errors column.")


if __name__ == "__main__":
    main()
