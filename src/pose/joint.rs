//! BlazePose's landmark indices by name, in its order (left = the subject's left), and the
//! joints of each body side. Every other module names landmarks through these.

pub const NOSE: usize = 0;
pub const LEFT_EYE_INNER: usize = 1;
pub const LEFT_EYE: usize = 2;
pub const LEFT_EYE_OUTER: usize = 3;
pub const RIGHT_EYE_INNER: usize = 4;
pub const RIGHT_EYE: usize = 5;
pub const RIGHT_EYE_OUTER: usize = 6;
pub const LEFT_EAR: usize = 7;
pub const RIGHT_EAR: usize = 8;
pub const MOUTH_LEFT: usize = 9;
pub const MOUTH_RIGHT: usize = 10;
/// The face's landmarks are the first this many (nose to mouth); the body's follow.
pub const FACE_LANDMARKS: usize = 11;
pub const LEFT_SHOULDER: usize = 11;
pub const RIGHT_SHOULDER: usize = 12;
pub const LEFT_ELBOW: usize = 13;
pub const RIGHT_ELBOW: usize = 14;
pub const LEFT_WRIST: usize = 15;
pub const RIGHT_WRIST: usize = 16;
pub const LEFT_PINKY: usize = 17;
pub const RIGHT_PINKY: usize = 18;
pub const LEFT_INDEX: usize = 19;
pub const RIGHT_INDEX: usize = 20;
pub const LEFT_THUMB: usize = 21;
pub const RIGHT_THUMB: usize = 22;
pub const LEFT_HIP: usize = 23;
pub const RIGHT_HIP: usize = 24;
pub const LEFT_KNEE: usize = 25;
pub const RIGHT_KNEE: usize = 26;
pub const LEFT_ANKLE: usize = 27;
pub const RIGHT_ANKLE: usize = 28;
pub const LEFT_HEEL: usize = 29;
pub const RIGHT_HEEL: usize = 30;
pub const LEFT_FOOT_INDEX: usize = 31;
pub const RIGHT_FOOT_INDEX: usize = 32;
/// The auxiliary alignment points after the 33 body landmarks: the hip centre and the point
/// giving the body's size and rotation, from which the tracker places the next frame's ROI.
pub const ALIGN_CENTRE: usize = 33;
pub const ALIGN_SIZE: usize = 34;

/// The shoulder, hip, knee and ankle of one body side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodySide {
    pub shoulder: usize,
    pub hip: usize,
    pub knee: usize,
    pub ankle: usize,
}

pub const LEFT: BodySide =
    BodySide { shoulder: LEFT_SHOULDER, hip: LEFT_HIP, knee: LEFT_KNEE, ankle: LEFT_ANKLE };
pub const RIGHT: BodySide =
    BodySide { shoulder: RIGHT_SHOULDER, hip: RIGHT_HIP, knee: RIGHT_KNEE, ankle: RIGHT_ANKLE };
