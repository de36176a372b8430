//! Geometry and signal: test leg, table horizontal, angles, smoothing, hold, quality.
