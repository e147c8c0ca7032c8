use h5oxide_derive::H5Type;

#[derive(H5Type)]
#[repr(C)]
struct Point {
    #[h5(rename = "X")]
    x: f64,
    y: f64,
}

fn main() {}
