#!/usr/bin/env python3
"""Helper for bench/bump/run.sh (python3 standard library only).

Subcommands (all write/read JSON results under --out):
  setup        bare config repo (~2,000 files, ~5,000 commits via git fast-import) + relay.yaml
  free-port    print a free loopback TCP port
  wait-health  poll GET /actuator/health until status UP (bounded)
  relay-latency   warm-up + N sequential POST /on-scan-pass-bump, latency per request
  relay-throughput  CONC concurrent bumps from a pool of THREADS, wall time, no loss / no duplicates
  baseline-fresh    git CLI: fresh `clone --depth 50` + edit + commit + push, N times
  baseline-persistent  git CLI: persistent clone, `fetch --depth 50 && reset --hard`, edit, commit, push
  baseline-throughput  git CLI: CONC bumps from a pool of THREADS, each fresh clone, rebase+retry on reject
  report       print the table, exit 1 if any correctness check failed
"""
import argparse
import concurrent.futures
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

APPS = 50
IMAGE_PREFIX = "registry.example.com/bench/"
GIT_ENV = dict(os.environ,
               GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com",
               GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
GIT_ENV["HOME"] = GIT_ENV.get("BENCH_GIT_HOME", GIT_ENV.get("HOME", "/tmp"))


def app_name(i):
    return "app-%02d" % (i % APPS)


def overlay_path(app):
    return "apps/%s/overlays/development/kustomization.yaml" % app


def overlay_text(app, tag="0.0.1"):
    return ("apiVersion: kustomize.config.k8s.io/v1beta1\n"
            "kind: Kustomization\n"
            "resources:\n"
            "  - ../../base\n"
            "images:\n"
            "  - name: %s%s # written by Relay\n"
            "    newTag: \"%s\"\n" % (IMAGE_PREFIX, app, tag))


def git(*args, cwd=None, check=True, capture=True):
    r = subprocess.run(("git",) + args, cwd=cwd, env=GIT_ENV, check=False,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if check and r.returncode != 0:
        raise RuntimeError("git %s failed (%d): %s" % (" ".join(args), r.returncode,
                                                      r.stderr.decode(errors="replace").strip()))
    return r


def commit_count(repo):
    return int(git("--git-dir", repo, "rev-list", "--count", "main").stdout.decode().strip())


def head(repo):
    return git("--git-dir", repo, "rev-parse", "main").stdout.decode().strip()


def event_ids_between(repo, old, new):
    """Relay-Event-Id trailer values of the commits in old..new (one list entry per commit, '' if none)."""
    out = git("--git-dir", repo, "log", "--format=%x1e%(trailers:key=Relay-Event-Id,valueonly)",
              "%s..%s" % (old, new)).stdout.decode()
    ids = []
    for rec in out.split("\x1e")[1:]:
        ids.append(rec.strip())
    return ids


def percentile(values, p):
    """Nearest-rank percentile."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def summarize(lat):
    return {"n": len(lat), "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99),
            "mean_ms": sum(lat) / len(lat) if lat else None,
            "min_ms": min(lat) if lat else None, "max_ms": max(lat) if lat else None}


def save(out, name, data):
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(data, f, indent=2)


def load(out, name):
    p = os.path.join(out, name + ".json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def digest_for(s):
    return "sha256:" + hashlib.sha256(s.encode()).hexdigest()


# --------------------------------------------------------------------------- setup

def filler_text(rng, idx, rev):
    lines = ["# filler %d rev %d" % (idx, rev), "apiVersion: v1", "kind: ConfigMap", "metadata:",
             "  name: filler-%04d" % idx, "data:"]
    for k in range(rng.randint(20, 50)):
        lines.append("  key-%03d: \"%s\"" % (k, "%032x" % rng.getrandbits(128)))
    return "\n".join(lines) + "\n"


def cmd_setup(a):
    out = a.out
    repo = os.path.join(out, "config.git")
    rng = random.Random(42)
    t0 = time.time()
    git("init", "-q", "--bare", "-b", "main", repo)
    fillers = []
    for app in range(APPS):
        fillers.append("apps/%s/base/kustomization.yaml" % app_name(app))
        fillers.append("apps/%s/base/deployment.yaml" % app_name(app))
    n_other = a.files - APPS - len(fillers)
    for i in range(n_other):
        fillers.append("platform/team-%02d/svc-%02d/config-%04d.yaml" % (i % 20, (i // 20) % 25, i))
    proc = subprocess.Popen(["git", "--git-dir", repo, "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE, env=GIT_ENV)
    w = proc.stdin

    def data(b):
        w.write(b"data %d\n" % len(b))
        w.write(b)
        w.write(b"\n")

    ts = 1700000000
    # commit 1: every file
    w.write(b"commit refs/heads/main\nmark :1\n")
    w.write(b"committer bench <bench@example.com> %d +0000\n" % ts)
    data(b"initial layout")
    for app in range(APPS):
        w.write(("M 100644 inline %s\n" % overlay_path(app_name(app))).encode())
        data(overlay_text(app_name(app)).encode())
    for idx, p in enumerate(fillers):
        w.write(("M 100644 inline %s\n" % p).encode())
        data(filler_text(rng, idx, 0).encode())
    # commits 2..N: each rewrites one or two filler files
    for c in range(2, a.commits + 1):
        ts += 60
        w.write(b"commit refs/heads/main\nmark :%d\n" % c)
        w.write(b"committer bench <bench@example.com> %d +0000\n" % ts)
        data(("change %d\n\nSome history so the repository is not trivially small.\n" % c).encode())
        w.write(b"from :%d\n" % (c - 1))
        for _ in range(rng.randint(1, 2)):
            idx = rng.randrange(len(fillers))
            w.write(("M 100644 inline %s\n" % fillers[idx]).encode())
            data(filler_text(rng, idx, c).encode())
    w.write(b"done\n")
    w.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    git("--git-dir", repo, "repack", "-a", "-d", "-q")
    git("--git-dir", repo, "config", "receive.denyNonFastForwards", "true")
    files = len(git("--git-dir", repo, "ls-tree", "-r", "--name-only", "main").stdout.splitlines())
    commits = commit_count(repo)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(repo) for f in fs)

    cache = os.path.join(out, "cache")
    os.makedirs(cache, exist_ok=True)
    url = a.url or ("file://" + os.path.abspath(repo))
    lines = ["relay:", "  git:", "    cache-dir: %s" % os.path.abspath(cache), "    depth: %d" % a.depth,
             "  pipelines:"]
    for app in range(APPS):
        n = app_name(app)
        lines += ["    %s:" % n,
                  "      image: %s%s" % (IMAGE_PREFIX, n),
                  "      config-repo:",
                  "        url: %s" % url,
                  "        branch: main",
                  "      environments:",
                  "        - name: development",
                  "          path: %s" % overlay_path(n),
                  "          strategy: kustomize",
                  "          pin-digest: true"]
    with open(os.path.join(out, "relay.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    info = {"repo": os.path.abspath(repo), "url": url, "files": files, "commits": commits,
            "repo_bytes": size, "seconds": round(time.time() - t0, 2)}
    save(out, "setup", info)
    print("setup: %d files, %d commits on main, %.1f MiB packed, %.1fs -> %s"
          % (files, commits, size / 1048576, info["seconds"], repo))


def cmd_free_port(a):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_wait_health(a):
    deadline = time.time() + a.timeout
    last = ""
    while time.time() < deadline:
        if a.pid and not os.path.exists("/proc/%d" % a.pid):
            sys.exit("relay-local (pid %d) exited before becoming healthy" % a.pid)
        try:
            c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=2)
            c.request("GET", "/actuator/health")
            r = c.getresponse()
            body = r.read().decode(errors="replace")
            c.close()
            last = "%d %s" % (r.status, body[:200])
            if r.status == 200 and json.loads(body).get("status") == "UP":
                print("relay-local healthy after %.1fs" % (a.timeout - (deadline - time.time())))
                return
        except (OSError, ValueError, http.client.HTTPException) as e:
            last = str(e)
        time.sleep(0.25)
    sys.exit("relay-local not healthy within %ds (last: %s)" % (a.timeout, last))


# --------------------------------------------------------------------------- relay

class BumpClient:
    def __init__(self, port):
        self.port = port
        self.conn = None

    def bump(self, app, tag, event_id):
        body = json.dumps({"image": IMAGE_PREFIX + app, "tag": tag,
                           "digest": digest_for(event_id)}).encode()
        headers = {"ce-specversion": "1.0", "ce-type": "dev.relay.scan.passed", "ce-source": "/bench",
                   "ce-id": event_id, "ce-relayapp": app, "content-type": "application/json",
                   "content-length": str(len(body))}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                t0 = time.perf_counter()
                self.conn.request("POST", "/on-scan-pass-bump", body=body, headers=headers)
                r = self.conn.getresponse()
                payload = r.read()
                ms = (time.perf_counter() - t0) * 1000
                if r.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r.getheader("ce-type"), payload, ms
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # a kept-alive connection the server had closed: reconnect once (not timed twice)
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise


def check_answer(status, ce_type, payload):
    if status != 200 or ce_type != "dev.relay.manifest.bumped":
        return "HTTP %s ce-type=%s body=%s" % (status, ce_type, payload[:300].decode(errors="replace"))
    return None


def cmd_relay_latency(a):
    repo = load(a.out, "setup")["repo"]
    run = uuid.uuid4().hex[:8]
    client = BumpClient(a.port)
    errors = []
    before = commit_count(repo)
    warm = []
    for i in range(a.warmup):
        eid = "bench-%s-warm-%d" % (run, i)
        st, ty, body, ms = client.bump(app_name(i), "0.9.%d" % i, eid)
        warm.append(ms)
        err = check_answer(st, ty, body)
        if err:
            errors.append("warm-up %d: %s" % (i, err))
            if len(errors) >= 3:
                break
    lat = []
    if not errors:
        for i in range(a.n):
            eid = "bench-%s-lat-%d" % (run, i)
            st, ty, body, ms = client.bump(app_name(i), "1.0.%d" % i, eid)
            err = check_answer(st, ty, body)
            if err:
                errors.append("bump %d: %s" % (i, err))
                if len(errors) >= 5:
                    break
            else:
                lat.append(ms)
    after = commit_count(repo)
    expected = a.warmup + a.n
    ok = not errors and after - before == expected
    res = {"warmup_ms": warm, "latencies_ms": lat, "summary": summarize(lat),
           "commits_before": before, "commits_after": after, "expected_new_commits": expected,
           "ok": ok, "errors": errors[:5]}
    save(a.out, "relay_latency", res)
    s = res["summary"]
    print("relay latency: first warm-up bump %.0f ms; n=%d p50=%s p99=%s ms; commits %d -> %d (expected +%d) %s"
          % (warm[0] if warm else -1, s["n"], fmt(s["p50_ms"]), fmt(s["p99_ms"]), before, after, expected,
             "OK" if ok else "FAILED"))
    for e in errors[:5]:
        print("  error: " + e)
    return 0 if ok else 1


def cmd_relay_throughput(a):
    repo = load(a.out, "setup")["repo"]
    run = uuid.uuid4().hex[:8]
    reqs = []
    for i in range(a.conc):
        app = app_name(i)
        # Tags no order ranks (not versions, no source commit time): under the default tag policy the later event
        # wins, so each request is one commit whatever the arrival order. Versions arriving out of order would
        # answer manifest.unchanged (superseded) instead; that path is tested, not benchmarked.
        reqs.append((app, "tp-%s-%d-%d" % (run, i // APPS, i % APPS), "bench-%s-tp-%d" % (run, i)))
    old = head(repo)
    before = commit_count(repo)
    local = threading.local()

    def one(r):
        if not hasattr(local, "c"):
            local.c = BumpClient(a.port)
        st, ty, body, ms = local.c.bump(*r)
        return r[2], check_answer(st, ty, body), ms

    barrier_start = time.perf_counter()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.threads) as pool:
        t0 = time.perf_counter()
        futs = [pool.submit(one, r) for r in reqs]
        for f in concurrent.futures.as_completed(futs):
            try:
                results.append(f.result())
            except Exception as e:  # noqa: BLE001 - reported as a failure
                results.append((None, "exception: %r" % e, None))
        wall = time.perf_counter() - t0
    del barrier_start
    errors = [("%s: %s" % (eid, err)) for eid, err, _ in results if err]
    new = head(repo)
    after = commit_count(repo)
    ids = event_ids_between(repo, old, new)
    sent = set(r[2] for r in reqs)
    dup = len(ids) - len(set(ids))
    missing = sorted(sent - set(ids))
    extra = sorted(set(ids) - sent)
    ok = (not errors and after - before == a.conc and len(ids) == a.conc and dup == 0
          and not missing and not extra)
    lat = [ms for _, err, ms in results if ms is not None and not err]
    res = {"requests": a.conc, "threads": a.threads, "wall_s": wall, "bumps_per_s": a.conc / wall,
           "latency": summarize(lat), "commits_before": before, "commits_after": after,
           "trailer_ids": len(ids), "duplicates": dup, "missing": len(missing), "unexpected": len(extra),
           "ok": ok, "errors": errors[:5]}
    save(a.out, "relay_throughput", res)
    print("relay throughput: %d bumps / %d threads in %.2fs = %.1f bumps/s; commits +%d, trailer ids %d, "
          "dup %d, missing %d, unexpected %d %s"
          % (a.conc, a.threads, wall, a.conc / wall, after - before, len(ids), dup, len(missing), len(extra),
             "OK" if ok else "FAILED"))
    for e in errors[:5]:
        print("  error: " + e)
    return 0 if ok else 1


# --------------------------------------------------------------------------- git CLI baselines

DIGEST_LINE = re.compile(r'^(\s*)digest:.*$', re.M)
TAG_LINE = re.compile(r'^(\s*)newTag:.*$', re.M)


def edit_overlay(workdir, app, tag, digest):
    """The same one-entry edit Relay makes: newTag (+ digest pinned) of the app's images entry."""
    p = os.path.join(workdir, overlay_path(app))
    with open(p) as f:
        text = f.read()
    m = TAG_LINE.search(text)
    old = m.group(0).split(":", 1)[1].strip().strip('"')
    text = TAG_LINE.sub(lambda m: '%snewTag: "%s"' % (m.group(1), tag), text, count=1)
    if DIGEST_LINE.search(text):
        text = DIGEST_LINE.sub(lambda m: "%sdigest: %s" % (m.group(1), digest), text, count=1)
    else:
        text = TAG_LINE.sub(lambda m: '%s\n%sdigest: %s' % (m.group(0), m.group(1), digest), text, count=1)
    with open(p, "w") as f:
        f.write(text)
    return old


def commit_msg(app, old, tag, digest, eid):
    return ("bump(%s/development): %s -> %s\n\nSet %s%s to %s (%s) in %s.\n\n"
            "Relay-Event-Id: %s\nRelay-Trace: %s\nRelay-Image-Digest: %s\nRelay-Image: %s%s:%s\n"
            "Relay-App: %s\nRelay-Environment: development\n"
            % (app, old, tag, IMAGE_PREFIX, app, tag, digest, overlay_path(app), eid, eid, digest,
               IMAGE_PREFIX, app, tag, app))


def edit_commit(wd, app, tag, eid):
    digest = digest_for(eid)
    old = edit_overlay(wd, app, tag, digest)
    git("commit", "-q", "-a", "-m", commit_msg(app, old, tag, digest, eid), cwd=wd)


def fresh_clone(url, dest, depth):
    git("clone", "-q", "--depth", str(depth), "--single-branch", "--branch", "main", url, dest)


def cmd_baseline_fresh(a):
    st = load(a.out, "setup")
    repo, url = st["repo"], st["url"]
    run = uuid.uuid4().hex[:8]
    base = tempfile.mkdtemp(prefix="fresh-", dir=a.out)
    before = commit_count(repo)
    lat, phases = [], {"clone": [], "edit_commit": [], "push": []}
    for i in range(a.warmup + a.n):
        wd = os.path.join(base, "w%d" % i)
        app, eid = app_name(i), "bench-%s-fresh-%d" % (run, i)
        t0 = time.perf_counter()
        fresh_clone(url, wd, a.depth)
        t1 = time.perf_counter()
        edit_commit(wd, app, "3.0.%d" % i, eid)
        t2 = time.perf_counter()
        git("push", "-q", "origin", "HEAD:main", cwd=wd)
        t3 = time.perf_counter()
        shutil.rmtree(wd)  # not timed
        if i >= a.warmup:
            lat.append((t3 - t0) * 1000)
            phases["clone"].append((t1 - t0) * 1000)
            phases["edit_commit"].append((t2 - t1) * 1000)
            phases["push"].append((t3 - t2) * 1000)
    shutil.rmtree(base, ignore_errors=True)
    after = commit_count(repo)
    ok = after - before == a.warmup + a.n
    res = {"latencies_ms": lat, "summary": summarize(lat),
           "phases_p50_ms": {k: percentile(v, 50) for k, v in phases.items()},
           "commits_before": before, "commits_after": after, "ok": ok}
    save(a.out, "baseline_fresh", res)
    s = res["summary"]
    print("git CLI fresh clone: n=%d p50=%s p99=%s ms (p50 clone %s, edit+commit %s, push %s); commits +%d %s"
          % (s["n"], fmt(s["p50_ms"]), fmt(s["p99_ms"]), fmt(res["phases_p50_ms"]["clone"]),
             fmt(res["phases_p50_ms"]["edit_commit"]), fmt(res["phases_p50_ms"]["push"]), after - before,
             "OK" if ok else "FAILED"))
    return 0 if ok else 1


def cmd_baseline_persistent(a):
    st = load(a.out, "setup")
    repo, url = st["repo"], st["url"]
    run = uuid.uuid4().hex[:8]
    wd = tempfile.mkdtemp(prefix="persistent-", dir=a.out)
    os.rmdir(wd)
    fresh_clone(url, wd, a.depth)  # once, not timed: the cache
    before = commit_count(repo)
    lat, phases = [], {"fetch_reset": [], "edit_commit": [], "push": []}
    for i in range(a.warmup + a.n):
        app, eid = app_name(i), "bench-%s-persistent-%d" % (run, i)
        t0 = time.perf_counter()
        git("fetch", "-q", "--depth", str(a.depth), "origin", "main", cwd=wd)
        git("reset", "-q", "--hard", "origin/main", cwd=wd)
        t1 = time.perf_counter()
        edit_commit(wd, app, "4.0.%d" % i, eid)
        t2 = time.perf_counter()
        git("push", "-q", "origin", "HEAD:main", cwd=wd)
        t3 = time.perf_counter()
        if i >= a.warmup:
            lat.append((t3 - t0) * 1000)
            phases["fetch_reset"].append((t1 - t0) * 1000)
            phases["edit_commit"].append((t2 - t1) * 1000)
            phases["push"].append((t3 - t2) * 1000)
    shutil.rmtree(wd, ignore_errors=True)
    after = commit_count(repo)
    ok = after - before == a.warmup + a.n
    res = {"latencies_ms": lat, "summary": summarize(lat),
           "phases_p50_ms": {k: percentile(v, 50) for k, v in phases.items()},
           "commits_before": before, "commits_after": after, "ok": ok}
    save(a.out, "baseline_persistent", res)
    s = res["summary"]
    print("git CLI persistent clone: n=%d p50=%s p99=%s ms (p50 fetch+reset %s, edit+commit %s, push %s); "
          "commits +%d %s"
          % (s["n"], fmt(s["p50_ms"]), fmt(s["p99_ms"]), fmt(res["phases_p50_ms"]["fetch_reset"]),
             fmt(res["phases_p50_ms"]["edit_commit"]), fmt(res["phases_p50_ms"]["push"]), after - before,
             "OK" if ok else "FAILED"))
    return 0 if ok else 1


def cmd_baseline_throughput(a):
    """CONC bumps from THREADS workers, each bump a fresh shallow clone; a push rejected because main moved
    is redone on the new head (fetch + reset + same edit), like Relay's conflict retry, bounded."""
    st = load(a.out, "setup")
    repo, url = st["repo"], st["url"]
    run = uuid.uuid4().hex[:8]
    base = tempfile.mkdtemp(prefix="tp-", dir=a.out)
    reqs = [(app_name(i), "5.%d.%d" % (i // APPS, i % APPS), "bench-%s-gtp-%d" % (run, i))
            for i in range(a.conc)]
    old, before = head(repo), commit_count(repo)
    deadline = time.time() + a.timeout
    attempts_total = [0]
    lock = threading.Lock()

    def one(idx_req):
        idx, (app, tag, eid) = idx_req
        wd = os.path.join(base, "w%d" % idx)
        fresh_clone(url, wd, a.depth)
        try:
            attempt = 0
            while True:
                attempt += 1
                edit_commit(wd, app, tag, eid)
                r = git("push", "-q", "origin", "HEAD:main", cwd=wd, check=False)
                if r.returncode == 0:
                    break
                if attempt >= a.max_attempts or time.time() > deadline:
                    raise RuntimeError("push rejected %d times: %s" % (attempt, r.stderr.decode()[-200:]))
                time.sleep(random.uniform(0, min(1.0, 0.05 * 2 ** attempt)))
                git("fetch", "-q", "--depth", str(a.depth), "origin", "main", cwd=wd)
                git("reset", "-q", "--hard", "origin/main", cwd=wd)
            with lock:
                attempts_total[0] += attempt
            return eid, None
        except Exception as e:  # noqa: BLE001
            return eid, str(e)
        finally:
            shutil.rmtree(wd, ignore_errors=True)

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.threads) as pool:
        results = list(pool.map(one, enumerate(reqs)))
    wall = time.perf_counter() - t0
    shutil.rmtree(base, ignore_errors=True)
    errors = ["%s: %s" % (e, err) for e, err in results if err]
    ids = event_ids_between(repo, old, head(repo))
    after = commit_count(repo)
    landed = a.conc - len(errors)
    ok = not errors and len(ids) == a.conc and len(set(ids)) == a.conc and set(ids) == set(r[2] for r in reqs)
    res = {"requests": a.conc, "threads": a.threads, "wall_s": wall, "bumps_per_s": landed / wall,
           "push_attempts": attempts_total[0], "commits_before": before, "commits_after": after,
           "trailer_ids": len(ids), "ok": ok, "errors": errors[:5]}
    save(a.out, "baseline_throughput", res)
    print("git CLI throughput (fresh clone, rebase-retry): %d bumps / %d threads in %.2fs = %.1f bumps/s; "
          "%d push attempts; commits +%d %s"
          % (a.conc, a.threads, wall, landed / wall, attempts_total[0], after - before, "OK" if ok else "FAILED"))
    for e in errors[:5]:
        print("  error: " + e)
    return 0 if ok else 1


class PersistentRunner:
    def __init__(self, url, wd, depth, run):
        self.url, self.wd, self.depth, self.run = url, wd, depth, run
        fresh_clone(url, wd, depth)  # once, not timed: the cache
        self.lat, self.phases = [], {"fetch_reset": [], "edit_commit": [], "push": []}

    def bump(self, i, measured):
        app, eid = app_name(i), "bench-%s-persistent-%d" % (self.run, i)
        wd = self.wd
        t0 = time.perf_counter()
        git("fetch", "-q", "--depth", str(self.depth), "origin", "main", cwd=wd)
        git("reset", "-q", "--hard", "origin/main", cwd=wd)
        t1 = time.perf_counter()
        edit_commit(wd, app, "4.0.%d" % i, eid)
        t2 = time.perf_counter()
        git("push", "-q", "origin", "HEAD:main", cwd=wd)
        t3 = time.perf_counter()
        if measured:
            self.lat.append((t3 - t0) * 1000)
            self.phases["fetch_reset"].append((t1 - t0) * 1000)
            self.phases["edit_commit"].append((t2 - t1) * 1000)
            self.phases["push"].append((t3 - t2) * 1000)


class FreshRunner:
    def __init__(self, url, base, depth, run):
        self.url, self.base, self.depth, self.run = url, base, depth, run
        self.lat, self.phases = [], {"clone": [], "edit_commit": [], "push": []}

    def bump(self, i, measured):
        wd = os.path.join(self.base, "w%d" % i)
        app, eid = app_name(i), "bench-%s-fresh-%d" % (self.run, i)
        t0 = time.perf_counter()
        fresh_clone(self.url, wd, self.depth)
        t1 = time.perf_counter()
        edit_commit(wd, app, "3.0.%d" % i, eid)
        t2 = time.perf_counter()
        git("push", "-q", "origin", "HEAD:main", cwd=wd)
        t3 = time.perf_counter()
        shutil.rmtree(wd)  # not timed
        if measured:
            self.lat.append((t3 - t0) * 1000)
            self.phases["clone"].append((t1 - t0) * 1000)
            self.phases["edit_commit"].append((t2 - t1) * 1000)
            self.phases["push"].append((t3 - t2) * 1000)


def cmd_interleaved(a):
    """Relay and both git CLI baselines in one loop, bump by bump, so all three see the same machine load:
    relay i, persistent clone i, and every (N / FRESH_N)-th step a fresh clone. Each one has to pick up
    the others' commits first, symmetrically. Writes relay_latency, baseline_persistent, baseline_fresh."""
    st = load(a.out, "setup")
    repo, url = st["repo"], st["url"]
    run = uuid.uuid4().hex[:8]
    client = BumpClient(a.port)
    pwd = tempfile.mkdtemp(prefix="persistent-", dir=a.out)
    os.rmdir(pwd)
    persistent = PersistentRunner(url, pwd, a.depth, run)
    fresh = FreshRunner(url, tempfile.mkdtemp(prefix="fresh-", dir=a.out), a.depth, run)
    errors, warm, lat = [], [], []
    counts = {"relay": 0, "persistent": 0, "fresh": 0}
    before = commit_count(repo)
    fresh_every = max(1, a.n // max(1, a.fresh_n)) if a.fresh_n else 0
    t_start = time.perf_counter()
    for step in range(a.warmup + a.n):
        measured = step >= a.warmup
        i = step - a.warmup if measured else step
        tag = ("1.0.%d" % i) if measured else ("0.9.%d" % i)
        eid = "bench-%s-%s-%d" % (run, "lat" if measured else "warm", i)
        st_, ty, body, ms = client.bump(app_name(step), tag, eid)
        err = check_answer(st_, ty, body)
        if err:
            errors.append("relay bump %d: %s" % (step, err))
            if len(errors) >= 5:
                break
        else:
            counts["relay"] += 1
            (lat if measured else warm).append(ms)
        persistent.bump(step, measured)
        counts["persistent"] += 1
        do_fresh = (step < min(2, a.warmup)) if not measured else (
            fresh_every and i % fresh_every == 0 and len(fresh.lat) < a.fresh_n)
        if do_fresh:
            fresh.bump(step, measured)
            counts["fresh"] += 1
    wall = time.perf_counter() - t_start
    shutil.rmtree(pwd, ignore_errors=True)
    shutil.rmtree(fresh.base, ignore_errors=True)
    after = commit_count(repo)
    expected = counts["persistent"] + counts["fresh"] + a.warmup + a.n
    ok_commits = after - before == expected
    ok = not errors and ok_commits
    save(a.out, "relay_latency", {"mode": "interleaved", "warmup_ms": warm, "latencies_ms": lat,
                                  "summary": summarize(lat), "commits_before": before, "commits_after": after,
                                  "expected_new_commits": expected, "ok": ok, "errors": errors[:5]})
    for name, r in (("baseline_persistent", persistent), ("baseline_fresh", fresh)):
        save(a.out, name, {"mode": "interleaved", "latencies_ms": r.lat, "summary": summarize(r.lat),
                           "phases_p50_ms": {k: percentile(v, 50) for k, v in r.phases.items()},
                           "commits_before": before, "commits_after": after, "ok": ok_commits})
    s, sp, sf = summarize(lat), summarize(persistent.lat), summarize(fresh.lat)
    print("interleaved, %.0fs: relay n=%d p50=%s p99=%s ms (first warm-up bump %s ms) | persistent clone n=%d "
          "p50=%s p99=%s ms | fresh clone n=%d p50=%s p99=%s ms" % (
              wall, s["n"], fmt(s["p50_ms"]), fmt(s["p99_ms"]), fmt(warm[0] if warm else None),
              sp["n"], fmt(sp["p50_ms"]), fmt(sp["p99_ms"]), sf["n"], fmt(sf["p50_ms"]), fmt(sf["p99_ms"])))
    print("  phases p50: persistent %s | fresh %s" % (
        ", ".join("%s %s" % (k, fmt(percentile(v, 50))) for k, v in persistent.phases.items()),
        ", ".join("%s %s" % (k, fmt(percentile(v, 50))) for k, v in fresh.phases.items())))
    print("  commits %d -> %d (expected +%d: relay %d, persistent %d, fresh %d) %s"
          % (before, after, expected, a.warmup + a.n, counts["persistent"], counts["fresh"],
             "OK" if ok else "FAILED"))
    for e in errors[:5]:
        print("  error: " + e)
    return 0 if ok else 1


# --------------------------------------------------------------------------- report

def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        v = ("%.0f" % v) if v >= 100 else ("%.1f" % v)
    return "%s%s" % (v, unit)


def ratio(r, b):
    if r is None or b is None or b == 0:
        return "n/a"
    return "%.2f" % (r / b)


def cmd_report(a):
    st = load(a.out, "setup") or {}
    rl, rt = load(a.out, "relay_latency"), load(a.out, "relay_throughput")
    bf, bp, bt = load(a.out, "baseline_fresh"), load(a.out, "baseline_persistent"), load(a.out, "baseline_throughput")

    def g(d, *path):
        for k in path:
            if d is None:
                return None
            d = d.get(k)
        return d

    rows = []
    for label, key in (("p50", "p50_ms"), ("p99", "p99_ms")):
        r = g(rl, "summary", key)
        b1 = g(bf, "summary", key)
        b2 = g(bp, "summary", key)
        rows.append(("bump latency %s, ms (vs fresh clone)" % label, fmt(r), fmt(b1), ratio(r, b1)))
        rows.append(("bump latency %s, ms (vs persistent clone)" % label, fmt(r), fmt(b2), ratio(r, b2)))
    # sequential throughput implied by the sequential runs (1 / mean latency)
    seq_f = 1000.0 / g(bf, "summary", "mean_ms") if g(bf, "summary", "mean_ms") else None
    seq_p = 1000.0 / g(bp, "summary", "mean_ms") if g(bp, "summary", "mean_ms") else None
    seq_r = 1000.0 / g(rl, "summary", "mean_ms") if g(rl, "summary", "mean_ms") else None
    r = g(rt, "bumps_per_s")
    threads = g(rt, "threads")
    conc = g(rt, "requests")
    rows.append(("throughput, bumps/s (relay: %s concurrent from %s threads; git: persistent clone, serialized)"
                 % (conc or a.conc, threads or a.threads), fmt(r), fmt(seq_p), ratio(r, seq_p)))
    if bt:
        b = g(bt, "bumps_per_s")
        rows.append(("throughput, bumps/s (git: %s concurrent from %s threads, fresh clone + retry)"
                     % (g(bt, "requests"), g(bt, "threads")), fmt(r), fmt(b), ratio(r, b)))
    rows.append(("sequential bumps/s (1/mean latency, vs fresh clone)", fmt(seq_r), fmt(seq_f), ratio(seq_r, seq_f)))
    rows.append(("sequential bumps/s (1/mean latency, vs persistent clone)", fmt(seq_r), fmt(seq_p),
                 ratio(seq_r, seq_p)))

    hdr = ("metric", "relay", "git CLI baseline", "ratio (relay/baseline)")
    widths = [max(len(str(x[i])) for x in rows + [hdr]) for i in range(4)]
    line = "| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(hdr)) + " |"
    print()
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)) + " |")
    print()
    print("baselines: 'fresh clone' = git clone --depth %s <remote> + edit + commit + push per bump (stateless);"
          % a.depth)
    print("           'persistent clone' = one clone; git fetch --depth %s && reset --hard origin/main + edit + "
          "commit + push per bump;" % a.depth)
    print("           git throughput = the persistent-clone bumps serialized (1 / mean latency): concurrent git")
    print("           pushers to one branch mostly get rejected; BASELINE_THROUGHPUT=1 measures that too.")
    print("lower is better for latency (ratio < 1 = relay faster); higher is better for bumps/s (ratio > 1 = relay faster).")
    print("repo: %s files, %s commits at setup (%s MiB packed), depth %s; samples: relay %s, fresh clone %s, "
          "persistent clone %s (after warm-up)"
          % (st.get("files"), st.get("commits"), fmt((st.get("repo_bytes") or 0) / 1048576.0), a.depth,
             g(rl, "summary", "n"), g(bf, "summary", "n"), g(bp, "summary", "n")))
    print("mode: %s" % ("interleaved (relay, persistent-clone and fresh-clone bumps alternate in one loop, same load)"
                        if g(rl, "mode") == "interleaved" else "one after the other"))
    if rl and rl.get("warmup_ms"):
        print("relay first (cold-cache) bump: %s ms" % fmt(rl["warmup_ms"][0]))
    checks = []
    for name, d in (("relay latency", rl), ("relay throughput", rt), ("baseline fresh", bf),
                    ("baseline persistent", bp), ("baseline throughput", bt)):
        if d is None:
            checks.append((name, "not run"))
        else:
            checks.append((name, "OK" if d.get("ok") else "FAILED"))
    print("correctness: " + ", ".join("%s %s" % c for c in checks))
    failed = [c for c in checks if c[1] == "FAILED"]
    required = [c for c in checks if c[0].startswith("relay") and c[1] == "not run" and not a.baseline_only]
    return 1 if failed or required else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd")
    p.add_argument("--out", default=".")
    p.add_argument("--url", default="", help="remote URL of the config repo (default file://)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--pid", type=int, default=0)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--conc", type=int, default=200)
    p.add_argument("--threads", type=int, default=50)
    p.add_argument("--depth", type=int, default=50)
    p.add_argument("--files", type=int, default=2000)
    p.add_argument("--commits", type=int, default=5000)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--max-attempts", type=int, default=60)
    p.add_argument("--fresh-n", type=int, default=20)
    p.add_argument("--baseline-only", action="store_true")
    a = p.parse_args()
    fn = {"setup": cmd_setup, "free-port": cmd_free_port, "wait-health": cmd_wait_health,
          "relay-latency": cmd_relay_latency, "relay-throughput": cmd_relay_throughput,
          "baseline-fresh": cmd_baseline_fresh, "baseline-persistent": cmd_baseline_persistent,
          "baseline-throughput": cmd_baseline_throughput, "interleaved": cmd_interleaved,
          "report": cmd_report}.get(a.cmd)
    if fn is None:
        p.error("unknown command " + a.cmd)
    sys.exit(fn(a) or 0)


if __name__ == "__main__":
    main()
