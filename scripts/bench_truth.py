"""The sample ground truth's geometry, shared by scripts/bench_driver.py (system python3) and
scripts/bench_mediapipe.py (the MediaPipe virtualenv): standard library only."""

import math


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
