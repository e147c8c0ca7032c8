use h5oxide_derive::H5Type;

#[derive(H5Type)]
#[repr(C)]
enum Shape {
    Circle { r: f64 },
    Square { side: f64 },
}

fn main() {}
