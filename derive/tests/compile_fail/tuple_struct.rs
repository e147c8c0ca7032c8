use h5oxide_derive::H5Type;

#[derive(H5Type)]
#[repr(C)]
struct Point(f64, f64);

fn main() {}
