//! Stored references: old object and region references, region heap objects, revised
//! reference elements and encodings. Input: `[which][ctx][rank][bytes...]`.
#![no_main]

use h5oxide::format::message::datatype::ReferenceType;
use h5oxide::format::reference::{
    decode_object1, decode_region1, GlobalHeapId, RegionObject, RevisedElement, RevisedRef,
};
use h5oxide_fuzz::{ctx, cursor, Input, ADDR};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let which = i.u8();
    let ctx = ctx(i.u8());
    let rank = i.u8();
    let bytes = i.rest();
    let c = &mut cursor(bytes, "reference");
    match which % 6 {
        0 => drop(GlobalHeapId::decode(c, ctx)),
        1 => drop(decode_object1(c, ctx)),
        2 => drop(decode_region1(c, ctx)),
        3 => drop(RegionObject::decode(c, ctx, (rank != 0).then_some(usize::from(rank)))),
        4 => {
            // A dataset of revised references: elements back to back.
            for _ in 0..64 {
                match RevisedElement::decode(c, ctx) {
                    Ok(RevisedElement::Inline(r)) => drop(r.address(ADDR)),
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }
        _ => {
            // A heap object holding a revised reference encoding: type and flags, then body.
            let ty = ReferenceType(rank % 6);
            if let Ok(r) = RevisedRef::decode_body(ty, which >> 3, c) {
                let _ = r.address(ADDR);
            }
        }
    }
});
