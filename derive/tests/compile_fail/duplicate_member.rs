use h5oxide_derive::H5Write;

#[derive(H5Write)]
struct Point {
    x: f64,
    #[h5(name = "x")]
    y: f64,
}

fn main() {}
