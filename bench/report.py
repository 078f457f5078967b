#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/report.py: turn the raw lines of bench/run (RF ..., see bench/lib.sh) into
results.json, results.md, gnuplot PNG plots and docs/benchmarks.md. Every figure in them is
computed here from the raw lines; nothing is typed by hand.

usage: report.py --meta META.json --guest RAW --host RAW --out DIR
                 [--check] [--docs docs/benchmarks.md --archive bench/results]
  --check   (bench/run --quick) exit 1 unless every mode produced a number. Thread create+join
            inside Ringfence (its micro modes ringfence, ringfence300, rfrun) counts as a mode
            that must produce a number unless RF_BENCH_REQUIRE_THREADS=0 in the environment
            (default 1; set it to 0 only until threads work inside the sandbox): then its
            failure is listed but does not fail the check.

A cell that has no number says why: "failed: REASON" (the worker's own reason, e.g.
"pthread_create: Resource temporarily unavailable", or the worker's exit status), "not
supported yet" for a call Ringfence refuses with ENOSYS by design so far (UNSUPPORTED), "not
measured" when the raw lines predate the operation.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

ENV_LABEL = {
    "guest": "guest (Bochs VT-x emulation, emulated time: ratios only)",
    "host": "host (this machine, no /dev/kvm)",
}
OPS = [
    ("getpid", "getpid"), ("read", "read 1 B (/dev/zero)"), ("write", "write 1 B (/dev/null)"),
    ("openclose", "open+close"), ("mmap", "mmap+munmap 4 KiB"), ("fault", "page fault (first touch)"),
    ("clock", "clock_gettime (vDSO)"), ("thread", "thread create+join"), ("fork", "fork+wait"),
    ("forkexec", "fork+exec+wait"),
]
MICRO_MODES = {
    "guest": ["native", "ringfence", "ringfence300", "rfrun", "allow60", "rules300", "notify", "ptrace"],
    "host": ["native", "allow60", "rules300", "notify", "ptrace", "runsc"],
}
MODE_LABEL = {
    "native": "native", "ringfence": "Ringfence (exit path)", "ringfence300": "Ringfence, 300 rules", "rfrun": "ringfence run",
    "allow60": "seccomp allow list", "rules300": "seccomp 300 rules", "notify": "seccomp-notify",
    "ptrace": "ptrace (seccomp stops)", "runsc": "gVisor runsc (ptrace)",
    "sbenter": "sb_enter alone", "unshare": "unshare", "bwrap": "bwrap", "crun": "crun", "runc": "runc",
    "podman": "podman --rootfs (crun)",
    "native-process": "native process (fork, idle)", "sb_enter": "Ringfence sb_enter (fork, idle)",
    "native-sleep": "native sleep",
}
MODE_DESC = {
    "native": "the same program, no sandbox",
    "ringfence": "the micro worker calls `sb_enter()` with an allow-all policy, then makes its calls; in start-up, idle and macro: `ringfence run --` (built-in default policy)",
    "ringfence300": "`sb_enter()` with the 300-rule policy of `bench/rules.h` (default EPERM)",
    "rfrun": "the worker started by `ringfence run --` (the launcher, built-in default policy)",
    "allow60": "`bench/seccomp_filter allow60`: ~60 calls allowed (libseccomp), others EPERM",
    "rules300": "`bench/seccomp_filter rules300`: the same with ~300 argument-checked rules on read/write/close/mmap/ioctl/fcntl/lseek/getpid",
    "notify": "`bench/seccomp_notify`: every call to a user-space supervisor, answered CONTINUE",
    "ptrace": "`bench/ptrace_seccomp`: SECCOMP_RET_TRACE on every call, one ptrace stop each",
    "runsc": "`runsc --network=none do` (gVisor, ptrace platform)",
    "sbenter": "`bench/bench_enter`: fork, `sb_enter()` (allow-all), exit, wait",
    "unshare": "`unshare -fpmnu --mount-proc`",
    "bwrap": "`bwrap --unshare-all --ro-bind / /`",
    "crun": "`crun run` with a busybox-static bundle (pid, net, ipc, uts, mount namespaces)",
    "runc": "`runc run` with the same bundle",
    "podman": "`podman run --rm --network=none --rootfs` (crun; ulimits lowered)",
}
STARTUP_MODES = {"guest": ["native", "sbenter", "ringfence", "unshare", "bwrap"],
                 "host": ["native", "unshare", "bwrap", "crun", "runc", "runsc", "podman"]}
IDLE_MODES = {"guest": ["native-process", "sb_enter", "sb_enter-nothp", "native-sleep", "ringfence", "ringfence-nothp",
                        "unshare", "bwrap"],
              "host": ["native-process", "native-sleep", "unshare", "bwrap", "crun", "runc", "runsc"]}
WORKLOADS = [("sqlite", "sqlite3 in-memory queries (CPU)"), ("gzip", "gzip -6 of a text file (CPU)"),
             ("find", "busybox find over a tree (syscalls)"), ("sha256", "sha256sum of every file of the tree (syscalls)")]
MACRO_MODES = {"guest": ["native", "ringfence", "bwrap", "unshare", "allow60", "rules300", "notify", "ptrace"],
               "host": ["native", "bwrap", "unshare", "allow60", "rules300", "notify", "ptrace", "runsc"]}
# calls an sb_enter() sandbox refuses by design (execve re-runs the launcher, which only a sandbox
# started by `ringfence run` / sb_exec() has): their cells say "refused in sb_enter()". Thread
# create+join is not among them: until threads work inside the sandbox its Ringfence cells say
# "failed: REASON" (the worker's reason), and --check requires a number for them (THREAD_REQUIRED)
UNSUPPORTED = {("ringfence", "fork"), ("ringfence", "forkexec"),
               ("ringfence300", "fork"), ("ringfence300", "forkexec"),
               ("rfrun", "fork"), ("rfrun", "forkexec")}
RINGFENCE_MICRO = ("ringfence", "ringfence300", "rfrun")
THREAD_REQUIRED = [("guest", m, "thread") for m in RINGFENCE_MICRO]


def require_threads():
    """RF_BENCH_REQUIRE_THREADS (default 1): 0 tolerates a failed Ringfence thread cell in --check"""
    return os.environ.get("RF_BENCH_REQUIRE_THREADS", "1").strip() != "0"


def median(v):
    return statistics.median(v) if v else None


def parse(path, env):
    d = {"info": {}, "micro": {}, "micro_na": {}, "startup": {}, "macro": {}, "idle": {}, "density": {},
         "unavail": []}
    if not path or not os.path.exists(path):
        return d
    for raw in open(path, errors="replace"):
        line = raw.strip()
        i = line.find("RF ")
        if i < 0:
            continue
        w = line[i:].split()
        if len(w) < 3 or w[2] != env:
            continue
        sec = w[1]
        try:
            if sec == "info":
                d["info"][w[3]] = " ".join(w[4:])
            elif sec == "micro":
                r, mode, op = int(w[3]), w[4], w[5]
                if w[6] == "NA":
                    d["micro_na"].setdefault(mode, {})[op] = " ".join(w[7:])
                else:
                    d["micro"].setdefault(mode, {}).setdefault(op, {})[r] = float(w[6])
            elif sec in ("startup", "macro"):
                r, mode, ns, st = int(w[3]), w[4], float(w[5]), int(w[6])
                d[sec].setdefault(mode, []).append({"round": r, "ns": ns, "status": st,
                                                    "extra": float(w[7]) if len(w) > 7 else None})
            elif sec in ("idle", "density"):
                kv = dict(x.split("=", 1) for x in w[4:] if "=" in x)
                d[sec][w[3]] = {k: (v if k == "stop" else float(v)) for k, v in kv.items()}
            elif sec == "unavail":
                # RF unavail SECTION ENV MODE REASON...
                pass
        except (ValueError, IndexError):
            continue
    # unavail lines: "RF unavail SECTION ENV MODE ..."
    for raw in open(path, errors="replace"):
        line = raw.strip()
        i = line.find("RF unavail ")
        if i < 0:
            continue
        w = line[i:].split()
        if len(w) >= 5 and w[3] == env:
            d["unavail"].append({"section": w[2], "mode": w[4].rstrip(":"), "reason": " ".join(w[5:])})
    return d


def ratio_stats(a, b):
    """per-round ratios a[r]/b[r] over the rounds both have: median, min, max, n"""
    rs = [a[r] / b[r] for r in a if r in b and b[r] > 0]
    if not rs:
        return None
    return {"median": median(rs), "min": min(rs), "max": max(rs), "rounds": len(rs)}


def analyse(d, env):
    res = {"environment": ENV_LABEL[env], "info": d["info"], "unavailable": d["unavail"]}
    # micro
    micro = {}
    for mode in MICRO_MODES[env]:
        m = {}
        for op, _ in OPS:
            samples = d["micro"].get(mode, {}).get(op, {})
            nat = d["micro"].get("native", {}).get(op, {})
            e = {"ns": median(list(samples.values())), "rounds": len(samples)}
            if samples and mode != "native":
                e["ratio"] = ratio_stats(samples, nat)
            na = d["micro_na"].get(mode, {}).get(op)
            if not samples and na:
                e["na"] = na
                if (mode, op) in UNSUPPORTED and "not implemented" in na:
                    e["not_supported_yet"] = "execve inside an sb_enter() sandbox: refused by design (no launcher to run)"
                else:
                    e["failed"] = na
            elif not samples:
                if not any(d["micro"].get(x, {}).get(op) or d["micro_na"].get(x, {}).get(op) for x in MICRO_MODES[env]):
                    e["not_measured"] = "no raw line for this operation (results older than it)"
                elif unavail_reason(res, "micro", mode):
                    e["failed"] = unavail_reason(res, "micro", mode)
            m[op] = e
        micro[mode] = m
    res["micro"] = micro
    # start-up
    st = {}
    for mode in STARTUP_MODES[env]:
        runs = d["startup"].get(mode, [])
        ok = {x["round"]: x["ns"] for x in runs if x["status"] == 0}
        nat = {x["round"]: x["ns"] for x in d["startup"].get("native", []) if x["status"] == 0}
        e = {"ms": median(list(ok.values())) / 1e6 if ok else None, "runs": len(runs),
             "failed": sum(1 for x in runs if x["status"] != 0)}
        if ok:
            v = sorted(ok.values())
            e["p25_ms"] = v[len(v) // 4] / 1e6
            e["p75_ms"] = v[(3 * len(v)) // 4 if len(v) > 1 else 0] / 1e6
        if mode != "native" and ok:
            e["ratio"] = ratio_stats(ok, nat)
        inside = [x["extra"] for x in runs if x["extra"] and x["status"] == 0]
        if inside:
            e["sb_enter_inside_ms"] = median(inside) / 1e6
        st[mode] = e
    res["startup"] = st
    # idle memory, density
    idle = {}
    for mode in IDLE_MODES[env]:
        x = d["idle"].get(mode)
        if x:
            x = dict(x)
            x["pss_slab_pt_kib"] = x.get("pss_kib", 0) + x.get("slab_kib", 0) + x.get("pt_kib", 0)
        idle[mode] = x
    res["idle"] = idle
    res["density"] = d["density"].get("sb_enter") if env == "guest" else None
    # macro
    if True:
        mac = {}
        for w, _ in WORKLOADS:
            nat = {x["round"]: x["ns"] for x in d["macro"].get(f"{w}__native", []) if x["status"] == 0}
            mw = {}
            for mode in MACRO_MODES[env]:
                runs = d["macro"].get(f"{w}__{mode}", [])
                ok = {x["round"]: x["ns"] for x in runs if x["status"] == 0}
                e = {"ms": median(list(ok.values())) / 1e6 if ok else None, "runs": len(runs),
                     "failed": sum(1 for x in runs if x["status"] != 0)}
                if mode != "native" and ok:
                    e["ratio"] = ratio_stats(ok, nat)
                mw[mode] = e
            mac[w] = mw
        res["macro"] = mac
    return res


def unavail_reason(res, section, mode):
    for u in res["unavailable"]:
        if u["section"] == section and u["mode"] == mode:
            return u["reason"]
    return None


def fmt_ns(v):
    if v is None:
        return "–"
    return f"{v:,.0f}".replace(",", " ") if v >= 100 else f"{v:.1f}"


def fmt_ratio(r):
    if not r:
        return "–"
    m = r["median"]
    s = f"{m:.2f}x" if m < 10 else f"{m:.1f}x"
    if r["rounds"] > 1:
        s += f" ({r['min']:.2f}–{r['max']:.2f})" if r["max"] < 10 else f" ({r['min']:.1f}–{r['max']:.1f})"
    return s


def micro_table(res, env):
    modes = MICRO_MODES[env]
    out = ["| operation | " + " | ".join(MODE_LABEL[m] for m in modes) + " |",
           "|---|" + "---:|" * len(modes)]
    for op, label in OPS:
        cells = []
        for m in modes:
            e = res["micro"][m][op]
            if e["ns"] is None:
                if e.get("not_supported_yet"):
                    cells.append("refused in sb_enter() (execve needs the launcher)")
                elif e.get("not_measured"):
                    cells.append("not measured")
                elif e.get("failed"):
                    cells.append("failed: " + e["failed"][:60].replace("|", "/"))
                else:
                    r = unavail_reason(res, "micro", m)
                    cells.append("unavailable" + (f": {r[:40]}" if r else ""))
            elif m == "native":
                cells.append(f"{fmt_ns(e['ns'])} ns")
            else:
                cells.append(f"{fmt_ns(e['ns'])} ns, {fmt_ratio(e.get('ratio'))}")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def startup_table(res, env):
    out = ["| sandbox | command | median ms | p25–p75 ms | ratio to native (per round: median, min–max) | runs |",
           "|---|---|---:|---:|---:|---:|"]
    for m in STARTUP_MODES[env]:
        e = res["startup"][m]
        desc = MODE_DESC.get(m, "") if m != "native" else "`true` (coreutils)"
        label = MODE_LABEL[m]
        if m == "ringfence":
            desc, label = "`ringfence run -- true`", "ringfence run"
        if e["ms"] is None:
            r = unavail_reason(res, "startup", m)
            out.append(f"| {label} | {desc} | unavailable{': ' + r[:80] if r else ''} | | | {e['runs']} |")
            continue
        extra = f" (sb_enter itself {e['sb_enter_inside_ms']:.2f} ms)" if e.get("sb_enter_inside_ms") else ""
        out.append(f"| {label} | {desc}{extra} | {e['ms']:.2f} | {e['p25_ms']:.2f}–{e['p75_ms']:.2f} | "
                   f"{fmt_ratio(e.get('ratio')) if m != 'native' else '1'} | {e['runs']} |")
    return "\n".join(out)


def idle_label(m):
    if m == "ringfence":
        return "`ringfence run -- sleep`"
    if m == "ringfence-nothp":
        return "`ringfence run -- sleep`, THP off"
    if m == "sb_enter-nothp":
        return "Ringfence sb_enter (fork, idle), THP off"
    if m in ("unshare", "bwrap", "crun", "runc", "runsc"):
        return f"{MODE_LABEL[m]} sleep"
    return MODE_LABEL.get(m, m)


def idle_table(res, env):
    out = ["| sandbox | N | PSS KiB | of which huge pages | Slab Δ KiB | PageTables Δ KiB | Vmalloc Δ KiB | PSS+Slab+PT KiB | MemAvailable drop KiB | created/s |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in IDLE_MODES[env]:
        x = res["idle"].get(m)
        label = idle_label(m)
        if not x:
            r = unavail_reason(res, "idle", m)
            out.append(f"| {label} | | unavailable{': ' + r[:80] if r else ''} | | | | | | | |")
            continue
        huge = f"{x['anonhuge_kib']:.0f}" if "anonhuge_kib" in x else "–"
        out.append(f"| {label} | {x['N']:.0f} | {x['pss_kib']:.0f} | {huge} | {x['slab_kib']:.0f} | {x['pt_kib']:.0f} | "
                   f"{x['vmalloc_kib']:.0f} | {x['pss_slab_pt_kib']:.0f} | {x['avail_kib']:.0f} | {x['rate']:.1f} |")
    return "\n".join(out)


def macro_label(m):
    return "ringfence run" if m == "ringfence" else MODE_LABEL[m]


def macro_table(res, env):
    out = ["| workload | " + " | ".join(macro_label(m) for m in MACRO_MODES[env]) + " |",
           "|---|" + "---:|" * len(MACRO_MODES[env])]
    for w, label in WORKLOADS:
        cells = []
        for m in MACRO_MODES[env]:
            e = res["macro"][w][m]
            if e["ms"] is None:
                r = unavail_reason(res, "macro", f"{w}__{m}")
                cells.append("failed" + (f" ({r.split(':')[0]})" if r else ""))
            elif m == "native":
                cells.append(f"{e['ms']:.0f} ms")
            else:
                cells.append(f"{e['ms']:.0f} ms, {fmt_ratio(e.get('ratio'))}")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def r_med(e):
    return e.get("ratio", {}).get("median") if e and e.get("ratio") else None


def headlines(g, h):
    """the headline ratios, as sentences; only those whose figures exist"""
    out = []
    gm = g.get("micro", {})
    if gm:
        rf = r_med(gm["ringfence"]["getpid"])
        parts = [f"{MODE_LABEL[m]} {r_med(gm[m]['getpid']):.1f}x" for m in ("notify", "ptrace", "allow60")
                 if r_med(gm[m]["getpid"])]
        if rf:
            out.append(f"getpid inside Ringfence (exit path): {rf:.1f}x native [guest]; beside it in the same boot: "
                       + ", ".join(parts) + ".")
        r3 = r_med(gm["ringfence300"]["getpid"])
        if r3 and rf:
            out.append(f"Ringfence with the 300-rule policy: getpid {r3:.1f}x native [guest] "
                       f"(seccomp's 300 rules: {r_med(gm['rules300']['getpid']) or 0:.2f}x).")
        fk = r_med(gm["ringfence"]["fork"])
        if fk:
            out.append(f"fork+wait inside Ringfence (sb_enter): {fk:.1f}x native [guest].")
        th = r_med(gm["ringfence"]["thread"])
        if th:
            parts = [f"{MODE_LABEL[m]} {r_med(gm[m]['thread']):.2f}x" for m in ("notify", "ptrace", "allow60")
                     if r_med(gm[m]["thread"])]
            out.append(f"thread create+join inside Ringfence (sb_enter): {th:.1f}x native [guest]"
                       + ("; beside it in the same boot: " + ", ".join(parts) if parts else "") + ".")
        f = r_med(gm["ringfence"]["fault"])
        if f:
            out.append(f"first-touch page fault inside Ringfence: {f:.2f}x native [guest].")
    gs = g.get("startup", {})
    if gs and r_med(gs.get("ringfence")):
        s = f"`ringfence run -- true`: {r_med(gs['ringfence']):.1f}x native `true` [guest]"
        if r_med(gs.get("bwrap")):
            s += f"; bwrap {r_med(gs['bwrap']):.1f}x, unshare {r_med(gs['unshare']) or 0:.1f}x in the same boot"
        if r_med(gs.get("sbenter")):
            s += f"; fork + `sb_enter` + exit {r_med(gs['sbenter']):.1f}x"
        out.append(s + ".")
    hs = h.get("startup", {})
    if hs and any(r_med(hs.get(m)) for m in ("crun", "runc", "runsc", "podman")):
        out.append("start-up on the host: " + ", ".join(
            f"{MODE_LABEL[m]} {r_med(hs[m]):.1f}x" for m in ("unshare", "bwrap", "crun", "runc", "runsc", "podman")
            if r_med(hs.get(m))) + " native `true` [host].")
    gi = g.get("idle", {})
    if gi.get("sb_enter-nothp") and gi.get("sb_enter"):
        out.append(f"idle Ringfence sandbox (sb_enter) with transparent huge pages off: PSS {gi['sb_enter-nothp']['pss_kib']:.0f} "
                   f"KiB instead of {gi['sb_enter']['pss_kib']:.0f} KiB with the guest kernel's default THP=always "
                   f"({gi['sb_enter'].get('anonhuge_kib', 0):.0f} KiB of it in huge pages); native idle process "
                   f"{gi['native-process']['pss_kib']:.0f} KiB [guest]." if gi.get("native-process") else "")
    if gi.get("sb_enter") and gi.get("native-process"):
        a, b = gi["sb_enter"], gi["native-process"]
        out.append(f"idle sandbox memory (PSS+Slab+PageTables): sb_enter {a['pss_slab_pt_kib']:.0f} KiB vs "
                   f"{b['pss_slab_pt_kib']:.0f} KiB for a native idle process" +
                   (f"; `ringfence run -- sleep` {gi['ringfence']['pss_slab_pt_kib']:.0f} KiB, bwrap "
                    f"{gi['bwrap']['pss_slab_pt_kib']:.0f} KiB" if gi.get("ringfence") and gi.get("bwrap") else "")
                   + " [guest].")
    dn = g.get("density")
    if dn:
        out.append(f"density: {dn['count']:.0f} idle Ringfence sandboxes created at {dn['rate']:.1f}/s "
                   f"(stopped by: {str(dn['stop']).replace('_', ' ')}) [guest].")
    hx = h.get("macro", {})
    if hx and any(r_med(hx[w].get("runsc")) for w, _ in WORKLOADS):
        out.append("macro under gVisor runsc: " + ", ".join(
            f"{w} {r_med(hx[w]['runsc']):.2f}x" for w, _ in WORKLOADS if r_med(hx[w]["runsc"])) + " native [host].")
    gx = g.get("macro", {})
    if gx:
        parts = [f"{w} {r_med(gx[w]['ringfence']):.2f}x" for w, _ in WORKLOADS if r_med(gx[w]["ringfence"])]
        if parts:
            out.append("macro under `ringfence run` (whole command, start-up included): " + ", ".join(parts)
                       + " native [guest].")
    return out


def micro_why(e):
    return e.get("failed") or e.get("na") or e.get("not_measured") or "no number"


def tolerated_missing(g, h):
    """the required-by-default cells --check lets pass (RF_BENCH_REQUIRE_THREADS=0): [(cell, why)]"""
    if require_threads():
        return []
    out = []
    for env, m, op in THREAD_REQUIRED:
        e = (g if env == "guest" else h)["micro"][m][op]
        if e["ns"] is None:
            out.append((f"{env} micro {m} {op}", micro_why(e)))
    return out


def expected_missing(g, h):
    """modes that produced no number (for --check); not-supported-yet cells are expected, and so are
    the Ringfence thread cells when RF_BENCH_REQUIRE_THREADS=0"""
    miss = []
    tolerated = {c for c, _ in tolerated_missing(g, h)}
    for env, res in (("guest", g), ("host", h)):
        for m in MICRO_MODES[env]:
            for op, _ in OPS:
                e = res["micro"][m][op]
                cell = f"{env} micro {m} {op}"
                if e["ns"] is None and not e.get("not_supported_yet") and cell not in tolerated:
                    miss.append(f"{cell}: {micro_why(e)[:120]}")
        for m in STARTUP_MODES[env]:
            if res["startup"][m]["ms"] is None:
                miss.append(f"{env} startup {m}")
        for m in IDLE_MODES[env]:
            if not res["idle"].get(m) and "not in the Bochs guest" not in (unavail_reason(res, "idle", m) or ""):
                miss.append(f"{env} idle {m}")
    if not g.get("density"):
        miss.append("guest density")
    for env, res in (("guest", g), ("host", h)):
        for w, _ in WORKLOADS:
            for m in MACRO_MODES[env]:
                if res["macro"][w][m]["ms"] is None:
                    miss.append(f"{env} macro {w} {m}")
    return miss


GNUPLOT_HEAD = """set terminal pngcairo size 1100,520 font 'DejaVu Sans,10'
set output '{out}'
set title "{title}" noenhanced
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set datafile missing '?'
set key outside right top noenhanced
set datafile separator '\t'
set grid ytics
set ylabel "{ylabel}"
set xtics noenhanced rotate by -25
"""


def plot(outdir, name, title, ylabel, rows, cols, logscale=False):
    """rows: [(label, [value or None per col])]; one clustered bar chart"""
    if not shutil.which("gnuplot"):
        return None
    dat = os.path.join(outdir, name + ".dat")
    with open(dat, "w") as f:
        for label, vals in rows:
            f.write('"' + label.replace('"', "'") + '"\t' + "\t".join("?" if v is None else f"{v:.4g}" for v in vals) + "\n")
    png = os.path.join(outdir, name + ".png")
    script = GNUPLOT_HEAD.format(out=png, title=title, ylabel=ylabel)
    if logscale:
        script += "set logscale y\nset yrange [%s:*]\n" % ("0.5" if "ratio" in ylabel or "native" in ylabel else "1")
    else:
        script += "set yrange [0:*]\n"
    script += "plot " + ", ".join(f"'{dat}' using {i + 2}:xtic(1) title '{c}'" for i, c in enumerate(cols)) + "\n"
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    os.unlink(dat)
    if r.returncode != 0:
        print("report: gnuplot failed for", name, r.stderr[:500], file=sys.stderr)
        return None
    return name + ".png"


def make_plots(outdir, g, h):
    pngs = {}
    for env, res in (("guest", g), ("host", h)):
        modes = [m for m in MICRO_MODES[env] if m != "native"]
        # an operation the raw lines do not have at all (older results) gets no row
        rows = [(label.split(" (")[0], [r_med(res["micro"][m][op]) for m in modes]) for op, label in OPS
                if not res["micro"]["native"][op].get("not_measured")]
        p = plot(outdir, f"micro-{env}", f"per-call cost, ratio to native [{ENV_LABEL[env]}]"
                 + ("; no bar: refused by design or failed (see the table)" if env == "guest" else ""),
                 "x native (log)", rows, [MODE_LABEL[m] for m in modes], logscale=True)
        if p:
            pngs[f"micro-{env}"] = p
    rows = []
    for env, res in (("guest", g), ("host", h)):
        for m in STARTUP_MODES[env]:
            if m != "native":
                label = "ringfence run" if m == "ringfence" else MODE_LABEL[m]
                rows.append((f"{label} [{env}]", [r_med(res["startup"][m])]))
    p = plot(outdir, "startup", "start-up of true, ratio to native true of the same environment", "x native (log)",
             rows, ["ratio to native true"], logscale=True)
    if p:
        pngs["startup"] = p
    rows = []
    for env, res in (("guest", g), ("host", h)):
        for m in IDLE_MODES[env]:
            x = res["idle"].get(m)
            vals = [x[k] if x and x[k] >= 1 else None for k in ("pss_kib", "slab_kib", "pt_kib")] if x else [None] * 3
            rows.append((f"{idle_label(m).replace('`', '')} [{env}]", vals))
    p = plot(outdir, "idle", "host memory per idle sandbox (growth under 1 KiB: no bar)", "KiB per sandbox (log)",
             rows, ["PSS", "Slab growth", "PageTables growth"], logscale=True)
    if p:
        pngs["idle"] = p
    for env, res in (("guest", g), ("host", h)):
        modes = [m for m in MACRO_MODES[env] if m != "native"]
        rows = [(w, [r_med(res["macro"][w][m]) for m in modes]) for w, _ in WORKLOADS]
        p = plot(outdir, f"macro-{env}", f"real programs, whole command, ratio to native [{ENV_LABEL[env]}]",
                 "x native (log)", rows, [macro_label(m) for m in modes], logscale=True)
        if p:
            pngs[f"macro-{env}"] = p
    return pngs


def markdown(meta, g, h, pngs, img_prefix, heads, for_docs):
    commit = meta["commit"] + (" (with uncommitted changes)" if meta.get("dirty") else "")
    L = []
    A = L.append
    if for_docs:
        A("# Benchmarks\n")
        A("This file is generated by `bench/run` (`bench/report.py`) from the results in "
          "`bench/results/latest/`; do not edit it by hand. Run it again with:\n")
        A("```sh\nbench/run            # about 15 minutes; bench/run --quick is the CI smoke test\n```\n")
    else:
        A("# Ringfence benchmark results\n")
    A(f"Commit **{commit}**, {meta['date']}, `{meta['command']}`.\n")
    A("## Where each figure comes from\n")
    A(f"- **guest**: Ringfence needs `/dev/kvm`; {'this host has one, so guest = this host.' if meta.get('kvm_here') else 'this host has none, so Ringfence runs inside Bochs VT-x emulation (scripts/kvm-run.sh)'}: "
      f"kernel {g['info'].get('kernel', '?')}, {g['info'].get('cpus', '?')} CPU, "
      f"{int(g['info'].get('memtotal_kib', '0')) // 1024} MiB. Native and every peer that runs there "
      "(seccomp filters, seccomp-notify, ptrace, unshare, bwrap) ran in the same boot, interleaved with Ringfence. "
      "Under Bochs time is emulated (instructions at a fixed rate): absolute times are not those of any real CPU; "
      "**only the ratios inside the guest compare**.")
    A(f"- **host**: this machine ({meta['host_cpu']}, {meta['host_cpus']} CPUs, kernel {meta['host_kernel']}"
      + (f", load average {h['info']['loadavg']} when its part began" if h["info"].get("loadavg") else "") + "): "
      "gVisor runsc, crun, runc and podman, which cannot run in the guest, beside native and the same peers, against "
      "a native baseline measured in the same rounds. Compare host ratios with host ratios.\n")
    A("Method: every mode runs once per round, the order rotating from round to round; a ratio is taken per round "
      "(mode / native of the same round) and the tables give the median over rounds with the min–max of the "
      "per-round ratios in brackets. Host interception figures (micro) are pinned to CPU 0 (`taskset -c 0`: "
      "tracer/supervisor and target share one CPU); start-up is unpinned.\n")
    if heads:
        A("## Headline ratios\n")
        for s in heads:
            A(f"- {s}")
        A("")
    A("## 1. Per-call cost (micro)\n")
    na_by_mode = {m: [label for op, label in OPS if g["micro"][m][op].get("not_supported_yet")]
                  for m in ("ringfence", "ringfence300", "rfrun")}
    na_text = "; ".join(f"{', '.join(v)} in *{MODE_LABEL[m]}*" for m, v in na_by_mode.items() if v)
    na = bool(na_text)
    failed_by = {}  # (operations, reason) -> the Ringfence modes where they failed so
    for m in RINGFENCE_MICRO:
        by_why = {}
        for op, label in OPS:
            if g["micro"][m][op].get("failed"):
                by_why.setdefault(g["micro"][m][op]["failed"][:80], []).append(label)
        for why, labels in by_why.items():
            ops = "every operation" if len(labels) == len(OPS) else ", ".join(labels)
            failed_by.setdefault((ops, why), []).append(f"*{MODE_LABEL[m]}*")
    failed_text = "; ".join(f"{ops} in {', '.join(ms)} ({why})" for (ops, why), ms in failed_by.items())
    A("`bench/micro_worker` runs each operation in 11 timed batches (ns per call: the median batch, then the "
      "median over rounds; ratio to native per round). Thread create+join is `pthread_create` of a thread that "
      "returns at once, then `pthread_join`. "
      "Ringfence's columns here are its exit path (every forwarded call is a VM exit to the monitor); the "
      "exitless channel and patched call sites are measured by `bench/run-exitless.sh` (below)."
      + (f" Refused by design inside a sandbox entered with `sb_enter()` (execve there fails with ENOSYS: "
         "it re-runs the launcher, which only `ringfence run` / `sb_exec()` sandboxes have; the `ringfence run` "
         f"column measures it): {na_text}; those cells say so instead of a number." if na else "")
      + (f" Failed inside Ringfence in this run (no number is made up for them; the cell gives the reason): "
         f"{failed_text}." if failed_text else "") + "\n")
    for env, res in (("guest", g), ("host", h)):
        A(f"### {ENV_LABEL[env]}\n")
        p = res["info"].get("params", "")
        A(f"Parameters: {p}.\n")
        A(micro_table(res, env) + "\n")
        if f"micro-{env}" in pngs:
            A(f"![per-call ratios, {env}]({img_prefix}{pngs['micro-' + env]})\n")
    A("Modes: " + "; ".join(f"**{MODE_LABEL[m]}**: {MODE_DESC[m]}" for m in
                            ["ringfence", "ringfence300", "rfrun", "allow60", "rules300", "notify", "ptrace", "runsc"]) + ".\n")
    A("## 2. Start-up\n")
    A("Wall time of fork + exec + wait of `true` in each sandbox (`bench/launch_timer`), one run per mode and "
      "round.\n")
    for env, res in (("guest", g), ("host", h)):
        A(f"### {ENV_LABEL[env]}\n")
        A(startup_table(res, env) + "\n")
    if "startup" in pngs:
        A(f"![start-up ratios]({img_prefix}{pngs['startup']})\n")
    A("## 3. Memory per idle sandbox, and density\n")
    A("`bench/bench_idle`: N sandboxes each idle in `sleep` (or, for the built-in kinds, a forked child that "
      "blocks, after `sb_enter()` for Ringfence), then per sandbox: the PSS of every process they consist of "
      "(their whole process tree), and the growth of the kernel's Slab, PageTables and VmallocUsed. "
      "MemAvailable is shown too but moves with everything else on the machine; a negative growth means the "
      "kernel freed caches of earlier runs meanwhile (noise of the order of 50–100 KiB per sandbox). crun and runc run in the "
      "foreground (`run`, not `run -d`), so their own runtime process is counted.\n")
    for env, res in (("guest", g), ("host", h)):
        A(f"### {ENV_LABEL[env]}\n")
        A(idle_table(res, env) + "\n")
        if env == "guest" and res["info"].get("thp"):
            A(f"Transparent huge pages in the guest: `{res['info']['thp']}` (the kernel's default). The \"THP off\" rows "
              "were measured with `never` written to /sys/kernel/mm/transparent_hugepage/enabled inside the guest "
              "(the host's setting is never touched); with THP on, a few of the monitor's anonymous regions of 2 MiB "
              "or more are backed by whole huge pages, which the \"of which huge pages\" column shows.\n")
    if "idle" in pngs:
        A(f"![idle memory]({img_prefix}{pngs['idle']})\n")
    dn = g.get("density")
    if dn:
        A(f"**Density** [guest]: idle Ringfence sandboxes (fork + `sb_enter()`, then block) created one after the "
          f"other: **{dn['count']:.0f}** in {dn['seconds']:.1f} s ({dn['rate']:.1f} per second), stopped by "
          f"*{str(dn['stop']).replace('_', ' ')}* (limits: the count and time given in the parameters, or MemAvailable under 24 MiB; "
          "transparent huge pages as the guest kernel sets them by default, see above); "
          f"MemAvailable went from {dn['avail_start_kib'] / 1024:.0f} MiB to {dn['avail_end_kib'] / 1024:.0f} MiB.\n")
    else:
        A("**Density**: no result (see the raw output).\n")
    A("## 4. Macro: real programs\n")
    A("Whole-command wall time (start-up included) of single-process workloads, natively and in every mode that "
      "wraps a command; the same programs and data in both environments (the host adds gVisor). No workload "
      "forks: `sqlite3 :memory:` building, "
      "grouping and sorting rows of a recursive CTE, `gzip -6` of a text file, busybox `find` over a tree of small "
      "files, and one `sha256sum` over all of them (many open/read/close calls).\n")
    for env, res in (("guest", g), ("host", h)):
        A(f"### {ENV_LABEL[env]}\n")
        A(macro_table(res, env) + "\n")
        if f"macro-{env}" in pngs:
            A(f"![macro ratios, {env}]({img_prefix}{pngs['macro-' + env]})\n")
    A("## What is not measured, and why\n")
    A("- Ringfence on hardware: no machine of this project has a usable `/dev/kvm` (PVM guests); every Ringfence "
      "figure is from Bochs' VT-x emulation.")
    if na:
        A(f"- Refused by design in `sb_enter()` sandboxes (measured under `ringfence run` instead): {na_text}.")
    if failed_text:
        A(f"- Failed inside Ringfence in this run: {failed_text}.")
    A("- Ringfence's exitless channel and patched call sites on a PVM host (where patching pays most): no PVM "
      "`/dev/kvm` here; `bench/run-exitless.sh` measures them under Bochs' VT-x emulation.")
    A("- gVisor runsc, crun, runc, podman in the guest: not run there (the guest is a busybox initramfs without "
      "cgroup mounts or container storage); they are measured on the host instead, against the host's native "
      "baseline, so their ratios are not directly comparable with Ringfence's.")
    A("- gVisor's KVM platform: hangs on this PVM host (PEERS.md); runsc runs on its ptrace platform.")
    unav = [(env, u) for env, res in (("guest", g), ("host", h)) for u in res["unavailable"]]
    if unav:
        A("\nModes that failed in this run (first lines of their output):\n")
        for env, u in unav[:30]:
            A(f"- [{env}] {u['section']} {u['mode']}: `{u['reason'][:200]}`")
    if for_docs:
        A("\n## Other benchmark scripts\n")
        A("`bench/run-core.sh` (`bench/bench_core.c`: the core per-call costs, a 300-rule policy on getpid beside "
          "allow-all, idle memory) and `bench/run-launch.sh` (`ringfence run -- true` beside native and bwrap) "
          "predate `bench/run` and still work; they keep their raw output in `bench/results/core-*.txt` and "
          "`bench/results/launch-*.txt`. `bench/run` covers what they measure. `bench/run-process.sh` "
          "(`bench/bench_process.c`) times fork+wait, fork+exec+wait and thread create+join under "
          "`ringfence run` beside native in interleaved rounds (ratio per round, median and min–max; a mode "
          "that fails inside says `failed:` with its reason) and keeps them in `bench/results/process-*.txt`.")
        A(exitless_section())
    A("\n## Versions\n")
    A("guest: " + "; ".join(f"{k} {v}" for k, v in g["info"].items()
                            if k in ("ringfence", "bwrap", "unshare", "sqlite3", "gzip")) + ".  ")
    A("host: " + "; ".join(f"{k[4:]} {v}" for k, v in h["info"].items() if k.startswith("pkg_")) + ".\n")
    return "\n".join(L) + "\n"


def exitless_section():
    """The newest bench/run-exitless.sh result, as kept in bench/results/exitless-*.txt."""
    import glob, os
    files = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "exitless-*.txt")))
    text = ("\n## Exitless system calls (`bench/run-exitless.sh`)\n\n"
            "`bench/run-exitless.sh [ROUNDS] [ITERS] [SECONDS]` runs in one Bochs boot with 2 emulated CPUs: "
            "getpid and a 1-byte write to /dev/null natively, under a seccomp allow list (allow60), a seccomp "
            "user-notify supervisor, a ptrace stop, Ringfence's exit path (`RINGFENCE_EXITLESS=off`), its "
            "exitless channel through the unmodified `syscall` (`lstar`: `RINGFENCE_EXITLESS=on "
            "RINGFENCE_PATCH=off`; getpid answered in the VM by the channel stub, the write made by the worker) "
            "and through patched call sites (`patched`: `RINGFENCE_EXITLESS=on`; glibc's getpid and write "
            "wrappers, patched during `micro_worker`'s warm-up, reach the channel from user mode through their "
            "trampolines) and through patched sites only (`sites`: `RINGFENCE_CHANNEL_STUB=off`, every "
            "unmodified `syscall` exits as on a PVM host; the first calls from a site exit, then it is patched), "
            "in interleaved rounds (ratio per round, median and min-max); then 1, 2, 4 and 8 sandboxes "
            "at once (`bench/bench_fair.c`, exitless on, each writing to /dev/null) with the total rate and the "
            "slowest sandbox's share of an equal split. Emulated time: ratios only; a native getpid costs far "
            "more under Bochs than the channel stub's few instructions, hence a ratio below 1.\n")
    if not files:
        return text + "\nNo run of it is kept yet.\n"
    return (text + f"\nThe newest run, `bench/results/{os.path.basename(files[-1])}`:\n\n```\n"
            + open(files[-1]).read().rstrip() + "\n```\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meta", required=True)
    ap.add_argument("--guest")
    ap.add_argument("--host")
    ap.add_argument("--out", required=True)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--docs")
    ap.add_argument("--archive")
    a = ap.parse_args()
    meta = json.load(open(a.meta))
    g = analyse(parse(a.guest, "guest"), "guest")
    h = analyse(parse(a.host, "host"), "host")
    heads = headlines(g, h)
    os.makedirs(a.out, exist_ok=True)
    pngs = make_plots(a.out, g, h)
    doc = {"meta": meta, "headlines": heads, "guest": g, "host": h, "plots": list(pngs.values())}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(markdown(meta, g, h, pngs, "", heads, False))
    if a.archive:
        stamp = meta["date"].replace("-", "").replace(":", "")
        shutil.copy(os.path.join(a.out, "results.json"), os.path.join(a.archive, f"bench-{stamp}.json"))
        shutil.copy(os.path.join(a.out, "results.md"), os.path.join(a.archive, f"bench-{stamp}.md"))
    if a.docs:
        rel = os.path.relpath(a.out, os.path.dirname(os.path.abspath(a.docs))) + "/"
        with open(a.docs, "w") as f:
            f.write(markdown(meta, g, h, pngs, rel, heads, True))
    for s in heads:
        print("headline:", s)
    if a.check:
        print("bench check: thread create+join inside Ringfence is "
              + ("required (RF_BENCH_REQUIRE_THREADS=1, the default)" if require_threads()
                 else "not required (RF_BENCH_REQUIRE_THREADS=0)"))
        miss = expected_missing(g, h)
        if miss:
            print(f"bench check: {len(miss)} mode(s) produced no number:", file=sys.stderr)
            for m in miss:
                print("  " + m, file=sys.stderr)
            if require_threads() and any(f"{env} micro {m} {op}:" in x for x in miss for env, m, op in THREAD_REQUIRED):
                print("bench check: (until threads work inside Ringfence, RF_BENCH_REQUIRE_THREADS=0 lets its thread "
                      "cells fail without failing the check)", file=sys.stderr)
            return 1
        print("bench check: every mode produced a number" + (
            " (Ringfence: " + ", ".join(op for op, _ in OPS if g["micro"]["ringfence"][op].get("not_supported_yet"))
            + " refused in sb_enter() by design)" if any(g["micro"]["ringfence"][op].get("not_supported_yet") for op, _ in OPS) else ""))
        for cell, why in tolerated_missing(g, h):
            print(f"bench check: {cell} produced no number, tolerated (RF_BENCH_REQUIRE_THREADS=0): failed: {why[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
