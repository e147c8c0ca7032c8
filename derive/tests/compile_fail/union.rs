use h5oxide_derive::H5Write;

#[derive(H5Write)]
#[repr(C)]
union Bits {
    i: u32,
    f: f32,
}

fn main() {}
