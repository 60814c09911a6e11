//! Named backends: the one place where the crate chooses a burn backend.
//!
//! In burn 0.22 a tensor carries no backend type; the [`Device`] it lives on picks the backend.
//! Everything else in the crate takes a `&Device` and never names a backend, so the same code
//! runs on each one compiled in. Which backends are compiled in is decided by cargo features:
//!
//! | name | cargo feature | what it is |
//! | --- | --- | --- |
//! | `ndarray` | `ndarray` (default) | burn-ndarray, the reference CPU backend (deprecated upstream) |
//! | `flex` | `flex` (default) | burn-flex, burn-ndarray's pure-Rust successor |
//! | `wgpu` | `wgpu` (off by default) | burn-wgpu: a GPU through Vulkan, Metal, DirectX 12 or WebGPU |
//!
//! ```
//! let device = pretrain_lab::backend::device("flex")?;
//! # Ok::<(), pretrain_lab::Error>(())
//! ```
//!
//! # Reproducibility
//!
//! Initial parameters and data are drawn on the host from seeded generators and copied to the
//! device, so the same experiment and seed start bit-identical on every backend. What follows
//! differs:
//!
//! - `ndarray` and `flex` repeat a run bit for bit on the same machine and build: their kernels
//!   split work the same way each time. They differ from each other in the last bits, because
//!   their matrix products sum in different orders; histories agree to about 1e-5 relative.
//! - `wgpu` runs each sum in the order its shader and the driver pick. A run repeats on the same
//!   GPU and driver in practice, but nothing promises it, and other GPUs and drivers round
//!   differently. Losses stay within 1e-3 relative of the CPU's over a short run, and a final
//!   mean test accuracy within one test point; over long runs the small differences can grow,
//!   as they do between any two float orders on a chaotic loss surface.

use burn::tensor::Device;

use crate::error::{Error, Result};

#[cfg(not(any(feature = "ndarray", feature = "flex")))]
compile_error!("pretrain-lab needs a CPU backend: enable the cargo feature `ndarray` or `flex`");

/// Every backend name the crate knows, whether compiled in or not.
pub const NAMES: [&str; 3] = ["ndarray", "flex", "wgpu"];

/// The backend that [`cpu_device`] picks: `ndarray` when compiled in, else `flex`.
pub const DEFAULT_CPU: &str = if cfg!(feature = "ndarray") {
    "ndarray"
} else {
    "flex"
};

/// The backend names compiled into this build, in the order of [`NAMES`].
///
/// A compiled-in backend can still fail to give a device: `wgpu` needs a GPU adapter, which
/// [`device`] looks for on first use.
pub fn available() -> Vec<&'static str> {
    let compiled = [
        cfg!(feature = "ndarray"),
        cfg!(feature = "flex"),
        cfg!(feature = "wgpu"),
    ];
    NAMES
        .into_iter()
        .zip(compiled)
        .filter_map(|(name, on)| on.then_some(name))
        .collect()
}

/// Whether the backend called `name` computes on the CPU, as `ndarray` and `flex` do.
pub fn is_cpu(name: &str) -> bool {
    matches!(name, "ndarray" | "flex")
}

/// The device of the backend called `name`.
///
/// The device has autodiff off; training turns it on where it needs gradients. The first call
/// for `wgpu` looks for a GPU adapter and sets up the runtime on it; later calls share that
/// device.
///
/// # Errors
///
/// [`Error::UnknownBackend`] for a name not in [`NAMES`], [`Error::BackendNotCompiled`] for a
/// known backend whose cargo feature was off when the crate was built, and
/// [`Error::NoGpuAdapter`] when wgpu finds no adapter it can use.
pub fn device(name: &str) -> Result<Device> {
    match name {
        "ndarray" => ndarray(),
        "flex" => flex(),
        "wgpu" => wgpu::device(),
        _ => Err(Error::UnknownBackend {
            name: name.to_owned(),
            known: "ndarray, flex, wgpu",
        }),
    }
}

/// A description of the hardware behind the backend called `name`: the GPU adapter's name, kind
/// and graphics API for `wgpu` (a software driver such as llvmpipe shows up as kind `Cpu`), and
/// `"CPU"` for the CPU backends.
///
/// # Errors
///
/// As [`device`].
pub fn describe(name: &str) -> Result<String> {
    device(name)?;
    if is_cpu(name) {
        Ok("CPU".to_owned())
    } else {
        wgpu::adapter()
    }
}

/// Whether the backend called `name` is a GPU backend running on a software driver (wgpu on
/// llvmpipe, say), which emulates the GPU on the CPU far more slowly than the CPU backends.
///
/// # Errors
///
/// As [`device`].
pub fn is_software_gpu(name: &str) -> Result<bool> {
    device(name)?;
    if is_cpu(name) {
        Ok(false)
    } else {
        wgpu::is_software()
    }
}

/// The default CPU device, on the backend named by [`DEFAULT_CPU`].
pub fn cpu_device() -> Device {
    #[cfg(feature = "ndarray")]
    {
        // burn-ndarray stays the reference CPU backend although burn 0.22 deprecates it.
        #[allow(deprecated)]
        Device::ndarray()
    }
    #[cfg(not(feature = "ndarray"))]
    Device::flex()
}

fn ndarray() -> Result<Device> {
    #[cfg(feature = "ndarray")]
    return Ok(cpu_device());
    #[cfg(not(feature = "ndarray"))]
    Err(Error::BackendNotCompiled {
        name: "ndarray",
        feature: "ndarray",
    })
}

fn flex() -> Result<Device> {
    #[cfg(feature = "flex")]
    {
        Ok(Device::flex())
    }
    #[cfg(not(feature = "flex"))]
    Err(Error::BackendNotCompiled {
        name: "flex",
        feature: "flex",
    })
}

#[cfg(feature = "wgpu")]
mod wgpu {
    use std::sync::OnceLock;

    use burn::tensor::Device;
    use burn::tensor::wgpu::wgpu::{Backend, DeviceType};

    use crate::error::{Error, Result};

    /// The wgpu device with a description of its adapter, or why there is none; set up once,
    /// because burn's wgpu runtime can be initialised only once per process.
    static SETUP: OnceLock<std::result::Result<Setup, String>> = OnceLock::new();

    struct Setup {
        device: Device,
        description: String,
        software: bool,
    }

    fn setup() -> Result<&'static Setup> {
        SETUP
            .get_or_init(|| {
                let (device, setup) = Device::wgpu_options()
                    .init_with_setup()
                    .map_err(|error| error.to_string())?;
                let info = setup.adapter.get_info();
                let driver = format!("{} {}", info.driver, info.driver_info);
                let description = format!(
                    "{} ({:?}, {:?}, driver {})",
                    info.name,
                    info.device_type,
                    info.backend,
                    driver.trim()
                );
                // wgpu falls back to OpenGL when it finds no Vulkan, Metal or DirectX 12
                // adapter, but burn's kernels need atomics that its OpenGL path lacks: the first
                // reduction would panic.
                if setup.backend == Backend::Gl {
                    return Err(format!(
                        "only an OpenGL adapter was found, {description}, and burn's wgpu \
                         kernels need Vulkan, Metal or DirectX 12"
                    ));
                }
                Ok(Setup {
                    device,
                    description,
                    software: info.device_type == DeviceType::Cpu,
                })
            })
            .as_ref()
            .map_err(|reason| Error::NoGpuAdapter {
                reason: reason.clone(),
            })
    }

    pub(super) fn device() -> Result<Device> {
        setup().map(|setup| setup.device.clone())
    }

    pub(super) fn adapter() -> Result<String> {
        setup().map(|setup| setup.description.clone())
    }

    pub(super) fn is_software() -> Result<bool> {
        setup().map(|setup| setup.software)
    }
}

#[cfg(not(feature = "wgpu"))]
mod wgpu {
    use burn::tensor::Device;

    use crate::error::{Error, Result};

    const NOT_COMPILED: Error = Error::BackendNotCompiled {
        name: "wgpu",
        feature: "wgpu",
    };

    pub(super) fn device() -> Result<Device> {
        Err(NOT_COMPILED)
    }

    pub(super) fn adapter() -> Result<String> {
        Err(NOT_COMPILED)
    }

    pub(super) fn is_software() -> Result<bool> {
        Err(NOT_COMPILED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_errors() {
        let error = device("cuda9000").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown backend \"cuda9000\"; expected one of ndarray, flex, wgpu"
        );
    }

    #[test]
    fn compiled_backends_are_listed() {
        assert!(available().contains(&DEFAULT_CPU));
        for name in available().into_iter().filter(|name| is_cpu(name)) {
            assert!(device(name).is_ok(), "{name}");
            assert_eq!(describe(name).unwrap(), "CPU");
            assert!(!is_software_gpu(name).unwrap());
        }
        assert_eq!(available().contains(&"ndarray"), cfg!(feature = "ndarray"));
        assert_eq!(available().contains(&"flex"), cfg!(feature = "flex"));
        assert_eq!(available().contains(&"wgpu"), cfg!(feature = "wgpu"));
    }

    #[test]
    #[cfg(not(feature = "wgpu"))]
    fn wgpu_without_its_feature_is_an_error() {
        let message = device("wgpu").unwrap_err().to_string();
        assert_eq!(
            message,
            "backend \"wgpu\" is not compiled in; rebuild with the cargo feature `wgpu`"
        );
        assert!(describe("wgpu").is_err());
        assert!(is_software_gpu("wgpu").is_err());
    }
}
