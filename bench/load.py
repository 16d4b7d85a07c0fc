"""Load test: the app in production mode under gunicorn, driven by wrk. Prints figures; exits 1 on any error.

    .venv/bin/python bench/load.py                      # temporary SQLite database
    .venv/bin/python bench/load.py --postgres postgres://postgres@127.0.0.1:5432 --redis-url redis://127.0.0.1:6379/3

What it does, all in a temporary directory that is removed afterwards:
1. a fresh database (an SQLite file, or a temporary PostgreSQL database created on the server given
   with --postgres and dropped at the end), `migrate`, `load_seeds`, `collectstatic`;
2. gunicorn (gunicorn.conf.py) on 127.0.0.1:PORT with DEBUG=false, a random SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1 and REDIS_URL if given; SECURE_SSL_REDIRECT=false because wrk speaks
   plain http to 127.0.0.1 (in production a TLS proxy stands in front);
3. for each URL: one GET to see that it exists (a 404 is skipped with a note: the API lives on
   another branch until merged), then a bounded wrk run (fixed duration and connections);
4. a table per URL: requests, requests/s, latency (p50, p99, max), errors. An error is a socket
   error (connect, read, write, timeout) or a status other than 2xx/3xx.

Throttling: every wrk connection comes from 127.0.0.1, so the API's throttles (meant for one
visitor; DRF's user throttle also counts anonymous requests by address) would turn most of the run
into HTTP 429. The run therefore raises both through the API's own variables,
API_ANON_THROTTLE_RATE and API_USER_THROTTLE_RATE = 1000000/minute: the throttles still run and
record every request, they just never refuse. `--env API_ANON_THROTTLE_RATE=120/minute` puts a
limit back. Any 429 is counted in its own column, not as an error.

Needs wrk (Debian/Ubuntu: `sudo apt-get install wrk`; macOS: `brew install wrk`).
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URLS = ["/admin/login/", "/api/v1/recommendations/", "/api/v1/stats/", "/api/v1/themes/"]

# wrk script: counts responses by status in every thread and prints one JSON line at the end.
WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, n)) end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"p50_us": %d, "p99_us": %d, "max_us": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ", ")))
end
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8103, help="port for gunicorn on 127.0.0.1 (default 8103)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--urls", nargs="+", default=DEFAULT_URLS, help="paths to load (default: %(default)s)")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server to create the temporary database on")
    parser.add_argument("--redis-url", help="REDIS_URL for the app (shared cache), e.g. redis://127.0.0.1:6379/3")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment for the app (repeat)"
    )
    return parser.parse_args()


def temporary_postgres(server_url, stack):
    """Create a uniquely named database on the server; drop it when the stack closes. Returns its URL."""
    import psycopg

    server = urlsplit(server_url)
    name = f"tracker_bench_{secrets.token_hex(4)}"
    admin_url = server._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    stack.callback(drop)
    return server._replace(path=f"/{name}").geturl()


def manage(*args, env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def start_gunicorn(env, log_path, stack):
    log = stack.enter_context(open(log_path, "w"))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "tracker.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def stop():
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    stack.callback(stop)
    return process


def get(url):
    """Status of one GET, following no redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_up(base, process, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with code {process.returncode}; its log:\n{Path(log_path).read_text()}")
        try:
            if get(base + "/admin/login/") == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer within {timeout}s; its log:\n{Path(log_path).read_text()}")


def run_wrk(url, args, script_path):
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        "--timeout=10s",
        f"--script={script_path}",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    sys.exit(f"wrk gave no result for {url}:\n{result.stdout}{result.stderr}")


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed. Debian/Ubuntu: sudo apt-get install wrk   macOS: brew install wrk")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tracker-bench-")))
        database_url = temporary_postgres(args.postgres, stack) if args.postgres else f"sqlite:///{tmp / 'db.sqlite3'}"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "STATIC_ROOT": str(tmp / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{args.port}",
            "LOG_LEVEL": "WARNING",
            # See the module docstring: one client address for the whole run.
            "API_ANON_THROTTLE_RATE": "1000000/minute",
            "API_USER_THROTTLE_RATE": "1000000/minute",
        }
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
        if args.workers:
            env["WEB_CONCURRENCY"] = str(args.workers)
        for pair in args.env:
            name, _, value = pair.partition("=")
            env[name] = value

        print(f"database: {urlsplit(database_url).scheme} ({'temporary' if args.postgres else tmp / 'db.sqlite3'})")
        manage("migrate", "--noinput", env=env)
        print(manage("load_seeds", env=env).strip())
        manage("collectstatic", "--noinput", env=env)

        log_path = tmp / "gunicorn.log"
        process = start_gunicorn(env, log_path, stack)
        base = f"http://127.0.0.1:{args.port}"
        wait_until_up(base, process, log_path)
        print(
            f"gunicorn up at {base} (workers: {args.workers or 'gunicorn.conf.py default'}, "
            f"cache: {'Redis' if args.redis_url else 'local memory'}); "
            f"wrk: {args.threads} threads, {args.connections} connections, {args.duration}s per URL\n"
        )

        script_path = tmp / "count.lua"
        script_path.write_text(WRK_SCRIPT)
        header = f"{'URL':<28} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        header += f"{'errors':>6} {'429':>6}"
        rows, total_errors, throttled = [], 0, 0
        for path in args.urls:
            status = get(base + path)
            if status == 404:
                print(f"skipped {path}: 404 on this branch")
                continue
            result = run_wrk(base + path, args, script_path)
            statuses = {int(code): n for code, n in result["statuses"].items()}
            bad_status = sum(n for code, n in statuses.items() if not 200 <= code < 400 and code != 429)
            socket_errors = sum(result[kind] for kind in ("connect", "read", "write", "timeout"))
            errors = bad_status + socket_errors
            total_errors += errors
            throttled += statuses.get(429, 0)
            seconds = result["duration_us"] / 1e6
            rows.append(
                f"{path:<28} {result['requests']:>9} {result['requests'] / seconds:>8.1f} "
                f"{result['p50_us'] / 1000:>7.1f} {result['p99_us'] / 1000:>7.1f} {result['max_us'] / 1000:>7.1f} "
                f"{errors:>6} {statuses.get(429, 0):>6}"
            )
            if errors:
                rows.append(f"  status counts {dict(sorted(statuses.items()))}, socket errors {socket_errors}")

        print(header)
        print("\n".join(rows))
        if throttled:
            print(
                "\nnote: 429 = throttled by the API (one client address for the whole run); see --help on "
                "the throttle rates."
            )
        if total_errors:
            print(f"\nFAILED: {total_errors} errors")
            kept = Path(tempfile.gettempdir()) / "tracker-bench-gunicorn.log"
            shutil.copy(log_path, kept)
            print(f"gunicorn log copied to {kept}")
            return 1
        print("\nno errors")
        return 0


if __name__ == "__main__":
    sys.exit(main())
