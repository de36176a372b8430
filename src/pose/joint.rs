//! BlazePose's landmark indices by name, in its order (left = the subject's left), and the
//! joints of each body side. Every other module names landmarks through these.

pub const NOSE: usize = 0;
pub const LEFT_SHOULDER: usize = 11;
pub const RIGHT_SHOULDER: usize = 12;
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
