#!/usr/bin/env python3
"""Cold-start benchmark of the Relay functions (python3 stdlib only). Called by bench/coldstart/run.sh.

For each function jar and each configuration it starts the JVM directly (no wrapper shell), POSTs a small
CloudEvent the function rejects quickly (4xx problem) in a tight bounded loop until an HTTP answer arrives,
records the time from just before fork/exec to that answer and the JVM's VmRSS right after it, then kills
the JVM. Configurations are interleaved run by run so drift on the machine hits all of them alike.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAVA17 = os.environ.get("JAVA17_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")
JAVA25 = os.environ.get("JAVA25_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
ALL_FUNCTIONS = ["on-scan-pass-bump", "on-push-build", "on-image-scan", "on-sync-verify",
                 "on-metric-rollback", "webhook-ingress"]
SHIPPED_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
                 "-Dspring.main.lazy-initialization=true"]
START_TIMEOUT = float(os.environ.get("START_TIMEOUT", "90"))   # bound of the polling loop, seconds
POLL_SLEEP = 0.005                                              # between refused connects
TRAIN_REQUESTS = int(os.environ.get("TRAIN_REQUESTS", "20"))

LIVE = {}          # pid -> Popen of every JVM we started and have not reaped yet
PIDFILE = None     # run.sh's trap kills whatever is still listed here


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def track(p):
    LIVE[p.pid] = p
    _write_pids()


def untrack(p):
    LIVE.pop(p.pid, None)
    _write_pids()


def _write_pids():
    if PIDFILE:
        with open(PIDFILE, "w") as f:
            f.write("".join(f"{pid}\n" for pid in LIVE))


def kill_all(*_):
    for p in list(LIVE.values()):
        try:
            p.kill()
            p.wait(10)
        except Exception:
            pass
        untrack(p)


def on_signal(signum, _frame):
    kill_all()
    sys.exit(128 + signum)


# ---------------------------------------------------------------- probes (one small rejected event each)
DIGEST = "sha256:4c3f5e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180716253443526170ff"


def ce(type_, data, app="coldstart-no-such-app", env=None):
    h = {"ce-specversion": "1.0", "ce-type": type_, "ce-source": "/bench/coldstart", "ce-id": "coldstart-1",
         "ce-relayapp": app, "content-type": "application/json"}
    if env:
        h["ce-relayenv"] = env
    return "/", h, json.dumps(data).encode()


PROBES = {
    "on-scan-pass-bump": ce("dev.relay.scan.passed", {
        "image": "registry.example.com/coldstart/none", "tag": "1.0.0", "digest": DIGEST,
        "counts": {"critical": 0, "high": 0, "medium": 0, "low": 0, "unknown": 0}, "policy": "default"}),
    "on-image-scan": ce("dev.relay.image.pushed", {
        "image": "registry.example.com/coldstart/none", "tag": "1.0.0", "digest": DIGEST,
        "registry": "registry.example.com"}),
    "on-push-build": ce("dev.relay.git.pushed", {
        "repository": "https://git.example.com/coldstart/none.git", "ref": "refs/heads/main",
        "commit": "0123456789abcdef0123456789abcdef01234567", "before": "0" * 40, "pusher": "bench",
        "provider": "github"}),
    "on-sync-verify": ce("dev.relay.sync.succeeded", {
        "app": "coldstart-no-such-app", "environment": "development", "revision": "0" * 40,
        "provider": "argocd"}, env="development"),
    "on-metric-rollback": ce("dev.relay.metric.breached", {
        "app": "coldstart-no-such-app", "environment": "development", "metric": "error_rate",
        "value": 0.5, "threshold": 0.05}, env="development"),
    "webhook-ingress": ("/webhooks", {
        "content-type": "application/json", "x-github-event": "ping",
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "user-agent": "GitHub-Hookshot/coldstart"},
        json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1,
                    "hook": {"type": "Repository", "id": 1, "events": ["push"]}}).encode()),
}


def post(port, probe, timeout):
    path, headers, body = probe
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("POST", path, body=body, headers=headers)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


# ---------------------------------------------------------------- one JVM
def start(java, jvm_flags, jar, port, relay_cfg, logfile, cwd):
    cmd = [os.path.join(java, "bin", "java"), *jvm_flags, "-jar", jar,
           f"--server.port={port}", "--server.address=127.0.0.1",
           # every function gets the same config; webhook-ingress does not import RELAY_CONFIG by itself
           f"--spring.config.import=optional:file:{relay_cfg}"]
    env = dict(os.environ, RELAY_CONFIG=relay_cfg, K_SINK="http://127.0.0.1:9/coldstart-sink")
    out = open(logfile, "wb")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env,
                         start_new_session=True)
    track(p)
    out.close()
    return p, t0


def first_answer(p, t0, port, probe):
    """Tight bounded loop: POST the probe until an HTTP answer arrives. Returns (ms, status, rss_mb)."""
    deadline = t0 + START_TIMEOUT
    while True:
        if p.poll() is not None:
            raise RuntimeError(f"JVM exited with {p.returncode} before answering")
        try:
            status, _ = post(port, probe, timeout=max(1.0, deadline - time.monotonic()))
            t1 = time.monotonic()
            return (t1 - t0) * 1000.0, status, rss_mb(p.pid)
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"no HTTP answer within {START_TIMEOUT:.0f}s")
        time.sleep(POLL_SLEEP)


def stop(p, graceful=False, timeout=120):
    if p.poll() is None:
        if graceful:
            os.kill(p.pid, signal.SIGTERM)      # the JVM itself, not a wrapper: it writes the AOT cache at exit
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        else:
            p.kill()
            p.wait(10)
    untrack(p)
    return p.returncode


# ---------------------------------------------------------------- shipped configuration: extract + train
def snapshot_jar(jar, dest):
    """Copy the jar into the work dir (a concurrent `mvn install` rewriting target/ must not hit a run)."""
    for _ in range(60):
        before = os.stat(jar).st_size
        shutil.copy2(jar, dest)
        if before == os.stat(jar).st_size == os.path.getsize(dest) and zipfile.is_zipfile(dest):
            try:
                with zipfile.ZipFile(dest) as z:
                    if z.testzip() is None:
                        return dest
            except zipfile.BadZipFile:
                pass
        time.sleep(1)
    raise RuntimeError(f"{jar} kept changing or is not a valid jar")


def prepare_shipped(fn, jar, work, relay_cfg):
    d = os.path.join(work, fn, "shipped")
    ext = os.path.join(d, "ext")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    java = os.path.join(JAVA25, "bin", "java")
    subprocess.run([java, "-Djarmode=tools", "-jar", jar, "extract", "--destination", ext],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    jars = [f for f in os.listdir(ext) if f.endswith(".jar")]
    if len(jars) != 1:
        raise RuntimeError(f"expected one application jar in {ext}, got {jars}")
    app_jar = os.path.join(ext, jars[0])
    aot = os.path.join(d, "app.aot")
    port = free_port()
    t = time.monotonic()
    p, t0 = start(JAVA25, [f"-XX:AOTCacheOutput={aot}", *SHIPPED_FLAGS], app_jar, port, relay_cfg,
                  os.path.join(d, "training.log"), d)
    try:
        first_answer(p, t0, port, PROBES[fn])
        for _ in range(TRAIN_REQUESTS):          # a few real requests: the whole CloudEvent/HTTP path
            post(port, PROBES[fn], 30)
        for path in ("/actuator/health", "/actuator/health/readiness"):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", path)
            c.getresponse().read()
            c.close()
    finally:
        rc = stop(p, graceful=True)
    size = os.path.getsize(aot) if os.path.exists(aot) else 0
    if size == 0:
        raise RuntimeError(f"training of {fn} left no AOT cache (exit {rc}); see {d}/training.log")
    log(f"  {fn}: AOT cache {size / 1048576:.0f} MB trained in {time.monotonic() - t:.1f}s (exit {rc})")
    return app_jar, [f"-XX:AOTCache={aot}", *SHIPPED_FLAGS], d


# ---------------------------------------------------------------- main
def main():
    global PIDFILE
    work = os.environ["COLDSTART_WORK"]
    PIDFILE = os.path.join(work, "jvm.pids")
    runs = int(os.environ.get("RUNS", "5"))
    fns = os.environ.get("FUNCTIONS", "").replace(",", " ").split() or ALL_FUNCTIONS
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    relay_cfg = os.path.join(work, "relay.yaml")
    with open(relay_cfg, "w") as f:
        f.write(RELAY_YAML)

    notes = ["Spring AOT (process-aot) is not set up in the build: no configuration uses it.",
             "lazy-initialization is already true in every function's application.yaml, so the plain"
             " configurations start lazily too."]
    have25 = os.path.isfile(os.path.join(JAVA25, "bin", "java"))
    configs = [("plain-17", JAVA17)]
    if have25:
        configs += [("plain-25", JAVA25), ("shipped-25", JAVA25)]
    else:
        notes.append(f"Java 25 not found at {JAVA25}: plain-25 and shipped-25 skipped.")

    load_start = os.getloadavg()[0]
    results = {}   # (fn, config) -> list of (ms, status, rss)
    failures = []
    t_all = time.monotonic()
    for fn in fns:
        jars = [os.path.join(ROOT, "functions", fn, "target", j)
                for j in sorted(os.listdir(os.path.join(ROOT, "functions", fn, "target")))
                if j.endswith("-exec.jar")] if os.path.isdir(os.path.join(ROOT, "functions", fn, "target")) else []
        if not jars:
            failures.append(f"{fn}: no functions/{fn}/target/*-exec.jar (build first)")
            continue
        log(f"{fn}: {os.path.relpath(jars[0], ROOT)}")
        os.makedirs(os.path.join(work, fn), exist_ok=True)
        jar = snapshot_jar(jars[0], os.path.join(work, fn, os.path.basename(jars[0])))
        plan = {name: (java, [], jar, os.path.join(work, fn)) for name, java in configs}
        if have25:
            try:
                app_jar, flags, d = prepare_shipped(fn, jar, work, relay_cfg)
                plan["shipped-25"] = (JAVA25, flags, app_jar, d)
            except Exception as e:   # keep going: the plain rows are still worth having
                failures.append(f"{fn} shipped-25 training: {e}")
                plan.pop("shipped-25")
        for r in range(runs):
            for name, (java, flags, j, d) in plan.items():
                port = free_port()
                logfile = os.path.join(d, f"{name}-run{r + 1}.log")
                p, t0 = start(java, flags, j, port, relay_cfg, logfile, d)
                try:
                    ms, status, rss = first_answer(p, t0, port, PROBES[fn])
                except Exception as e:
                    failures.append(f"{fn} {name} run {r + 1}: {e} (log {logfile})")
                    continue
                finally:
                    stop(p)
                results.setdefault((fn, name), []).append((ms, status, rss))
                if status >= 500 or status in (404, 405):
                    failures.append(f"{fn} {name} run {r + 1}: unexpected HTTP {status} (log {logfile})")
                log(f"  {fn:20s} {name:10s} run {r + 1}: {ms:7.0f} ms  HTTP {status}  RSS {rss:5.0f} MB")

    # ------------------------------------------------------------ report
    rows, goals = [], []
    for fn in fns:
        base = results.get((fn, "plain-17"))
        base_ms = statistics.median(x[0] for x in base) if base else None
        for name, _ in configs:
            v = results.get((fn, name))
            if not v:
                continue
            ms = statistics.median(x[0] for x in v)
            rss = statistics.median(x[2] for x in v)
            st = ",".join(sorted({str(x[1]) for x in v}))
            ratio = f"{ms / base_ms:.2f}" if base_ms else "-"
            rows.append((fn, name, f"{ms:.0f}", f"{rss:.0f}", ratio, st, f"{len(v)}"))
            if name == "shipped-25":
                ok_ratio = base_ms is not None and ms <= base_ms / 5
                ok_ms, ok_rss = ms < 400, rss < 150
                goals.append((fn, f"{ms / base_ms:.3f} {'ok' if ok_ratio else 'MISSED'}" if base_ms else "-",
                              f"{ms:.0f} ms {'ok' if ok_ms else 'MISSED'}",
                              f"{rss:.0f} MB {'ok' if ok_rss else 'MISSED'}",
                              "yes" if ok_ratio and ok_ms and ok_rss else "no"))
    out = []
    out.append(f"Cold start: process start -> first answered CloudEvent; RSS = VmRSS right after it. "
               f"RUNS={runs}, {os.cpu_count()} CPUs, total {time.monotonic() - t_all:.0f}s, "
               f"1-min load average {load_start:.1f} at start / {os.getloadavg()[0]:.1f} at end "
               f"(other work on the machine inflates every row).")
    out.append("")
    out.append("| function | config | median ms | median RSS MB | time / plain-17 | HTTP | runs |")
    out.append("|---|---|---:|---:|---:|---|---:|")
    out += [f"| {' | '.join(r)} |" for r in rows]
    if goals:
        out.append("")
        out.append("Issue 7 goals for shipped-25 (time <= 1/5 of plain-17, < 400 ms, RSS < 150 MB):")
        out.append("")
        out.append("| function | shipped/plain-17 <= 0.20 | < 400 ms | RSS < 150 MB | all met |")
        out.append("|---|---|---|---|---|")
        out += [f"| {' | '.join(g)} |" for g in goals]
    out.append("")
    out += [f"Note: {n}" for n in notes]
    out += [f"FAILED: {f}" for f in failures]
    text = "\n".join(out)
    print(text, flush=True)
    with open(os.path.join(work, "results.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump([{"function": fn, "config": c, "ms": ms, "status": st, "rss_mb": rss}
                   for (fn, c), v in results.items() for ms, st, rss in v], f, indent=1)
    return 1 if failures else 0


# minimal pipeline config: the config repository need not exist, nothing touches it before an event for it
RELAY_YAML = """\
relay:
  pipelines:
    web-app:
      image: registry.example.com/team/web-app
      config-repo:
        url: file:///nonexistent/relay-coldstart/config.git
        branch: main
      environments:
        - name: development
          path: apps/web-app/overlays/development/kustomization.yaml
          strategy: kustomize
"""

if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        kill_all()
