//! Plane geometry in image pixels (y down): vectors, angles, and the Thomas-test angles against a
//! given horizontal.

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Vec2 {
    pub x: f64,
    pub y: f64,
}

impl Vec2 {
    pub fn new(x: f64, y: f64) -> Self {
        Vec2 { x, y }
    }
    pub fn minus(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x - o.x, self.y - o.y)
    }
    pub fn plus(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x + o.x, self.y + o.y)
    }
    pub fn scale(self, k: f64) -> Vec2 {
        Vec2::new(self.x * k, self.y * k)
    }
    pub fn dot(self, o: Vec2) -> f64 {
        self.x * o.x + self.y * o.y
    }
    pub fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
    pub fn mid(self, o: Vec2) -> Vec2 {
        self.plus(o).scale(0.5)
    }
    pub fn dist(self, o: Vec2) -> f64 {
        self.minus(o).norm()
    }
}

/// A horizontal direction in the image: a unit vector pointing along the table from the head
/// end towards the foot end. Its "down" normal is the direction a hanging knee drops into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Horizontal {
    pub towards_feet: Vec2,
}

impl Horizontal {
    /// From the image tilt of the table line (degrees, positive = clockwise on screen, y down)
    /// and whether the feet are towards the image's right.
    pub fn from_tilt(tilt_deg: f64, feet_right: bool) -> Self {
        let (s, c) = tilt_deg.to_radians().sin_cos();
        let along = Vec2::new(c, s);
        Horizontal { towards_feet: if feet_right { along } else { along.scale(-1.0) } }
    }

    /// The downward normal (perpendicular to the table, pointing to the floor).
    pub fn down(&self) -> Vec2 {
        let h = self.towards_feet;
        let n = Vec2::new(-h.y, h.x);
        if n.y >= 0.0 {
            n
        } else {
            n.scale(-1.0)
        }
    }

    /// Angle of `v` below this horizontal, degrees: positive below, negative above, in (-180, 180].
    pub fn angle_below(&self, v: Vec2) -> f64 {
        v.dot(self.down()).atan2(v.dot(self.towards_feet)).to_degrees()
    }
}

/// Interior angle at `b` of the path a–b–c, degrees (0..180).
pub fn interior_angle(a: Vec2, b: Vec2, c: Vec2) -> Option<f64> {
    let (u, v) = (a.minus(b), c.minus(b));
    let n = u.norm() * v.norm();
    (n > 1e-9).then(|| (u.dot(v) / n).clamp(-1.0, 1.0).acos().to_degrees())
}

/// Hip extension: the thigh (hip → knee) against the horizontal; positive when the knee is
/// below the hip's horizontal.
pub fn hip_extension_deg(hip: Vec2, knee: Vec2, horizontal: &Horizontal) -> Option<f64> {
    let thigh = knee.minus(hip);
    (thigh.norm() > 1e-9).then(|| horizontal.angle_below(thigh))
}

/// Knee flexion: 180° minus the hip–knee–ankle angle (0 = straight leg).
pub fn knee_flexion_deg(hip: Vec2, knee: Vec2, ankle: Vec2) -> Option<f64> {
    interior_angle(hip, knee, ankle).map(|a| 180.0 - a)
}

/// Angle between the trunk (hip → shoulder) and the thigh (hip → knee): 180° when in line.
pub fn thigh_to_trunk_deg(shoulder: Vec2, hip: Vec2, knee: Vec2) -> Option<f64> {
    interior_angle(shoulder, hip, knee)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn knee_below_hip_is_positive_extension() {
        let h = Horizontal::from_tilt(0.0, true);
        let hip = Vec2::new(0.0, 0.0);
        // y down: a knee at +y is below the hip
        let e = hip_extension_deg(hip, Vec2::new(10.0, 10.0), &h).unwrap();
        assert!(close(e, 45.0), "{e}");
        let e = hip_extension_deg(hip, Vec2::new(10.0, -10.0), &h).unwrap();
        assert!(close(e, -45.0), "{e}");
    }

    #[test]
    fn feet_to_the_left_mirror_the_same_reading() {
        let h = Horizontal::from_tilt(0.0, false);
        let e = hip_extension_deg(Vec2::new(0.0, 0.0), Vec2::new(-10.0, 10.0), &h).unwrap();
        assert!(close(e, 45.0), "{e}");
    }

    /// Turns a point clockwise on screen (y down) by `deg`.
    fn turn(v: Vec2, deg: f64) -> Vec2 {
        let (s, c) = deg.to_radians().sin_cos();
        Vec2::new(v.x * c - v.y * s, v.x * s + v.y * c)
    }

    #[test]
    fn camera_roll_is_removed_by_the_table_tilt() {
        for feet_right in [true, false] {
            for tilt in [-8.0, 0.0, 6.0] {
                for true_angle in [-20.0f64, -3.0, 10.0] {
                    let sign = if feet_right { 1.0 } else { -1.0 };
                    let a = true_angle.to_radians();
                    let thigh = Vec2::new(sign * a.cos(), a.sin());
                    let h = Horizontal::from_tilt(tilt, feet_right);
                    let e = hip_extension_deg(Vec2::default(), turn(thigh, tilt), &h).unwrap();
                    assert!((e - true_angle).abs() < 1e-9, "feet_right {feet_right} tilt {tilt}: {e}");
                }
            }
        }
    }

    #[test]
    fn straight_leg_has_no_knee_flexion() {
        let f = knee_flexion_deg(Vec2::new(0.0, 0.0), Vec2::new(1.0, 0.0), Vec2::new(2.0, 0.0)).unwrap();
        assert!(close(f, 0.0));
        let f = knee_flexion_deg(Vec2::new(0.0, 0.0), Vec2::new(1.0, 0.0), Vec2::new(1.0, 1.0)).unwrap();
        assert!(close(f, 90.0));
    }

    #[test]
    fn degenerate_points_give_none() {
        let p = Vec2::new(3.0, 4.0);
        assert!(knee_flexion_deg(p, p, p).is_none());
        assert!(hip_extension_deg(p, p, &Horizontal::from_tilt(0.0, true)).is_none());
    }
}
