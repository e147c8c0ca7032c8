use h5oxide_derive::H5Type;

#[derive(H5Type)]
struct Point {
    x: f64,
    y: f64,
}

fn main() {}
