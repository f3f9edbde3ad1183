#!/usr/bin/env python3
"""Cold-start benchmark of the Relay functions (python3 stdlib only). Called by bench/coldstart/run.sh.

For each function jar and each configuration it starts the JVM directly (no wrapper shell), POSTs a small
CloudEvent the function rejects quickly (4xx problem) in a tight bounded loop until an HTTP answer arrives,
records the time from just before fork/exec to that answer and the JVM's VmRSS right after it, then kills
the JVM. Configurations are interleaved run by run so drift on the machine hits all of them alike. The shipped
configuration is the function's OCI image itself (see unpack_image / start_image).
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
import tarfile
import time
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAVA17 = os.environ.get("JAVA17_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")
JAVA25 = os.environ.get("JAVA25_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
ALL_FUNCTIONS = ["on-scan-pass-bump", "on-push-build", "on-image-scan", "on-sync-verify",
                 "on-metric-rollback", "webhook-ingress"]
# The shipped row runs the function's OCI image (mvn -B package -Pimages) the way a container runtime would: its
# layers unpacked into a root directory, its entrypoint under chroot as the image's user, with /proc and /dev in a
# private mount namespace. Env as knative/<f>/service.yaml sets it, plus -XX:MaxRAM=<the Services' memory limit> so
# the heap is sized as in the pod (the entrypoint's -XX:MaxRAMPercentage applies to it).
POD_MEMORY_LIMIT = os.environ.get("POD_MEMORY_LIMIT", "512m")
IMAGE_USER = "65532:65532"
START_TIMEOUT = float(os.environ.get("START_TIMEOUT", "90"))   # bound of the polling loop, seconds
POLL_SLEEP = 0.005                                              # between refused connects

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
    if java == "image":
        return start_image(jar, port, logfile)
    cmd = [os.path.join(java, "bin", "java"), *jvm_flags, "-jar", jar,
           f"--server.port={port}", "--server.address=127.0.0.1",
           # every function gets the same config; webhook-ingress does not import RELAY_CONFIG by itself
           f"--spring.config.import=optional:file:{relay_cfg}"]
    env = dict(os.environ, RELAY_CONFIG=relay_cfg, K_SINK="http://127.0.0.1:9/coldstart-sink")
    return spawn(cmd, env, logfile, cwd)


def start_image(image, port, logfile):
    """The image's own entrypoint in its unpacked root: sh (host) execs chroot execs the JVM, so the pid is the JVM's."""
    rootfs, entrypoint, image_env = image
    cmd = ["unshare", "--mount", "--", "/bin/sh", "-c",
           'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && '
           f'exec chroot --userspec={IMAGE_USER} "$0" "$@"', rootfs, *entrypoint]
    env = dict(image_env, SERVER_PORT=str(port), SERVER_ADDRESS="127.0.0.1",
               SPRING_CONFIG_IMPORT="optional:file:/etc/relay/relay.yaml",
               K_SINK="http://127.0.0.1:9/coldstart-sink",
               JAVA_TOOL_OPTIONS=f"-XX:-UsePerfData -XX:MaxRAM={POD_MEMORY_LIMIT}")
    return spawn(cmd, env, logfile, "/")


def spawn(cmd, env, logfile, cwd):
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


# ---------------------------------------------------------------- shipped configuration: the OCI image
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


def unpack_image(fn, tarball, work, relay_yaml_text):
    """Applies the OCI tarball's layers in order into <work>/<fn>/image/rootfs, as a container runtime would."""
    d = os.path.join(work, fn, "image")
    shutil.rmtree(d, ignore_errors=True)
    oci, rootfs = os.path.join(d, "oci"), os.path.join(d, "rootfs")
    with tarfile.open(tarball) as t:
        t.extractall(oci)
    with open(os.path.join(oci, "index.json")) as f:
        manifest_digest = json.load(f)["manifests"][0]["digest"]

    def blob(digest):
        return os.path.join(oci, "blobs", *digest.split(":"))

    with open(blob(manifest_digest)) as f:
        manifest = json.load(f)
    with open(blob(manifest["config"]["digest"])) as f:
        config = json.load(f)["config"]
    for layer in manifest["layers"]:
        with tarfile.open(blob(layer["digest"]), "r:gz") as t:
            t.extractall(rootfs, numeric_owner=True)
    for mountpoint in ("proc", "dev", "etc/relay"):
        os.makedirs(os.path.join(rootfs, mountpoint), exist_ok=True)
    with open(os.path.join(rootfs, "etc", "relay", "relay.yaml"), "w") as f:   # where the ConfigMap is mounted
        f.write(relay_yaml_text)
    env = dict(kv.split("=", 1) for kv in config.get("Env", []))
    return (rootfs, config["Entrypoint"], env), d


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

    notes = ["lazy-initialization is already true in every function's application.yaml, so the plain"
             " configurations start lazily too.",
             f"shipped = the function's OCI image run under chroot, heap bound by -XX:MaxRAM={POD_MEMORY_LIMIT}"
             " (the Services' memory limit) with the entrypoint's -XX:MaxRAMPercentage."]
    have25 = os.path.isfile(os.path.join(JAVA25, "bin", "java"))
    configs = [("plain-17", JAVA17)]
    if have25:
        configs += [("plain-25", JAVA25)]
    else:
        notes.append(f"Java 25 not found at {JAVA25}: plain-25 skipped.")
    can_chroot = os.geteuid() == 0 and shutil.which("unshare") and shutil.which("chroot")
    if can_chroot:
        configs += [("shipped", "image")]
    else:
        notes.append("not root (or no unshare/chroot): the shipped row (the image under chroot) is skipped.")

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
        if can_chroot:
            tarball = os.path.join(ROOT, "functions", fn, "target", "image", f"{fn}.tar")
            try:
                if not os.path.isfile(tarball):
                    raise RuntimeError(f"no {os.path.relpath(tarball, ROOT)}: build it with mvn -B package -Pimages")
                image, d = unpack_image(fn, tarball, work, RELAY_YAML)
                plan["shipped"] = ("image", [], image, d)
            except Exception as e:   # keep going: the plain rows are still worth having
                failures.append(f"{fn} shipped: {e}")
                plan.pop("shipped")
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
            if name == "shipped":
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
        out.append("Issue 7 goals for shipped (time <= 1/5 of plain-17, < 400 ms, RSS < 150 MB):")
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
