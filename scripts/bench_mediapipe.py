#!/usr/bin/env python3
"""MediaPipe's side of scripts/bench: the legacy Python Pose pipeline, end to end, on one clip.

usage: bench_mediapipe.py CLIP [--gt GT.json]      (run with .venv-bench/bin/python)

Decodes CLIP with OpenCV (rotation tag applied, so a phone's portrait clip comes out upright),
converts every frame to RGB and runs mediapipe.solutions.pose.Pose(model_complexity=1,
static_image_mode=False, smooth_landmarks default) on it. With the ground truth (samples' format)
it computes the modified Thomas test the simplest fair way:
  - the test leg is the ground truth's (params.test_leg: L -> landmarks 23/25/27, R -> 24/26/28);
  - hip extension = signed angle of the thigh (hip -> knee landmark, pixels of the upright frame)
    against the TRUE table axis: world (0,0,table_height) and (-1,0,table_height) projected with
    the ground-truth camera, x = K (R X + t); positive = knee below the axis (towards the floor);
  - knee flexion = 180 - interior angle hip-knee-ankle (image plane);
  - result = median over the frames from timeline_s.held_from on.
Prints one JSON object on stdout. Exit 3 if the clip cannot be read.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

T0 = time.perf_counter()
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import cv2  # noqa: E402
import mediapipe as mp  # noqa: E402

T_IMPORT = time.perf_counter() - T0
IDX = {"L": (23, 25, 27), "R": (24, 26, 28)}


def project(cam, X):
    K, R, t = cam["K"], cam["R_world_to_cam"], cam["t_world_to_cam"]
    c = [sum(R[i][j] * X[j] for j in range(3)) + t[i] for i in range(3)]
    p = [sum(K[i][j] * c[j] for j in range(3)) for i in range(3)]
    return p[0] / p[2], p[1] / p[2]


def table_axes(gt):
    """Unit image vectors: u along the table towards its end (+x world), n towards the floor."""
    cam, th = gt["camera"], gt["params"]["table_height_m"]
    p0, p1 = project(cam, (0.0, 0.0, th)), project(cam, (-1.0, 0.0, th))
    below = project(cam, (0.0, 0.0, th - 0.5))
    ax = (p0[0] - p1[0], p0[1] - p1[1])
    norm = math.hypot(*ax)
    u = (ax[0] / norm, ax[1] / norm)
    n = (-u[1], u[0])
    if n[0] * (below[0] - p0[0]) + n[1] * (below[1] - p0[1]) < 0:
        n = (-n[0], -n[1])
    return u, n


def leg_angles(hip, knee, ankle, u, n):
    v = (knee[0] - hip[0], knee[1] - hip[1])
    hip_ext = math.degrees(math.atan2(v[0] * n[0] + v[1] * n[1], v[0] * u[0] + v[1] * u[1]))
    a = (hip[0] - knee[0], hip[1] - knee[1])
    b = (ankle[0] - knee[0], ankle[1] - knee[1])
    la, lb = math.hypot(*a), math.hypot(*b)
    if la == 0 or lb == 0:
        return hip_ext, None
    cos = max(-1.0, min(1.0, (a[0] * b[0] + a[1] * b[1]) / (la * lb)))
    return hip_ext, 180.0 - math.degrees(math.acos(cos))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clip")
    ap.add_argument("--gt", default="")
    args = ap.parse_args()
    gt = json.load(open(args.gt)) if args.gt else None

    cap = cv2.VideoCapture(args.clip)
    if not cap.isOpened():
        print(json.dumps({"error": "cannot open clip"}))
        return 3
    # OpenCV's pip wheels (4.11 here) leave CAP_PROP_ORIENTATION_AUTO off for the FFmpeg backend:
    # ask for it, and rotate by hand if the backend refuses.
    auto = bool(cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1))
    meta = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0) % 360
    manual = None
    if not auto and meta in (90, 180, 270):
        manual = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[meta]
    fps = cap.get(cv2.CAP_PROP_FPS) or (gt["fps"] if gt else 30.0)

    t1 = time.perf_counter()
    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
    t_init = time.perf_counter() - t1

    leg = gt["params"]["test_leg"] if gt else None
    held_from = gt["timeline_s"]["held_from"] if gt else None
    u, n = table_axes(gt) if gt else (None, None)
    frames = detected = 0
    size = None
    hips, knees = [], []
    t2 = time.perf_counter()
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        if manual is not None:
            bgr = cv2.rotate(bgr, manual)
        h, w = bgr.shape[:2]
        if size is None:
            size = (w, h)
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        res = pose.process(rgb)
        t = frames / fps
        frames += 1
        if res.pose_landmarks is None:
            continue
        detected += 1
        if gt is None or t < held_from - 1e-6:
            continue
        lm = res.pose_landmarks.landmark
        hip, knee, ankle = ((lm[i].x * w, lm[i].y * h) for i in IDX[leg])
        he, kf = leg_angles(hip, knee, ankle, u, n)
        hips.append(he)
        if kf is not None:
            knees.append(kf)
    t_loop = time.perf_counter() - t2
    pose.close()
    out = {
        "frames": frames,
        "detected": detected,
        "width": size[0] if size else None,
        "height": size[1] if size else None,
        "orientation_meta": meta,
        "orientation": "auto" if auto else ("manual" if manual is not None else "none"),
        "held_frames": len(hips),
        "hip_extension_deg": statistics.median(hips) if hips else None,
        "knee_flexion_deg": statistics.median(knees) if knees else None,
        "t_import_s": T_IMPORT,
        "t_init_s": t_init,
        "t_loop_s": t_loop,
        "mediapipe": mp.__version__,
        "opencv": cv2.__version__,
    }
    print(json.dumps(out))
    return 0 if frames else 3


if __name__ == "__main__":
    sys.exit(main())
