"""Compare the servicelist server with nginx serving the same bytes, on 127.0.0.1 only.

The script loads the bundled lists (or a synthetic list) into a temporary SQLite database and
starts ``servicelist serve``. It copies three of the server's responses into a temporary web
root: one service as JSON, the whole catalogue as JSON and the whole catalogue as Turtle.
nginx then serves those files. wrk loads every server with every case in turn, and the script
prints median (min-max) requests per second and p99 latency as a Markdown table. It also times
the whole-catalogue serialisation in-process, without HTTP.

The script measures and reports, and asserts nothing about speed. Every process it starts is
stopped on exit, on Ctrl-C and on SIGTERM. It needs ``nginx`` and ``wrk`` (Debian packages
``nginx`` and ``wrk``).

    python bench/http_vs_nginx.py --quick
    python bench/http_vs_nginx.py --synthetic 2000 --output bench/results/synthetic.md
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import TypeVar

from synthetic import DEFAULT_SEED, load_synthetic

from servicelist.catalogue.export import read_catalogue, render_catalogue
from servicelist.cli import EXPORT_FORMATS
from servicelist.database import create_database_engine
from servicelist.lists import repository
from servicelist.settings import get_settings

T = TypeVar("T")

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 10.0
FETCH_TIMEOUT_SECONDS = 60.0
# wrk's own per-request timeout. The default of 2 s would count slow catalogue responses as
# errors instead of measuring them.
WRK_TIMEOUT = "10s"
# Packages whose installed versions the report lists.
PACKAGES = (
    "servicelist fastapi starlette uvicorn uvloop httptools pydantic orjson pyoxigraph sqlalchemy"
)


def log(message: str) -> None:
    """Write a progress line to standard error, keeping standard output for the report."""
    print(message, file=sys.stderr, flush=True)


# Cases and servers


@dataclass(frozen=True, slots=True)
class Case:
    """One request shape, as a path on our server and the file nginx serves for it."""

    name: str
    description: str
    ours_path: str
    nginx_path: str
    revalidate: bool = False


@dataclass(slots=True)
class Server:
    """A started server process group and the port it listens on."""

    name: str
    kind: str
    workers: int
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    etag: str = ""

    def path_for(self, case: Case) -> str:
        return case.ours_path if self.kind == "ours" else case.nginx_path


def build_cases(service_id: str) -> list[Case]:
    """Return the measured cases. The 304 case revalidates the full catalogue JSON."""
    return [
        Case(
            "service",
            f"one service (/v1/services/{service_id})",
            f"/v1/services/{service_id}",
            "/service.json",
        ),
        Case("catalogue-json", "full catalogue, JSON", "/v1/catalogue", "/catalogue.json"),
        Case(
            "catalogue-ttl", "full catalogue, Turtle", "/v1/catalogue?format=ttl", "/catalogue.ttl"
        ),
        Case(
            "catalogue-304",
            "full catalogue JSON, If-None-Match → 304",
            "/v1/catalogue",
            "/catalogue.json",
            revalidate=True,
        ),
    ]


# Processes


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_process(
    command: Sequence[str], log_path: Path, cwd: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own session, so one signal to its group stops its children too."""
    log(f"$ {shlex.join(command)}")
    with log_path.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process_group(process: subprocess.Popen[bytes], name: str) -> None:
    """Send SIGTERM to the process group, and SIGKILL if any member still runs after a while."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)

    # uvicorn's worker processes and nginx's workers may outlive their parent by a moment.
    def alive() -> bool:
        return process.poll() is None or bool(group_members(process.pid))

    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive():
        log(f"{name} did not stop within {STOP_TIMEOUT_SECONDS:.0f} s of SIGTERM; sending SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_SECONDS)


def group_members(group_id: int) -> list[int]:
    """Return the ids of the live processes in a process group, read from /proc (Linux)."""
    members = []
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = stat_path.read_text()
        except OSError:
            continue
        # The command name in field 2 may contain spaces and brackets, so split after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        state, group = fields[0], int(fields[2])
        if group == group_id and state != "Z":
            members.append(int(stat_path.parent.name))
    return members


def resident_memory_mib(group_id: int) -> float:
    """Return the summed resident set size of a process group, in MiB."""
    total_kib = 0
    for pid in group_members(group_id):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
    return total_kib / 1024


def run_checked(command: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
    """Run a short command and raise with its output when it fails."""
    log(f"$ {shlex.join(command)}")
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(command)} failed with exit status {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )


# HTTP


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int
    etag: str
    body: bytes
    seconds: float


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> Fetched:
    """GET ``path`` from 127.0.0.1:``port`` and return the status, ETag, body and duration."""
    connection = http.client.HTTPConnection(HOST, port, timeout=FETCH_TIMEOUT_SECONDS)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        return Fetched(response.status, response.getheader("ETag") or "", body, seconds)
    finally:
        connection.close()


def wait_until_ready(server: Server, path: str) -> Fetched:
    """Poll ``path`` until it returns 200. Raise when the server exits first or time runs out."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with status {server.process.returncode} before it "
                f"responded; its log {server.log_path} ends with:\n{tail(server.log_path)}"
            )
        try:
            fetched = fetch(server.port, path)
        except OSError:
            fetched = None
        if fetched is not None and fetched.status == 200:
            return fetched
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{server.name} did not return 200 for {path} within "
                f"{READY_TIMEOUT_SECONDS:.0f} s; its log {server.log_path} ends with:\n"
                f"{tail(server.log_path)}"
            )
        time.sleep(0.2)


def tail(path: Path, lines: int = 20) -> str:
    """Return the last lines of a log file, or a note when it cannot be read."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(cannot read {path}: {error})"


# wrk


@dataclass(frozen=True, slots=True)
class LoadSettings:
    threads: int
    connections: int
    duration_seconds: int
    warmup_seconds: int
    repeats: int
    pause_seconds: float


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests_per_second: float
    p99_ms: float
    transfer_bytes_per_second: float
    errors: int


TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
REQUESTS_PATTERN = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
P99_PATTERN = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
TRANSFER_PATTERN = re.compile(r"^Transfer/sec:\s+([\d.]+)([KMGT]?B)\s*$", re.MULTILINE)
SOCKET_ERRORS_PATTERN = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
STATUS_ERRORS_PATTERN = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def parse_wrk(output: str) -> WrkResult:
    """Read throughput, p99 latency, transfer rate and error counts from wrk's report."""
    requests = REQUESTS_PATTERN.search(output)
    p99 = P99_PATTERN.search(output)
    transfer = TRANSFER_PATTERN.search(output)
    if requests is None or p99 is None or transfer is None:
        raise RuntimeError(f"cannot read wrk's report (was --latency given?):\n{output}")
    errors = 0
    socket_errors = SOCKET_ERRORS_PATTERN.search(output)
    if socket_errors is not None:
        errors += sum(int(count) for count in socket_errors.groups())
    # wrk counts only statuses of 400 and above here, despite the label, so 304 is no error.
    status_errors = STATUS_ERRORS_PATTERN.search(output)
    if status_errors is not None:
        errors += int(status_errors.group(1))
    return WrkResult(
        requests_per_second=float(requests.group(1)),
        p99_ms=float(p99.group(1)) * TIME_UNITS_MS[p99.group(2)],
        transfer_bytes_per_second=float(transfer.group(1)) * SIZE_UNITS[transfer.group(2)],
        errors=errors,
    )


def wrk_command(url: str, headers: dict[str, str], seconds: int, load: LoadSettings) -> list[str]:
    command = ["wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s"]
    command += ["--latency", "--timeout", WRK_TIMEOUT]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return [*command, url]


def run_wrk(url: str, headers: dict[str, str], seconds: int, load: LoadSettings) -> WrkResult:
    """Run wrk once. subprocess.run kills it when this process is interrupted."""
    command = wrk_command(url, headers, seconds, load)
    command[0] = find_tool("wrk") or "wrk"
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(command)} failed with exit status {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )
    return parse_wrk(result.stdout)


# Servers


def servicelist_executable() -> str:
    """Return the ``servicelist`` script of this interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / "servicelist"
    if beside.is_file():
        return str(beside)
    found = shutil.which("servicelist")
    if found is None:
        raise RuntimeError(
            "the servicelist command was not found; run `make .venv/bin/servicelist` "
            "or `pip install -e .`"
        )
    return found


def start_ours(workers: int, work_dir: Path, env: dict[str, str]) -> Server:
    port = free_port()
    name = f"servicelist-{workers}w"
    command = [servicelist_executable(), "serve", "--host", HOST, "--port", str(port)]
    command += ["--workers", str(workers)]
    log_path = work_dir / f"{name}.log"
    process = start_process(command, log_path, work_dir, env)
    return Server(name, "ours", workers, port, process, log_path)


def nginx_config(prefix: Path, www: Path, port: int, workers: int) -> str:
    """Return a minimal nginx configuration serving ``www`` on 127.0.0.1:``port``.

    Logging is off and keep-alive connections live for the whole run, so wrk's connections are
    reused as they are with uvicorn.
    """
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix / (kind + '_temp')};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
worker_processes {workers};
daemon off;
master_process on;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;

events {{
    worker_connections 1024;
}}

http {{
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    types {{
        application/json json;
        text/turtle ttl;
    }}
    default_type application/octet-stream;
{temp_paths}

    server {{
        listen {HOST}:{port};
        root {www};
        location / {{
        }}
    }}
}}
"""


def start_nginx(workers: int, work_dir: Path, www: Path, env: dict[str, str]) -> Server:
    port = free_port()
    name = f"nginx-{workers}w"
    prefix = work_dir / name
    prefix.mkdir()
    config_path = prefix / "nginx.conf"
    config_path.write_text(nginx_config(prefix, www, port, workers))
    nginx = find_tool("nginx") or "nginx"
    # -e sends the start-up errors to the prefix too, instead of /var/log/nginx.
    command = [nginx, "-p", str(prefix), "-c", str(config_path), "-e", str(prefix / "error.log")]
    log_path = prefix / "output.log"
    process = start_process(command, log_path, work_dir, env)
    return Server(name, "nginx", workers, port, process, log_path)


# In-process serialisation


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    detail: str
    size: int
    seconds: list[float]


def time_calls(call: Callable[[], T], repeats: int) -> tuple[T, list[float]]:
    """Call ``call`` ``repeats`` times, at least once, and return its last result and durations."""
    seconds = []
    for _ in range(repeats - 1):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    started = time.perf_counter()
    result = call()
    seconds.append(time.perf_counter() - started)
    return result, seconds


def time_serialisation(database_url: str, repeats: int) -> list[Timing]:
    """Time reading the snapshot and rendering the whole catalogue in every export format."""
    engine = create_database_engine(database_url)
    try:
        catalogue, read_seconds = time_calls(lambda: read_catalogue(engine), repeats)
    finally:
        engine.dispose()
    base_uri = get_settings().base_uri
    timings = [Timing("read_catalogue", "database → snapshot", 0, read_seconds)]
    for name, media_type in EXPORT_FORMATS.items():
        log(f"timing render_catalogue as {name}")
        body, seconds = time_calls(
            functools.partial(render_catalogue, catalogue, base_uri, media_type), repeats
        )
        timings.append(Timing(name, media_type, len(body), seconds))
    return timings


# Report


@dataclass(slots=True)
class Results:
    """Every measurement of one run, keyed by (server name, case name)."""

    runs: dict[tuple[str, str], list[WrkResult]] = field(default_factory=dict)
    first_request_ms: dict[str, float] = field(default_factory=dict)
    load_average_before: str = ""
    load_average_after: str = ""
    memory_mib: dict[str, float] = field(default_factory=dict)


def spread(values: Sequence[float], digits: int, scale: float = 1.0) -> str:
    """Format the median with the min-max range, as ``median (min-max)``."""
    scaled = [value * scale for value in values]
    median = f"{statistics.median(scaled):,.{digits}f}"
    if len(scaled) == 1:
        return median
    return f"{median} ({min(scaled):,.{digits}f}-{max(scaled):,.{digits}f})"


def size_text(size: float) -> str:
    """Format a byte count in B, KB, MB or GB (powers of 1000)."""
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= factor:
            return f"{size / factor:.2f} {unit}"
    return f"{size:.0f} B"


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages from /proc/loadavg (Linux)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def source_revision() -> str:
    """Return the checkout's commit, marked when the working tree has uncommitted changes."""
    checkout = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(checkout), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes" if changes else "")


def environment_lines(work_dir: Path) -> list[str]:
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    versions = []
    for package in PACKAGES.split():
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    tools = []
    for name in ("nginx", "wrk"):
        command = [find_tool(name) or name, "-v"]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, check=False, cwd=work_dir
            )
        except OSError as error:
            tools.append(f"{name} (version unknown: {error})")
            continue
        first_line = (result.stdout + result.stderr).strip().splitlines()
        tools.append(first_line[0] if first_line else f"{name} (no version output)")
    return [
        f"- Code: {source_revision()}",
        f"- Machine: {os.cpu_count()} CPUs ({cpu_model}), {platform.platform()}",
        f"- Python {platform.python_version()}; {', '.join(versions)}",
        f"- {'; '.join(tools)}",
    ]


def http_table(
    cases: Sequence[Case],
    servers: Sequence[Server],
    bodies: dict[str, bytes],
    results: Results,
) -> list[str]:
    """Return the wrk results as a Markdown table, with ratios of our medians to nginx's."""
    nginx_servers = [server for server in servers if server.kind == "nginx"]
    header = "case | body | server | req/s | p99 ms | transfer/s | errors"
    header += "".join(f" | ours / {nginx.name}" for nginx in nginx_servers)
    rows = []
    for case in cases:
        body = "304, no body" if case.revalidate else f"{len(bodies[case.name]):,} B"
        runs_by_server = {server.name: results.runs[(server.name, case.name)] for server in servers}
        medians = {
            name: statistics.median(run.requests_per_second for run in runs)
            for name, runs in runs_by_server.items()
        }
        for server in servers:
            runs = runs_by_server[server.name]
            transfer = statistics.median(run.transfer_bytes_per_second for run in runs)
            row = [
                case.description,
                body,
                server.name,
                spread([run.requests_per_second for run in runs], 0),
                spread([run.p99_ms for run in runs], 2),
                size_text(transfer),
                str(sum(run.errors for run in runs)),
            ]
            for nginx in nginx_servers:
                is_ours = server.kind == "ours"
                row.append(f"{medians[server.name] / medians[nginx.name]:.2f}" if is_ours else "")
            rows.append(row)
    return table_lines(header, rows)


def table_lines(header: str, rows: Sequence[Sequence[str]]) -> list[str]:
    """Return a Markdown table with a header line of ``|``-separated column names."""
    names = [name.strip() for name in header.split("|")]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def report(
    arguments: argparse.Namespace,
    load: LoadSettings,
    dataset: str,
    cases: Sequence[Case],
    servers: Sequence[Server],
    bodies: dict[str, bytes],
    results: Results,
    timings: Sequence[Timing],
    work_dir: Path,
) -> str:
    """Return the whole report as Markdown."""
    command = shlex.join(["python", "bench/http_vs_nginx.py", *sys.argv[1:]])
    wrk_example = shlex.join(wrk_command("URL", {}, load.duration_seconds, load))
    warmup = "no warm-up"
    if load.warmup_seconds > 0:
        warmup = f"one {load.warmup_seconds} s warm-up per server and case before the first run"
    lines = [
        f"## {dataset}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `{command}`",
        "",
        *environment_lines(work_dir),
        "",
        f"Load: `{wrk_example}` for every server and case, {load.repeats} "
        f"repetition{'s' if load.repeats != 1 else ''}, "
        f"round robin over servers and cases, {load.pause_seconds:g} s pause between runs, "
        f"{warmup}. "
        "Figures are median (min-max) over the repetitions, and ratios compare medians. "
        "wrk runs on the same machine as the servers. "
        f"Load average (1, 5, 15 min) before the load: {results.load_average_before}, "
        f"after: {results.load_average_after}.",
        "",
        *http_table(cases, servers, bodies, results),
    ]

    lines += [
        "",
        "First request to a freshly started server, one sample each "
        "(includes building the snapshot or the cached representation):",
        "",
    ]
    first_rows = [[name, f"{ms:,.1f}"] for name, ms in results.first_request_ms.items()]
    lines += table_lines("request | ms", first_rows)

    lines += ["", "Resident memory of each server's process group after the run:", ""]
    memory_rows = [[name, f"{mib:,.0f}"] for name, mib in results.memory_mib.items()]
    lines += table_lines("server | RSS MiB", memory_rows)

    repeats = len(timings[0].seconds) if timings else 0
    lines += [
        "",
        f"In-process whole-catalogue serialisation (`render_catalogue`), median (min-max) of "
        f"{repeats} calls, no HTTP:",
        "",
    ]
    timing_rows = [
        [
            timing.name,
            timing.detail,
            f"{timing.size:,}" if timing.size else "-",
            spread(timing.seconds, 1, 1000.0),
        ]
        for timing in timings
    ]
    lines += table_lines("step | media type | bytes | ms", timing_rows)
    lines.append("")
    return "\n".join(lines)


# Main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Compare the servicelist server with nginx serving the same bytes."
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1],
        help="uvicorn worker counts to measure (default: 1).",
    )
    parser.add_argument(
        "--nginx-workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="nginx worker_processes values to measure (default: 1 2).",
    )

    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="N",
        help="Serve a synthetic list of N services instead of the real one.",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="Seed of the synthetic list."
    )
    parser.add_argument("--service-id", default="372", help="Service of the single-service case.")

    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: 2).")
    parser.add_argument(
        "--connections", type=int, default=32, help="wrk connections (default: 32)."
    )
    parser.add_argument(
        "--duration", type=int, help="Seconds per wrk run (default: 10; --quick: 2)."
    )
    parser.add_argument(
        "--warmup",
        type=int,
        help="Seconds of warm-up per server and case (default: 2; --quick: 1).",
    )
    parser.add_argument(
        "--repeats", type=int, help="wrk runs per server and case (default: 3; --quick: 1)."
    )
    parser.add_argument(
        "--pause", type=float, help="Seconds between wrk runs (default: 1.5; --quick: 0.5)."
    )
    parser.add_argument(
        "--serialize-repeats",
        type=int,
        help="Calls per serialisation timing (default: 5; --quick: 2).",
    )

    parser.add_argument(
        "--quick", action="store_true", help="Short runs, to check that everything works."
    )
    parser.add_argument("--output", type=Path, help="Also write the Markdown report to this file.")
    parser.add_argument(
        "--keep-temp", action="store_true", help="Keep the temporary directory with the logs."
    )
    return parser


def parse_arguments() -> argparse.Namespace:
    """Parse the command line, fill in the defaults that depend on --quick and check values."""
    parser = build_parser()
    arguments = parser.parse_args()
    quick = arguments.quick
    defaults = {
        "duration": 2 if quick else 10,
        "warmup": 1 if quick else 2,
        "repeats": 1 if quick else 3,
        "pause": 0.5 if quick else 1.5,
        "serialize_repeats": 2 if quick else 5,
    }
    for name, value in defaults.items():
        if getattr(arguments, name) is None:
            setattr(arguments, name, value)
    for name in ("duration", "repeats", "serialize_repeats", "threads", "connections"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if arguments.threads > arguments.connections:
        parser.error("--threads must not exceed --connections; wrk needs a connection per thread")
    if min(arguments.workers + arguments.nginx_workers) < 1:
        parser.error("worker counts must be at least 1")
    if arguments.synthetic is not None and arguments.synthetic < 1:
        parser.error("--synthetic must be at least 1")
    return arguments


def raise_on_sigterm(signal_number: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signal_number)


def find_tool(name: str) -> str | None:
    """Return the path of a program on PATH or in /usr/sbin, which Debian uses for nginx."""
    found = shutil.which(name)
    if found is None and Path(f"/usr/sbin/{name}").is_file():
        found = f"/usr/sbin/{name}"
    return found


def check_tools() -> None:
    missing = [tool for tool in ("nginx", "wrk") if find_tool(tool) is None]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} not found; install with `apt-get install -y nginx wrk`"
        )


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        log(f"stopping {server.name}")
        stop_process_group(server.process, server.name)


def prepare_database(
    arguments: argparse.Namespace, database_url: str, work_dir: Path, env: dict[str, str]
) -> str:
    """Load the bundled lists, then the synthetic list if requested, and describe the result."""
    executable = servicelist_executable()
    run_checked([executable, "db", "upgrade"], work_dir, env)
    run_checked([executable, "load"], work_dir, env)
    engine = create_database_engine(database_url)
    try:
        if arguments.synthetic is not None:
            count, seed = arguments.synthetic, arguments.seed
            log(f"loading a synthetic list of {count} services (seed {seed})")
            started = time.perf_counter()
            loaded = load_synthetic(engine, count, seed=seed)
            log(f"loaded the synthetic list in {time.perf_counter() - started:.1f} s")
            dataset = f"Synthetic list of {count:,} services (seed {seed})"
        else:
            with engine.connect() as connection:
                latest = repository.latest_load(connection)
            if latest is None:
                raise RuntimeError("servicelist load succeeded but the database has no load")
            loaded = latest
            dataset = "Bundled lists"
    finally:
        engine.dispose()
    return f"{dataset}: {loaded.item_count:,} items, {loaded.link_count:,} links"


def copy_responses(
    server: Server, cases: Sequence[Case], www: Path, results: Results
) -> dict[str, bytes]:
    """Fetch each case's body from our server, write it where nginx serves it, return the bodies.

    Each fetch is the first request for that resource, so its duration, which goes into
    ``results``, includes building the cached representation.
    """
    bodies: dict[str, bytes] = {}
    for case in cases:
        if case.revalidate:
            continue
        fetched = fetch(server.port, case.ours_path)
        if fetched.status != 200:
            raise RuntimeError(
                f"{server.name} returned {fetched.status} for {case.ours_path}, expected 200: "
                f"{fetched.body[:500]!r}"
            )
        results.first_request_ms[f"{server.name} {case.ours_path}"] = fetched.seconds * 1000
        bodies[case.name] = fetched.body
        target = www / case.nginx_path.lstrip("/")
        target.write_bytes(fetched.body)
        target.chmod(0o644)
    for case in cases:
        if case.revalidate:
            bodies[case.name] = b""
    return bodies


def catalogue_etag(server: Server) -> str:
    """Return the ETag the server sends for the full catalogue JSON."""
    path = "/v1/catalogue" if server.kind == "ours" else "/catalogue.json"
    etag = fetch(server.port, path).etag
    if not etag:
        raise RuntimeError(f"{server.name} sent no ETag for {path}")
    return etag


def check_responses(server: Server, cases: Sequence[Case], bodies: dict[str, bytes]) -> None:
    """Raise unless the server returns the expected bytes, or 304 for the revalidation case."""
    for case in cases:
        fetched = fetch(server.port, server.path_for(case), headers_for(server, case))
        expected_status = 304 if case.revalidate else 200
        if fetched.status != expected_status:
            raise RuntimeError(
                f"{server.name} returned {fetched.status} for {server.path_for(case)}, "
                f"expected {expected_status}"
            )
        if not case.revalidate and fetched.body != bodies[case.name]:
            raise RuntimeError(
                f"{server.name} returned different bytes for {server.path_for(case)} "
                "than our server did"
            )


def url_for(server: Server, case: Case) -> str:
    return f"http://{HOST}:{server.port}{server.path_for(case)}"


def headers_for(server: Server, case: Case) -> dict[str, str]:
    return {"If-None-Match": server.etag} if case.revalidate else {}


def run_load(
    servers: Sequence[Server], cases: Sequence[Case], load: LoadSettings, results: Results
) -> None:
    """Warm up every server and case once, then run wrk round robin and record each run."""
    if load.warmup_seconds > 0:
        for server in servers:
            for case in cases:
                log(f"warm-up {server.name} {case.name} ({load.warmup_seconds} s)")
                run_wrk(url_for(server, case), headers_for(server, case), load.warmup_seconds, load)

    for repeat in range(1, load.repeats + 1):
        for case in cases:
            for server in servers:
                time.sleep(load.pause_seconds)
                url = url_for(server, case)
                result = run_wrk(url, headers_for(server, case), load.duration_seconds, load)
                results.runs.setdefault((server.name, case.name), []).append(result)
                log(
                    f"run {repeat}/{load.repeats} {case.name} {server.name}: "
                    f"{result.requests_per_second:,.0f} req/s, p99 {result.p99_ms:.2f} ms, "
                    f"{result.errors} errors"
                )


def measure(arguments: argparse.Namespace, work_dir: Path) -> str:
    """Prepare the database, start every server, measure and stop them, and return the report."""
    load = LoadSettings(
        threads=arguments.threads,
        connections=arguments.connections,
        duration_seconds=arguments.duration,
        warmup_seconds=arguments.warmup,
        repeats=arguments.repeats,
        pause_seconds=arguments.pause,
    )
    database_url = f"sqlite:///{work_dir / 'bench.sqlite3'}"
    env = {**os.environ, "SERVICELIST_DATABASE_URL": database_url}
    dataset = prepare_database(arguments, database_url, work_dir, env)
    timings = time_serialisation(database_url, arguments.serialize_repeats)

    cases = build_cases(arguments.service_id)
    results = Results()
    www = work_dir / "www"
    www.mkdir()
    # nginx started as root runs its workers as "nobody", which must be able to read the files.
    for path in (work_dir, www):
        path.chmod(0o755)

    with contextlib.ExitStack() as stack:
        servers: list[Server] = []
        for workers in arguments.workers:
            server = stack.enter_context(running(start_ours(workers, work_dir, env)))
            ready = wait_until_ready(server, "/v1/lists")
            results.first_request_ms[f"{server.name} /v1/lists"] = ready.seconds * 1000
            servers.append(server)
        bodies = copy_responses(servers[0], cases, www, results)
        for workers in arguments.nginx_workers:
            server = stack.enter_context(running(start_nginx(workers, work_dir, www, env)))
            wait_until_ready(server, "/service.json")
            servers.append(server)
        for server in servers:
            server.etag = catalogue_etag(server)
            check_responses(server, cases, bodies)

        results.load_average_before = load_average()
        run_load(servers, cases, load, results)
        results.load_average_after = load_average()

        for server in servers:
            results.memory_mib[server.name] = resident_memory_mib(server.process.pid)

    return report(arguments, load, dataset, cases, servers, bodies, results, timings, work_dir)


def main() -> int:
    arguments = parse_arguments()
    signal.signal(signal.SIGTERM, raise_on_sigterm)
    try:
        check_tools()
    except RuntimeError as error:
        log(str(error))
        return 1
    work_dir = Path(tempfile.mkdtemp(prefix="servicelist-bench-"))
    log(f"working in {work_dir}")
    try:
        markdown = measure(arguments, work_dir)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        log(f"benchmark failed: {error}")
        return 1
    except KeyboardInterrupt:
        log("Interrupted. Every server this run started has been stopped.")
        return 130
    finally:
        if arguments.keep_temp:
            log(f"kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(markdown)
    if arguments.output is not None:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(markdown)
        log(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
