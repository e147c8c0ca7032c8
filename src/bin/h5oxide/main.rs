//! The `h5oxide` command-line tool: `ls` and `dump` for HDF5 files.

use clap::{Parser, Subcommand};
use h5oxide::canon::dtype::dtype_string;
use h5oxide::hl::{LinkKind, Object};
use h5oxide::{File, Group};
use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "h5oxide", version, about = "Inspect HDF5 files (pure Rust)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the members of a group, like h5ls.
    Ls {
        /// Recurse into subgroups.
        #[arg(short, long)]
        recursive: bool,
        /// The HDF5 file.
        file: String,
        /// Group or object path (default `/`).
        path: Option<String>,
    },
    /// Describe the whole file (a readable tree, or the canonical JSON document with --json),
    /// or print the values of one dataset.
    Dump {
        /// Emit the canonical JSON document (h5canon/1).
        #[arg(long)]
        json: bool,
        /// With --json: include small dataset values.
        #[arg(long)]
        values: bool,
        /// The HDF5 file.
        file: String,
        /// A dataset whose values to print.
        path: Option<String>,
        /// numpy-style selection of the dataset, e.g. `0:10,::2,-1`.
        #[arg(long, allow_hyphen_values = true)]
        slice: Option<String>,
        /// Read datasets' external raw-data files and follow external links.
        #[arg(long)]
        external: bool,
    },
    /// Read a whole file and write it again with h5oxide's writer, chunk by chunk.
    Repack {
        /// The file to read.
        input: String,
        /// The file to write (replaced if it exists).
        output: String,
        /// Profile of the output: `earliest` (superblock v0, readable since HDF5 1.8) or
        /// `latest` (superblock v3, HDF5 1.10+ chunk indexes).
        #[arg(long, default_value = "earliest")]
        libver: String,
        /// Filters for every dataset, comma separated: `gzip=N`, `shuffle`, `lzf`,
        /// `fletcher32` (default: keep each dataset's).
        #[arg(long)]
        filter: Option<String>,
        /// Chunk shapes: `auto` (h5py's guess) or dimensions like `100x100`
        /// (default: keep each dataset's).
        #[arg(long)]
        chunk: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.cmd {
        Cmd::Ls {
            recursive,
            file,
            path,
        } => ls(&file, path.as_deref().unwrap_or("/"), recursive),
        Cmd::Dump {
            json,
            values,
            file,
            path: Some(path),
            slice,
            external,
        } => {
            let _ = (json, values);
            dump_values(&file, &path, slice.as_deref().unwrap_or(""), external)
        }
        Cmd::Dump {
            json,
            values,
            file,
            external,
            ..
        } => dump(&file, json, values, external),
        Cmd::Repack {
            input,
            output,
            libver,
            filter,
            chunk,
        } => repack(
            &input,
            &output,
            &libver,
            filter.as_deref(),
            chunk.as_deref(),
        ),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("h5oxide: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res = Result<(), Box<dyn std::error::Error>>;

fn open(path: &str, external: bool) -> Result<File, h5oxide::Error> {
    let opts = h5oxide::OpenOptions::new()
        .external_files(external)
        .follow_external_links(external);
    File::open_with(path, opts)
}

fn parse_filters(spec: &str) -> Result<Vec<h5oxide::filter::FilterSpec>, String> {
    use h5oxide::filter::FilterSpec;
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, arg) = part.split_once('=').unwrap_or((part, ""));
        let f = match name {
            "gzip" | "deflate" => {
                let level: u32 = if arg.is_empty() {
                    4
                } else {
                    arg.parse().map_err(|_| format!("bad gzip level {arg:?}"))?
                };
                if level > 9 {
                    return Err(format!("gzip level {level} is not 0-9"));
                }
                FilterSpec::deflate(level)
            }
            // Element and chunk sizes are filled in per dataset.
            "shuffle" => FilterSpec::shuffle(0),
            "fletcher32" => FilterSpec::fletcher32(),
            "lzf" => FilterSpec::lzf(0),
            other => return Err(format!("unknown filter {other:?}")),
        };
        out.push(f);
    }
    Ok(out)
}

fn repack(
    input: &str,
    output: &str,
    libver: &str,
    filter: Option<&str>,
    chunk: Option<&str>,
) -> Res {
    use h5oxide::hl::{ChunkChoice, RepackOptions};
    let profile = match libver {
        "earliest" => h5oxide::Profile::Earliest,
        "latest" => h5oxide::Profile::Latest,
        other => return Err(format!("unknown --libver {other:?} (earliest or latest)").into()),
    };
    let chunks = match chunk {
        None => ChunkChoice::Keep,
        Some("auto") => ChunkChoice::Auto,
        Some(dims) => ChunkChoice::Dims(
            dims.split(['x', ','])
                .map(|d| {
                    d.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("bad chunk dimension {d:?}"))
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    let opts = RepackOptions {
        filters: filter.map(parse_filters).transpose()?,
        chunks,
    };
    let src = File::open(input)?;
    let mut dst = h5oxide::FileWriter::create(
        output,
        h5oxide::CreateOptions {
            profile,
            user_block: 0,
            ..Default::default()
        },
    )?;
    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {bytes} copied ({bytes_per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b
    });
    h5oxide::hl::repack(&src, &mut dst, &opts, &mut |done| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    })?;
    dst.finish()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(())
}

fn dump_values(file: &str, path: &str, slice: &str, external: bool) -> Res {
    let f = open(file, external)?;
    let d = f.root()?.dataset(path)?;
    let sliced = h5oxide::hl::Sliced::parse(slice, d.shape())?;
    let v = h5oxide::canon::doc::dataset_values(&d, &sliced.selection, &sliced.shape)?;
    let mut out = std::io::stdout().lock();
    let mut text = String::new();
    for_people(&v, 0, &mut text);
    writeln!(out, "{text}")?;
    Ok(())
}

/// JSON with innermost lists of scalars kept on one line.
fn for_people(v: &h5oxide::canon::Json, depth: usize, out: &mut String) {
    use h5oxide::canon::Json;
    match v {
        Json::Array(items) if items.iter().any(|x| matches!(x, Json::Array(_))) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&" ".repeat(depth + 1));
                for_people(x, depth + 1, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_compact()),
    }
}

fn dump(path: &str, json: bool, values: bool, external: bool) -> Res {
    let f = open(path, external)?;
    let mut out = std::io::stdout().lock();
    if json {
        let doc = h5oxide::canon::doc::document(&f, h5oxide::canon::doc::Options { values });
        writeln!(out, "{}", doc.to_pretty())?;
    } else {
        let sb = f.superblock();
        writeln!(
            out,
            "{path}: superblock v{}, user block {} bytes, offsets {} / lengths {} bytes",
            sb.version,
            f.userblock(),
            sb.ctx.offset_size,
            sb.ctx.length_size
        )?;
        let root = f.root()?;
        let mut seen = HashSet::from([root.addr()]);
        tree(&mut out, &root, 0, &mut seen)?;
    }
    Ok(())
}

fn shape_str(dims: &[u64], max: &[Option<u64>]) -> String {
    let d: Vec<String> = dims
        .iter()
        .zip(max)
        .map(|(d, m)| match m {
            Some(m) if m == d => d.to_string(),
            Some(m) => format!("{d}/{m}"),
            None => format!("{d}/Inf"),
        })
        .collect();
    format!("{{{}}}", d.join(", "))
}

fn describe(o: &Object) -> String {
    match o {
        Object::Group(_) => "Group".into(),
        Object::Dataset(d) => {
            let s = d.space();
            let shape = match s.kind {
                h5oxide::format::message::dataspace::SpaceKind::Null => "NULL".into(),
                h5oxide::format::message::dataspace::SpaceKind::Scalar => "SCALAR".into(),
                _ => shape_str(&s.dims, &s.max_dims),
            };
            format!("Dataset {shape} {}", dtype_string(d.dtype()))
        }
        Object::Datatype(t) => format!("Type {}", dtype_string(t.dtype())),
    }
}

fn ls(file: &str, path: &str, recursive: bool) -> Res {
    let f = File::open(file)?;
    let root = f.root()?;
    let mut out = std::io::stdout().lock();
    match root.get(path)? {
        Object::Group(g) => {
            let mut seen = HashSet::from([g.addr()]);
            ls_group(&mut out, &g, "", recursive, &mut seen)?
        }
        o => writeln!(out, "{:<24} {}", path, describe(&o))?,
    }
    Ok(())
}

fn ls_group(
    out: &mut impl Write,
    g: &Group,
    prefix: &str,
    recursive: bool,
    seen: &mut HashSet<h5oxide::format::Addr>,
) -> Res {
    for l in g.links()? {
        let name = format!("{prefix}{}", l.name);
        match &l.kind {
            LinkKind::Hard(_) => match g.get(&l.name) {
                Ok(o) => {
                    writeln!(out, "{name:<24} {}", describe(&o))?;
                    if let (true, Object::Group(c)) = (recursive, &o) {
                        if seen.insert(c.addr()) {
                            ls_group(out, c, &format!("{name}/"), true, seen)?;
                        }
                    }
                }
                Err(e) => writeln!(out, "{name:<24} **error** {e}")?,
            },
            LinkKind::Soft(t) => writeln!(out, "{name:<24} Soft Link {{{t}}}")?,
            LinkKind::External { file, path } => {
                writeln!(out, "{name:<24} External Link {{{file}/{path}}}")?
            }
            LinkKind::UserDefined(k) => writeln!(out, "{name:<24} User-defined link type {k}")?,
        }
    }
    Ok(())
}

fn tree(
    out: &mut impl Write,
    g: &Group,
    depth: usize,
    seen: &mut HashSet<h5oxide::format::Addr>,
) -> Res {
    let pad = "  ".repeat(depth);
    for a in g.attrs()? {
        match a {
            Ok(a) => writeln!(out, "{pad}@{} {}", a.name(), dtype_string(a.dtype()))?,
            Err(e) => writeln!(out, "{pad}@? **error** {e}")?,
        }
    }
    for l in g.links()? {
        match &l.kind {
            LinkKind::Hard(_) => match g.get(&l.name) {
                Ok(o) => {
                    writeln!(out, "{pad}{} : {}", l.name, describe(&o))?;
                    if let Object::Group(c) = &o {
                        if seen.insert(c.addr()) {
                            tree(out, c, depth + 1, seen)?;
                        }
                    }
                }
                Err(e) => writeln!(out, "{pad}{} : **error** {e}", l.name)?,
            },
            k => writeln!(out, "{pad}{} : {k}", l.name)?,
        }
    }
    Ok(())
}
