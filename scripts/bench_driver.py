#!/usr/bin/env python3
"""Measuring part of scripts/bench (run that instead: it builds romcam and sets up MediaPipe).

Each run is one child process, timed end to end on the wall clock (process start, model loading,
decoding, pose, measuring: everything a user waits for). Peak resident memory and CPU time come
from the kernel's rusage of that child (os.wait4, i.e. ru_maxrss, the figure `/usr/bin/time -f %M`
prints). Runs are sequential; romcam and MediaPipe alternate clip by clip, and which goes first
alternates too, so a change of machine load hits both. Standard library only; never fails on timing.
"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from bench_truth import leg_angles, table_axes  # beside this script

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CLIPS_DIR = os.path.join(ROOT, "target", "bench-clips")
MP_HELPER = os.path.join(ROOT, "scripts", "bench_mediapipe.py")
SOURCE = os.path.join(ROOT, "samples", "dev01_pre_left.mp4")
GOAL_SPEED_FRACTION = 1 / 3  # romcam on a 10 s 1080p30 clip: at most a third of its duration
GOAL_RATIO = 2.0  # at least 2x MediaPipe's frames per second
GOAL_STARTUP_MS = 300.0  # loading the models
GOAL_RSS_MB = 400.0  # peak RSS, the 4K HEVC 60 s clip included (checked as MB and as MiB)


def say(line=""):
    print(line, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def probe(path):
    """Frames, duration, upright size and codec of the first video stream (ffprobe)."""
    cmd = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
           "-show_entries", "stream=codec_name,width,height,avg_frame_rate,nb_read_packets:"
           "stream_side_data=rotation:format=duration", "-of", "json", path]
    try:
        info = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        s = info["streams"][0]
        rot = 0
        for sd in s.get("side_data_list", []) or []:
            if "rotation" in sd:
                rot = int(sd["rotation"])
        w, h = s["width"], s["height"]
        if rot % 180:
            w, h = h, w
        num, den = (s.get("avg_frame_rate") or "0/1").split("/")
        fps = float(num) / float(den) if float(den) else 0.0
        frames = int(s.get("nb_read_packets") or 0)
        dur = float(info.get("format", {}).get("duration") or 0) or (frames / fps if fps else 0.0)
        return {"frames": frames, "duration": dur, "width": w, "height": h, "fps": fps,
                "codec": s.get("codec_name", "?"), "rotation": rot}
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError, IndexError) as e:
        return {"error": str(e)}


def run_child(cmd):
    """Runs cmd; returns wall s, exit code, peak RSS MiB, CPU s, stdout, stderr tail, load before."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load = load1()
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall": wall, "code": p.returncode, "rss_mb": ru.ru_maxrss / 1024.0,
                "cpu": ru.ru_utime + ru.ru_stime, "load": load,
                "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")[-400:]}


def parse_json(text):
    try:
        return json.loads(text)
    except ValueError:
        # the last line that is a JSON object
        for line in reversed(text.strip().splitlines()):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def ffmpeg_make(out, args, what):
    """Creates a cached clip (written to .tmp, then renamed, so an interrupted run leaves none)."""
    if os.path.exists(out) and probe(out).get("frames"):
        say(f"  {what}: cached {os.path.relpath(out, ROOT)}")
        return True
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out[:-4] + ".tmp.mp4"
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"] + args + [tmp]
    say(f"  {what}: making {os.path.relpath(out, ROOT)}: {' '.join(cmd[5:])}")
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0 or not os.path.exists(tmp):
        say(f"  {what}: ffmpeg FAILED (exit {p.returncode}): {p.stderr.strip()[-300:]}")
        return False
    os.replace(tmp, out)
    say(f"  {what}: made in {time.perf_counter() - t0:.0f} s")
    return True


# ---------------------------------------------------------------------------------------------
def ideal_2d(gt):
    """The MediaPipe-side method on the ground truth's own 2D joints: its error floor."""
    leg = gt["params"]["test_leg"]
    u, n = table_axes(gt)
    hips, knees = [], []
    for fr in gt["frames"]:
        if fr["t"] < gt["timeline_s"]["held_from"] - 1e-6:
            continue
        j = fr["joints2d"]
        hip, knee = leg_angles(j["hip." + leg], j["knee." + leg], j["ankle." + leg], u, n)
        hips.append(hip)
        if knee is not None:
            knees.append(knee)
    return statistics.median(hips), statistics.median(knees)


def fmt(x, spec, none="-"):
    """format(x, spec), or `none` right-aligned to the spec's width."""
    if x is not None:
        return format(x, spec)
    digits = "".join(ch for ch in spec.lstrip("+- ").split(".")[0] if ch.isdigit())
    return none.rjust(int(digits) if digits else 0)


def main():
    ap = argparse.ArgumentParser(prog="scripts/bench")
    ap.add_argument("--romcam", required=True)
    ap.add_argument("--mp-python", default="")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--no-mediapipe", action="store_true")
    ap.add_argument("clips", nargs="*")
    args = ap.parse_args()
    runs = max(1, args.runs)
    romcam = os.path.abspath(args.romcam)
    mp_py = "" if args.no_mediapipe else args.mp_python
    tools = ["romcam"] + (["mediapipe"] if mp_py else [])

    say("=" * 100)
    say("romcam assess vs MediaPipe legacy Pose (Python) -- benchmark, never fails on timing")
    say(f"machine at start: {os.cpu_count()} cores, load average {loadavg()} (1/5/15 min)")
    def stamp():
        try:
            st = os.stat(romcam)
            return st.st_mtime, st.st_size
        except OSError:
            return None
    bin_stamp = stamp()
    ver = subprocess.run([romcam, "--version"], capture_output=True, text=True).stdout.strip() or "?"
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(bin_stamp[0])) if bin_stamp else "?"
    say(f"romcam: {os.path.relpath(romcam, ROOT)} ({ver}, built {built}); runs `assess CLIP --json -q`")
    if mp_py:
        v = subprocess.run([mp_py, "-c", "import mediapipe, cv2, numpy; print(mediapipe.__version__, "
                            "cv2.__version__, numpy.__version__)"], capture_output=True, text=True)
        mpv = (v.stdout.split() + ["?", "?", "?"])[:3]
        say(f"MediaPipe: {mpv[0]} (opencv {mpv[1]}, numpy {mpv[2]}) in {os.path.relpath(os.path.dirname(os.path.dirname(mp_py)), ROOT)}/: "
            "Pose(model_complexity=1, static_image_mode=False), every frame, OpenCV decode -> RGB")
    elif args.no_mediapipe:
        say("MediaPipe: skipped (--no-mediapipe)")
    else:
        say("MediaPipe: NOT AVAILABLE (see the set-up lines above): romcam measured alone")
    say(f"runs: {runs} per tool per clip, sequential, alternating; wall = whole process, "
        "peak RSS = ru_maxrss of the child")

    # ---- clips ------------------------------------------------------------------------------
    paths = args.clips or sorted(glob.glob(os.path.join(ROOT, "samples", "dev0*.mp4")))
    clips = []
    for p in paths:
        info = probe(p)
        if "error" in info or not info["frames"]:
            say(f"skipping {p}: ffprobe cannot read it ({info.get('error', 'no frames')})")
            continue
        gtp = p[:-4] + ".json"
        gt = None
        if os.path.exists(gtp):
            try:
                gt = json.load(open(gtp))
                gt["target"]["held_mean_test_hip_extension_deg"]
            except (OSError, ValueError, KeyError, TypeError):
                gt = None
        clips.append({"name": os.path.basename(p)[:-4], "path": os.path.abspath(p), "gt": gt,
                      "gt_path": gtp if gt else "", "info": info, "kind": "sample", "tools": tools})

    long_clips = []
    if args.long:
        say("")
        say("long clips (--long), made from samples/dev01_pre_left.mp4 with ffmpeg:")
        c1080 = os.path.join(CLIPS_DIR, "long_1080p30_h264_10s.mp4")
        c4k = os.path.join(CLIPS_DIR, "long_2160p30_hevc_60s.mp4")
        if ffmpeg_make(c1080, ["-stream_loop", "1", "-i", SOURCE, "-t", "10", "-an",
                               "-vf", "scale=1920:1080", "-r", "30", "-c:v", "libx264",
                               "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"],
                       "10 s 1080p30 H.264"):
            long_clips.append({"name": "long_1080p30_h264_10s", "path": c1080, "gt": None,
                               "gt_path": "", "kind": "1080p", "tools": tools})
        if ffmpeg_make(c4k, ["-stream_loop", "8", "-i", SOURCE, "-t", "60", "-an",
                             "-vf", "scale=3840:2160", "-r", "30", "-c:v", "libx265",
                             "-preset", "ultrafast", "-x265-params", "log-level=error",
                             "-pix_fmt", "yuv420p", "-tag:v", "hvc1"],
                       "60 s 4K HEVC"):
            # MediaPipe is not run on it: the 4K clip is for romcam's memory.
            long_clips.append({"name": "long_2160p30_hevc_60s", "path": c4k, "gt": None,
                               "gt_path": "", "kind": "4k", "tools": ["romcam"]})
        for c in long_clips:
            c["info"] = probe(c["path"])
    # Start-up: a clip too short to measure, so romcam loads its models, runs pose on it and
    # gives up (exit 4; romcam answers exit 3 for a 1-frame clip, also after pose, but a
    # 2-frame one keeps working if that check ever moves before the model loading).
    one = os.path.join(CLIPS_DIR, "two_frames.mp4")
    have_one = ffmpeg_make(one, ["-i", SOURCE, "-frames:v", "2", "-an", "-c:v", "libx264",
                                 "-pix_fmt", "yuv420p"], "2-frame clip (start-up)")
    all_clips = clips + long_clips
    say("")
    say("clips:")
    for c in all_clips:
        i = c["info"]
        gtn = "ground truth" if c["gt"] else "no ground truth (speed and memory only)"
        say(f"  {c['name']:24s} {i['frames']:5d} frames {i['duration']:6.2f} s {i['width']}x{i['height']}"
            f" {i['fps']:.0f} fps {i['codec']}{' rotation tag ' + str(i['rotation']) + ' (ffprobe)' if i['rotation'] else ''}; {gtn}")

    # ---- runs -------------------------------------------------------------------------------
    res = {}  # (clip name, tool) -> [run dicts]

    def cmd_for(tool, c):
        if tool == "romcam":
            return [romcam, "assess", c["path"], "--json", "-q"]
        cmd = [mp_py, MP_HELPER, c["path"]]
        return cmd + (["--gt", c["gt_path"]] if c["gt_path"] else [])

    say("")
    say("runs:")
    for r in range(runs):
        for ci, c in enumerate(all_clips):
            order = c["tools"] if (r + ci) % 2 == 0 else list(reversed(c["tools"]))
            line = []
            for tool in order:
                out = run_child(cmd_for(tool, c))
                out["json"] = parse_json(out["stdout"])
                res.setdefault((c["name"], tool), []).append(out)
                line.append(f"{tool} {out['wall']:6.2f} s (exit {out['code']}, {out['rss_mb']:.0f} MiB)")
            say(f"  run {r + 1}/{runs} {c['name']:24s} load {load1():4.2f}  " + "  ".join(line))

    startup = {}
    loads = []
    if have_one:
        for r in range(runs):
            order = tools if r % 2 == 0 else list(reversed(tools))
            for tool in order:
                o = run_child(cmd_for(tool, {"path": one, "gt_path": ""}))
                startup.setdefault(tool, []).append(o)
        startup["romcam --version"] = [run_child([romcam, "--version"]) for _ in range(runs)]
        # romcam's own log line "pose stage ...: open X s" = opening the video and loading the models
        for _ in range(runs):
            o = run_child(["env", "RUST_LOG=romcam::pose=debug", romcam, "assess", one, "--json", "-q"])
            m = re.search(r"open ([0-9.]+) s", o["stderr"])
            if m:
                loads.append(float(m.group(1)))

    # ---- speed and memory table -------------------------------------------------------------
    say("")
    say("SPEED AND MEMORY (wall = median of runs; fps = clip frames / wall; s/clip-s = wall / clip duration)")
    hdr = (f"{'clip':24s} {'tool':9s} {'frames':>6s} {'clip s':>6s} {'wall s':>7s} {'min s':>6s} "
           f"{'fps':>6s} {'s/clip-s':>8s} {'CPU/wall':>8s} {'peakMiB':>7s} {'exit':>4s}  ratio fps romcam/MP")
    say(hdr)
    say("-" * len(hdr))
    totals = {}  # (kind, tool) -> [frames, wall, duration]
    peak = {}
    ratios = []
    for c in all_clips:
        i = c["info"]
        med = {}
        for tool in c["tools"]:
            rs = res.get((c["name"], tool), [])
            if not rs:
                continue
            wall = statistics.median(x["wall"] for x in rs)
            med[tool] = wall
            cpu = statistics.median(x["cpu"] for x in rs)
            rss = max(x["rss_mb"] for x in rs)
            codes = sorted({x["code"] for x in rs})
            peak[tool] = max(peak.get(tool, 0.0), rss)
            if tool == "romcam":
                peak.setdefault("romcam:" + c["kind"], 0.0)
                peak["romcam:" + c["kind"]] = max(peak["romcam:" + c["kind"]], rss)
            t = totals.setdefault((c["kind"], tool), [0, 0.0, 0.0, 0.0])
            t[0] += i["frames"]
            t[1] += wall
            t[2] += i["duration"]
            t[3] += cpu
            ratio = ""
            if tool == tools[-1] and len(med) == 2:
                q = med["mediapipe"] / med["romcam"]
                ratios.append((c["name"], q))
                ratio = f"{q:5.2f}x"
            say(f"{c['name']:24s} {tool:9s} {i['frames']:6d} {i['duration']:6.2f} {wall:7.2f} "
                f"{min(x['wall'] for x in rs):6.2f} {i['frames'] / wall:6.1f} {wall / i['duration']:8.3f} "
                f"{cpu / wall:8.2f} {rss:7.0f} {','.join(map(str, codes)):>4s}  {ratio}")
    say("-" * len(hdr))
    main_label = "given clips" if args.clips else "all sample clips"
    kinds = [("sample", main_label), ("1080p", "10 s 1080p30 H.264"), ("4k", "60 s 4K HEVC")]
    overall = {}
    for kind, label in kinds:
        for tool in tools:
            if (kind, tool) not in totals:
                continue
            fr, wall, dur, cpu = totals[(kind, tool)]
            overall[(kind, tool)] = fr / wall
            overall[(kind, tool, "cpu")] = cpu
            extra = ""
            if tool == "mediapipe" and (kind, "romcam") in overall:
                extra = (f"  romcam/MediaPipe = {overall[(kind, 'romcam')] / overall[(kind, tool)]:.2f}x "
                         f"(by CPU seconds {cpu / overall[(kind, 'romcam', 'cpu')]:.2f}x)")
            say(f"{'TOTAL ' + label:24s} {tool:9s} {fr:6d} {dur:6.1f} {wall:7.2f} {'':6s} {fr / wall:6.1f} "
                f"{wall / dur:8.3f} {cpu / wall:8.2f}{'':13s}{extra}")
    if any(x.get("json") and "t_loop_s" in x["json"] for (n, t), rs in res.items() if t == "mediapipe" for x in rs):
        say("")
        say("MediaPipe inside its process (medians): import + model set-up vs frame loop (decode, RGB, Pose, angles)")
        for c in all_clips:
            rs = [x["json"] for x in res.get((c["name"], "mediapipe"), []) if x.get("json") and "t_loop_s" in x["json"]]
            if rs:
                imp = statistics.median(j["t_import_s"] + j["t_init_s"] for j in rs)
                loop = statistics.median(j["t_loop_s"] for j in rs)
                say(f"  {c['name']:24s} import+init {imp:5.2f} s, loop {loop:6.2f} s = {rs[0]['frames'] / loop:5.1f} fps; "
                    f"decoded {rs[0]['width']}x{rs[0]['height']} (rotation tag {rs[0]['orientation_meta']}, "
                    f"applied: {rs[0]['orientation']}), pose found in {rs[0]['detected']}/{rs[0]['frames']} frames")
    if startup:
        say("")
        say("START-UP (2-frame clip cut from dev01 with ffmpeg: process start, model loading, pose on 2 frames,")
        say("          then no measurement; the wall time is an upper bound of start-up + model loading)")
        for tool, rs in startup.items():
            walls = [x["wall"] for x in rs]
            codes = sorted({x["code"] for x in rs})
            say(f"  {tool:18s} median {statistics.median(walls):5.2f} s, min {min(walls):5.2f} s, "
                f"peak {max(x['rss_mb'] for x in rs):4.0f} MiB, exit {','.join(map(str, codes))}")
        if loads:
            say(f"  romcam model loading (its log at RUST_LOG=debug: opening the clip, ONNX Runtime, detector and "
                f"landmark model): median {statistics.median(loads) * 1000:.0f} ms, max {max(loads) * 1000:.0f} ms")
        if "romcam" in startup:
            rs = startup["romcam"]
            say(f"  romcam's stderr on it: {rs[0]['stderr'].strip().splitlines()[-1][:150] if rs[0]['stderr'].strip() else '(none)'}")

    # ---- accuracy -------------------------------------------------------------------------
    say("")
    say("ACCURACY against the ground truth (target.held_mean_test_*; err = measured - truth, degrees)")
    say("  MediaPipe side: GT test leg, thigh vs the TRUE table axis projected with the GT camera, median over")
    say("  the GT hold; 'ideal 2D' = that same method on the GT's own 2D joints (its floor, no pose error).")
    hdr = (f"{'clip':24s} {'leg':3s} {'truth hip':>9s} {'romcam':>7s} {'err':>6s} {'MP':>7s} {'err':>6s} {'ideal':>6s} | "
           f"{'truth knee':>10s} {'romcam':>7s} {'err':>6s} {'MP':>7s} {'err':>6s} {'ideal':>6s} | romcam side")
    say(hdr)
    say("-" * len(hdr))
    errs = {"romcam": ([], []), "mediapipe": ([], []), "ideal": ([], [])}
    notes = []
    for c in clips:
        gt = c["gt"]
        if not gt:
            continue
        th, tk = gt["target"]["held_mean_test_hip_extension_deg"], gt["target"]["held_mean_test_knee_flexion_deg"]
        vals = {}
        for tool in tools:
            rs = [x["json"] for x in res.get((c["name"], tool), []) if isinstance(x.get("json"), dict)]
            hv = [j.get("hip_extension_deg") for j in rs if j.get("hip_extension_deg") is not None]
            kv = [j.get("knee_flexion_deg") for j in rs if j.get("knee_flexion_deg") is not None]
            h, k = (hv[0] if hv else None), (kv[0] if kv else None)
            if len(hv) > 1 and max(hv) - min(hv) > 0.01:
                notes.append(f"{c['name']} {tool}: hip differs between runs ({min(hv):.2f}..{max(hv):.2f})")
            if not hv:
                last = res.get((c["name"], tool), [{}])[-1]
                why = (last.get("json") or {}).get("withheld_reason") if isinstance(last.get("json"), dict) else None
                notes.append(f"{c['name']} {tool}: no result (exit {last.get('code')}"
                             f"{', ' + str(why) if why else ''}; {last.get('stderr', '').strip()[-120:]})")
            side = None
            if tool == "romcam" and rs:
                side = rs[0].get("test_side")
            vals[tool] = (h, k, side)
            if h is not None:
                errs[tool][0].append(abs(h - th))
            if k is not None:
                errs[tool][1].append(abs(k - tk))
        try:
            ih, ik = ideal_2d(gt)
            errs["ideal"][0].append(abs(ih - th))
            errs["ideal"][1].append(abs(ik - tk))
        except (KeyError, TypeError, ValueError, ZeroDivisionError, statistics.StatisticsError):
            ih = ik = None
        rh, rk, rside = vals.get("romcam", (None, None, None))
        mh, mk, _ = vals.get("mediapipe", (None, None, None))
        want = {"L": "left", "R": "right"}[gt["params"]["test_leg"]]
        sd = "-" if rside is None else ("ok" if rside == want else f"WRONG ({rside})")
        say(f"{c['name']:24s} {gt['params']['test_leg']:3s} {th:+9.2f} {fmt(rh, '+7.2f')} "
            f"{fmt(None if rh is None else rh - th, '+6.2f')} {fmt(mh, '+7.2f')} {fmt(None if mh is None else mh - th, '+6.2f')} "
            f"{fmt(None if ih is None else ih - th, '+6.2f')} | {tk:10.2f} {fmt(rk, '7.2f')} {fmt(None if rk is None else rk - tk, '+6.2f')} "
            f"{fmt(mk, '7.2f')} {fmt(None if mk is None else mk - tk, '+6.2f')} {fmt(None if ik is None else ik - tk, '+6.2f')} | {sd}")
    if not any(c["gt"] for c in clips):
        say("(no clip with a ground truth JSON beside it: accuracy not measured)")
    say("-" * len(hdr))
    for tool in ("romcam", "mediapipe", "ideal"):
        eh, ek = errs[tool]
        if eh or ek:
            say(f"mean absolute error {tool:10s} hip {fmt(statistics.mean(eh) if eh else None, '5.2f')} "
                f"(max {fmt(max(eh) if eh else None, '5.2f')}, {len(eh)} clips)   knee "
                f"{fmt(statistics.mean(ek) if ek else None, '5.2f')} (max {fmt(max(ek) if ek else None, '5.2f')}, {len(ek)} clips)")
    if long_clips:
        say("(the long clips are a sample clip looped and scaled: there is no ground truth, accuracy does not apply)")
    for n in notes:
        say(f"  note: {n}")

    # ---- goals --------------------------------------------------------------------------------
    say("")
    say(f"machine at end: {os.cpu_count()} cores, load average {loadavg()} (1/5/15 min)")
    if stamp() != bin_stamp:
        say(f"WARNING: {os.path.relpath(romcam, ROOT)} was rebuilt while this ran: runs may mix two builds")
    say("")
    say("GOALS (measured here; a benchmark on a shared 2-core machine, not a pass/fail test)")
    r1080 = res.get(("long_1080p30_h264_10s", "romcam"))
    if r1080:
        i = next(c["info"] for c in long_clips if c["name"] == "long_1080p30_h264_10s")
        w = statistics.median(x["wall"] for x in r1080)
        frac = w / i["duration"]
        codes = sorted({x["code"] for x in r1080})
        say(f"1. romcam assess on a 10 s 1080p30 clip takes at most a third of its duration: median {w:.2f} s for "
            f"{i['duration']:.1f} s = {frac:.3f} of it (goal <= {GOAL_SPEED_FRACTION:.3f}; exit {','.join(map(str, codes))}): "
            f"{'met' if frac <= GOAL_SPEED_FRACTION else 'not met'}.")
    else:
        say("1. romcam assess on a 10 s 1080p30 clip takes at most a third of its duration: not measured (run with --long).")
    if ("sample", "mediapipe") in overall:
        q = overall[("sample", "romcam")] / overall[("sample", "mediapipe")]
        worst = min(ratios, key=lambda x: x[1]) if ratios else None
        extra = f"; worst clip {worst[0]} {worst[1]:.2f}x" if worst else ""
        extra += (f"; by CPU seconds {overall[('sample', 'mediapipe', 'cpu')] / overall[('sample', 'romcam', 'cpu')]:.2f}x"
                  if overall.get(("sample", "romcam", "cpu")) else "")
        if ("1080p", "mediapipe") in overall:
            extra += f"; 10 s 1080p clip {overall[('1080p', 'romcam')] / overall[('1080p', 'mediapipe')]:.2f}x"
        say(f"2. romcam at least {GOAL_RATIO:.0f}x faster than MediaPipe in the same run: {main_label} "
            f"{overall[('sample', 'romcam')]:.1f} vs {overall[('sample', 'mediapipe')]:.1f} frames/s = {q:.2f}x"
            f"{extra}: {'met' if q >= GOAL_RATIO else 'not met'}.")
    else:
        say("2. romcam at least 2x faster than MediaPipe in the same run: not measured (MediaPipe not available or skipped).")
    if "romcam" in peak:
        parts = ", ".join(f"{lab} {peak['romcam:' + k]:.1f}" for k, lab in kinds if "romcam:" + k in peak)
        mib = peak["romcam"]
        mb = mib * 1024 * 1024 / 1e6
        if mib < GOAL_RSS_MB and mb < GOAL_RSS_MB:
            verdict = "met"
        elif mib < GOAL_RSS_MB:
            verdict = f"met if MB means MiB, not met in decimal MB ({mb:.1f} MB)"
        else:
            verdict = "not met"
        head = f"3. romcam peak RSS < {GOAL_RSS_MB:.0f} MB including the 4K HEVC 60 s clip: "
        if "romcam:4k" in peak:
            say(head + f"max {mib:.1f} MiB = {mb:.1f} MB (MiB: {parts}): {verdict}.")
        else:
            say(head + f"4K clip not measured (run with --long); without it max {mib:.1f} MiB = {mb:.1f} MB "
                f"(MiB: {parts}): {verdict} so far.")
    if "mediapipe" in peak:
        say(f"   (MediaPipe's peak RSS for comparison: {peak['mediapipe']:.1f} MiB)")
    if loads:
        ms = statistics.median(loads) * 1000
        say(f"4. start-up (loading the models) under {GOAL_STARTUP_MS:.0f} ms: median {ms:.0f} ms "
            f"(max {max(loads) * 1000:.0f} ms; process start alone, romcam --version: "
            f"{statistics.median(x['wall'] for x in startup['romcam --version']) * 1000:.0f} ms): "
            f"{'met' if ms < GOAL_STARTUP_MS else 'not met'}.")
    else:
        say("4. start-up (loading the models): not measured (no 2-frame clip).")
    return 0


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        say("interrupted")
    sys.exit(0)
