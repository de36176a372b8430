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

from bench_truth import leg_angles, table_axes  # noqa: E402  (beside this script)


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
