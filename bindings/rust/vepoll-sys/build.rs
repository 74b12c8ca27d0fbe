//! Build script of `vepoll-sys`: provides `libvepoll.a` to the crates that
//! depend on this one, so they link without extra flags.
//!
//! Where the library comes from, first match wins:
//!
//! 1. `VEPOLL_LIB_DIR=/prefix/lib`: an installed `libvepoll.a` there, with
//!    its headers in `VEPOLL_INCLUDE_DIR` (default `/prefix/include`).
//! 2. `VEPOLL_PKG_CONFIG=1`: `pkg-config --static vepoll` (an installed
//!    library, `cmake --install`).
//! 3. Otherwise the C sources of the vepoll repository this crate lives in
//!    (`bindings/rust/vepoll-sys` -> `../../..`, or `VEPOLL_SOURCE_DIR`),
//!    compiled here with the C compiler (`CC`, default `cc`; extra flags in
//!    `CFLAGS`) and archived with `AR` (default `ar`).  The tiers are
//!    compiled as src/CMakeLists.txt does: each sees `include/`, the core's
//!    interface header folder and its own folder; the core gets
//!    `park_futex.c` on Linux and `park_condvar.c` elsewhere or with the
//!    `park-condvar` feature.  No libatomic_ops symbol is left undefined
//!    (its operations are inline), so only its headers are needed.
//!
//! It also compiles `csrc/check.c` into `libvepoll_sys_check.a` next to the
//! library: the C side of the layout test (sizes, alignments, offsets and
//! constant values from the headers) and the C reference loop of the
//! benchmark.  Nothing links it unless a test or bench asks for it.
use std::env;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

fn main() {
    for var in [
        "VEPOLL_LIB_DIR",
        "VEPOLL_INCLUDE_DIR",
        "VEPOLL_PKG_CONFIG",
        "VEPOLL_SOURCE_DIR",
        "CC",
        "CFLAGS",
        "AR",
    ] {
        println!("cargo:rerun-if-env-changed={}", var);
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=csrc");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let cc = Compiler::from_env();

    let include = if let Some(lib_dir) = env::var_os("VEPOLL_LIB_DIR") {
        let lib_dir = PathBuf::from(lib_dir);
        println!("cargo:rustc-link-search=native={}", lib_dir.display());
        println!("cargo:rustc-link-lib=static=vepoll");
        env::var_os("VEPOLL_INCLUDE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| lib_dir.join("../include"))
    } else if env::var_os("VEPOLL_PKG_CONFIG").map_or(false, |v| v != "0") {
        link_with_pkg_config()
    } else {
        match source_dir() {
            Some(root) => {
                build_from_source(&cc, &root, &out);
                root.join("include")
            }
            None => fail(
                "vepoll's C sources were not found next to this crate: set \
                 VEPOLL_SOURCE_DIR to a vepoll checkout, VEPOLL_LIB_DIR to the \
                 folder of an installed libvepoll.a, or VEPOLL_PKG_CONFIG=1",
            ),
        }
    };
    // Dependents' build scripts see it as DEP_VEPOLL_INCLUDE.
    println!("cargo:include={}", include.display());
    // The layout test reads the headers themselves too.
    println!("cargo:rustc-env=VEPOLL_SYS_INCLUDE_DIR={}", include.display());

    let check = manifest_dir().join("csrc/check.c");
    let obj = out.join("check.o");
    let compiled = cc.compile(&check, &obj, &[include.clone()]).and_then(|mut c| wait(&mut c));
    match compiled.and_then(|_| archive(&out.join("libvepoll_sys_check.a"), &[obj])) {
        Ok(()) => {}
        // Only the tests and the benchmark link it: a consumer of an
        // installed library still builds.
        Err(e) => println!("cargo:warning=vepoll-sys: csrc/check.c not built ({})", e),
    }
    println!("cargo:rustc-link-search=native={}", out.display());
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
}

fn fail(msg: &str) -> ! {
    eprintln!("vepoll-sys: {}", msg);
    std::process::exit(1);
}

/// The repository root: VEPOLL_SOURCE_DIR, or three levels above this
/// crate when that is a vepoll checkout.
fn source_dir() -> Option<PathBuf> {
    let root = match env::var_os("VEPOLL_SOURCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest_dir().join("../../.."),
    };
    if root.join("include/vepoll.h").is_file() && root.join("src/core").is_dir() {
        Some(root.canonicalize().unwrap_or(root))
    } else {
        None
    }
}

/// `pkg-config --static --cflags --libs vepoll`: link search paths and
/// libraries for cargo, and the include folder it names.
fn link_with_pkg_config() -> PathBuf {
    let out = Command::new("pkg-config")
        .args(["--static", "--cflags", "--libs", "vepoll"])
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run pkg-config: {}", e)));
    if !out.status.success() {
        fail(&format!(
            "pkg-config --static vepoll failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut include = None;
    for flag in String::from_utf8_lossy(&out.stdout).split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={}", dir);
        } else if flag == "-lvepoll" {
            println!("cargo:rustc-link-lib=static=vepoll");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={}", lib);
        } else if flag == "-pthread" {
            println!("cargo:rustc-link-lib=pthread");
        } else if let Some(dir) = flag.strip_prefix("-I") {
            include.get_or_insert_with(|| PathBuf::from(dir));
        }
    }
    include.unwrap_or_else(|| PathBuf::from("/usr/include"))
}

/// Compiles every tier of the library and archives them as libvepoll.a.
fn build_from_source(cc: &Compiler, root: &Path, out: &Path) {
    let condvar = env::var_os("CARGO_FEATURE_PARK_CONDVAR").is_some()
        || env::var("CARGO_CFG_TARGET_OS").map_or(true, |os| os != "linux");
    let park = if condvar { "park_condvar.c" } else { "park_futex.c" };
    let mut units = Vec::new(); // (source, object, include dirs)
    for tier in ["core", "objects", "wasix"] {
        let dir = root.join("src").join(tier);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {}", dir.display(), e)))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.ends_with(".c") && (!name.starts_with("park_") || name == park)
            })
            .collect();
        files.sort();
        let dirs = vec![root.join("include"), root.join("src/core/include"), dir.clone()];
        for src in files {
            let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
            let obj = out.join(format!("{}_{}.o", tier, stem));
            units.push((src, obj, dirs.clone()));
        }
    }
    println!("cargo:rerun-if-changed={}", root.join("include").display());

    // NUM_JOBS compilers at a time (cargo's -j).
    let jobs: usize = env::var("NUM_JOBS").ok().and_then(|j| j.parse().ok()).unwrap_or(1).max(1);
    for batch in units.chunks(jobs) {
        let mut running = Vec::new();
        for (src, obj, dirs) in batch {
            match cc.compile(src, obj, dirs) {
                Ok(child) => running.push(child),
                Err(e) => fail(&e),
            }
        }
        for mut child in running {
            if let Err(e) = wait(&mut child) {
                fail(&e);
            }
        }
    }
    let objs: Vec<PathBuf> = units.into_iter().map(|(_, obj, _)| obj).collect();
    if let Err(e) = archive(&out.join("libvepoll.a"), &objs) {
        fail(&e);
    }
    println!("cargo:rustc-link-lib=static=vepoll");
}

/// The C compiler and the flags every unit gets.
struct Compiler {
    cc: String,
    flags: Vec<String>,
}

impl Compiler {
    fn from_env() -> Compiler {
        let cc = env::var("CC").unwrap_or_else(|_| "cc".to_string());
        let mut flags: Vec<String> = [
            "-std=c11",
            "-D_GNU_SOURCE",
            "-fPIC",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Wshadow",
            "-Wstrict-prototypes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if env::var("DEBUG").map_or(false, |d| d == "true") {
            flags.push("-g".to_string());
        }
        // libatomic_ops' headers, wherever pkg-config says they are.
        if let Ok(o) = Command::new("pkg-config").args(["--cflags", "atomic_ops"]).output() {
            if o.status.success() {
                flags.extend(
                    String::from_utf8_lossy(&o.stdout).split_whitespace().map(String::from),
                );
            }
        }
        if let Ok(extra) = env::var("CFLAGS") {
            flags.extend(extra.split_whitespace().map(String::from));
        }
        Compiler { cc, flags }
    }

    /// Starts one compilation (the caller waits for it).
    fn compile(&self, src: &Path, obj: &Path, include: &[PathBuf]) -> Result<Child, String> {
        let mut cmd = Command::new(&self.cc);
        cmd.args(&self.flags);
        for dir in include {
            cmd.arg("-I").arg(dir);
        }
        cmd.arg("-c").arg(src).arg("-o").arg(obj);
        cmd.spawn().map_err(|e| format!("cannot run {}: {}", self.cc, e))
    }
}

fn wait(child: &mut Child) -> Result<(), String> {
    match child.wait() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("the C compiler failed ({})", status)),
        Err(e) => Err(format!("waiting for the C compiler: {}", e)),
    }
}

/// `ar crs lib objs...`, replacing any older archive.
fn archive(lib: &Path, objs: &[PathBuf]) -> Result<(), String> {
    let _ = std::fs::remove_file(lib);
    let ar = env::var("AR").unwrap_or_else(|_| "ar".to_string());
    let status = Command::new(&ar)
        .arg("crs")
        .arg(lib)
        .args(objs)
        .status()
        .map_err(|e| format!("cannot run {}: {}", ar, e))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({})", ar, status))
    }
}
