//! Object header messages (spec: "Object Header Messages"), one file per message.

pub mod attribute;
pub mod dataspace;
pub mod datatype;
pub mod external_files;
pub mod fill_value;
pub mod filter_pipeline;
pub mod group_info;
pub mod layout;
pub mod link;
pub mod link_info;
pub mod misc;

/// Header message type: an open newtype so unknown types are representable and printable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageType(pub u16);

#[allow(missing_docs)]
impl MessageType {
    pub const NIL: Self = Self(0x0000);
    pub const DATASPACE: Self = Self(0x0001);
    pub const LINK_INFO: Self = Self(0x0002);
    pub const DATATYPE: Self = Self(0x0003);
    pub const FILL_VALUE_OLD: Self = Self(0x0004);
    pub const FILL_VALUE: Self = Self(0x0005);
    pub const LINK: Self = Self(0x0006);
    pub const EXTERNAL_FILES: Self = Self(0x0007);
    pub const LAYOUT: Self = Self(0x0008);
    pub const BOGUS: Self = Self(0x0009);
    pub const GROUP_INFO: Self = Self(0x000A);
    pub const FILTER_PIPELINE: Self = Self(0x000B);
    pub const ATTRIBUTE: Self = Self(0x000C);
    pub const COMMENT: Self = Self(0x000D);
    pub const MODIFICATION_TIME_OLD: Self = Self(0x000E);
    pub const SHARED_MESSAGE_TABLE: Self = Self(0x000F);
    pub const CONTINUATION: Self = Self(0x0010);
    pub const SYMBOL_TABLE: Self = Self(0x0011);
    pub const MODIFICATION_TIME: Self = Self(0x0012);
    pub const BTREE_K: Self = Self(0x0013);
    pub const DRIVER_INFO: Self = Self(0x0014);
    pub const ATTRIBUTE_INFO: Self = Self(0x0015);
    pub const REFERENCE_COUNT: Self = Self(0x0016);
    pub const FILE_SPACE_INFO: Self = Self(0x0017);
    pub const CACHE_IMAGE: Self = Self(0x0018);
}

impl core::fmt::Display for MessageType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "message type {:#06x}", self.0)
    }
}
