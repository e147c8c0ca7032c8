//! Every other header message decoder on arbitrary bytes; the first byte picks the message.
#![no_main]

use h5oxide::format::message::{
    attribute::AttributeMessage, dataspace::Dataspace, external_files::ExternalFiles,
    fill_value::FillValueMessage, filter_pipeline, group_info::GroupInfo, layout::LayoutMessage,
    link::Link, link_info::LinkInfo, misc,
};
use h5oxide::format::{Ctx, Cursor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let ctx = if which & 0x80 != 0 {
        Ctx { offset_size: 4, length_size: 4 }
    } else {
        Ctx::DEFAULT
    };
    let c = &mut Cursor::new(rest, 0, "message");
    match which & 0x0f {
        0 => drop(Dataspace::decode(c, ctx)),
        1 => drop(LinkInfo::decode(c, ctx)),
        2 => drop(FillValueMessage::decode(c)),
        3 => drop(FillValueMessage::decode_old(c)),
        4 => drop(Link::decode(c, ctx)),
        5 => drop(ExternalFiles::decode(c, ctx)),
        6 => drop(LayoutMessage::decode(c, ctx)),
        7 => drop(GroupInfo::decode(c)),
        8 => drop(filter_pipeline::decode(c)),
        9 => drop(AttributeMessage::decode(c)),
        10 => drop(misc::AttributeInfo::decode(c, ctx)),
        11 => drop(misc::SharedRef::decode(c, ctx)),
        12 => drop(misc::SymbolTableMessage::decode(c, ctx)),
        13 => drop(misc::BTreeK::decode(c)),
        _ => drop(misc::SharedMessageTable::decode(c, ctx)),
    }
});
