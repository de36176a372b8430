//! Signal processing on per-frame angle series: zero-phase smoothing that tolerates gaps, robust
//! statistics, and finding the final still period (the hold).

/// Zero-phase Gaussian smoothing over time (seconds), skipping missing samples (normalised
/// convolution). The kernel is symmetric, so the output has no delay.
pub fn smooth(t: &[f64], v: &[Option<f64>], sigma_s: f64) -> Vec<Option<f64>> {
    let n = t.len().min(v.len());
    let mut out = vec![None; n];
    for i in 0..n {
        if v[i].is_none() {
            continue;
        }
        let (mut sw, mut s) = (0.0, 0.0);
        let mut j = i;
        while j > 0 && t[i] - t[j - 1] <= 3.0 * sigma_s {
            j -= 1;
        }
        for k in j..n {
            let dt = t[k] - t[i];
            if dt > 3.0 * sigma_s {
                break;
            }
            if let Some(x) = v[k] {
                let w = (-0.5 * (dt / sigma_s).powi(2)).exp();
                sw += w;
                s += w * x;
            }
        }
        out[i] = (sw > 0.0).then(|| s / sw);
    }
    out
}

/// Median of the values (None when empty).
pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

/// Linear-interpolated quantile, q in 0..1.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64))
}

pub fn std_dev(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = values.iter().sum::<f64>() / values.len() as f64;
    Some((values.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt())
}

/// A stretch of frames [start, end] (inclusive indices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameRange {
    pub start: usize,
    pub end: usize,
}

/// Finds the final still period: the last run of frames in which every series moves slower
/// than its limit (degrees per second), lasting at least `min_s` seconds. Gaps of missing
/// frames up to `max_gap_s` do not break a run.
pub fn final_still_period(
    t: &[f64],
    series: &[(&[Option<f64>], f64)],
    min_s: f64,
    max_gap_s: f64,
) -> Option<FrameRange> {
    let n = t.len();
    let still: Vec<Option<bool>> = (0..n)
        .map(|i| {
            let mut any = false;
            for (s, limit) in series {
                match speed_at(t, s, i) {
                    Some(v) if v > *limit => return Some(false),
                    Some(_) => any = true,
                    None => {}
                }
            }
            any.then_some(true)
        })
        .collect();
    let mut runs: Vec<FrameRange> = Vec::new();
    let mut current: Option<FrameRange> = None;
    let mut last_still_t = f64::NEG_INFINITY;
    for i in 0..n {
        match still[i] {
            Some(true) => {
                current = match current {
                    Some(r) if t[i] - last_still_t <= max_gap_s => {
                        Some(FrameRange { start: r.start, end: i })
                    }
                    Some(r) => {
                        runs.push(r);
                        Some(FrameRange { start: i, end: i })
                    }
                    None => Some(FrameRange { start: i, end: i }),
                };
                last_still_t = t[i];
            }
            Some(false) => {
                if let Some(r) = current.take() {
                    runs.push(r);
                }
            }
            None => {}
        }
    }
    if let Some(r) = current {
        runs.push(r);
    }
    runs.into_iter().rev().find(|r| t[r.end] - t[r.start] >= min_s)
}

/// Central-difference speed (units per second) of a series at frame i.
fn speed_at(t: &[f64], v: &[Option<f64>], i: usize) -> Option<f64> {
    let prev = (0..i).rev().find(|&j| v[j].is_some());
    let next = (i + 1..v.len()).find(|&j| v[j].is_some());
    let (a, b) = match (prev, next) {
        (Some(p), Some(n)) => (p, n),
        (None, Some(n)) => (i, n),
        (Some(p), None) => (p, i),
        (None, None) => return None,
    };
    let (va, vb) = (v[a]?, v[b]?);
    let dt = t[b] - t[a];
    (dt > 0.0).then(|| ((vb - va) / dt).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_keeps_a_constant_and_has_no_delay() {
        let t: Vec<f64> = (0..100).map(|i| i as f64 / 30.0).collect();
        let v: Vec<Option<f64>> = t.iter().map(|&x| Some(2.0 * x)).collect();
        let s = smooth(&t, &v, 0.1);
        // a ramp stays a ramp in the middle (zero phase)
        assert!((s[50].unwrap() - v[50].unwrap()).abs() < 1e-9);
        let c: Vec<Option<f64>> = t.iter().map(|_| Some(5.0)).collect();
        assert!(smooth(&t, &c, 0.1).iter().all(|x| (x.unwrap() - 5.0).abs() < 1e-12));
    }

    #[test]
    fn smoothing_skips_gaps() {
        let t: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let mut v: Vec<Option<f64>> = vec![Some(1.0); 10];
        v[4] = None;
        let s = smooth(&t, &v, 1.0);
        assert!(s[4].is_none());
        assert!((s[5].unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn quantiles_and_median() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), Some(2.5));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[0.0, 10.0], 0.25), Some(2.5));
    }

    #[test]
    fn the_final_still_period_is_found_after_a_movement() {
        // still 0-1 s, moving 1-3 s, still 3-6 s
        let t: Vec<f64> = (0..180).map(|i| i as f64 / 30.0).collect();
        let v: Vec<Option<f64>> = t
            .iter()
            .map(|&x| {
                Some(if x < 1.0 {
                    100.0
                } else if x < 3.0 {
                    100.0 - 50.0 * (x - 1.0)
                } else {
                    0.0
                })
            })
            .collect();
        let r = final_still_period(&t, &[(&v, 5.0)], 1.0, 0.3).unwrap();
        assert!(t[r.start] >= 2.9 && t[r.start] <= 3.1, "start {}", t[r.start]);
        assert_eq!(r.end, 179);
    }

    #[test]
    fn no_still_period_when_always_moving() {
        let t: Vec<f64> = (0..90).map(|i| i as f64 / 30.0).collect();
        let v: Vec<Option<f64>> = t.iter().map(|&x| Some(30.0 * x)).collect();
        assert!(final_still_period(&t, &[(&v, 5.0)], 1.0, 0.3).is_none());
    }
}
