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
//!
//! ```
//! let device = pretrain_lab::backend::device("flex")?;
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use burn::tensor::Device;

use crate::error::{Error, Result};

#[cfg(not(any(feature = "ndarray", feature = "flex")))]
compile_error!("pretrain-lab needs a CPU backend: enable the cargo feature `ndarray` or `flex`");

/// Every backend name the crate knows, whether compiled in or not.
pub const NAMES: [&str; 2] = ["ndarray", "flex"];

/// The backend that [`cpu_device`] picks: `ndarray` when compiled in, else `flex`.
pub const DEFAULT_CPU: &str = if cfg!(feature = "ndarray") {
    "ndarray"
} else {
    "flex"
};

/// The backend names compiled into this build.
pub fn available() -> Vec<&'static str> {
    NAMES
        .into_iter()
        .filter(|name| device(name).is_ok())
        .collect()
}

/// The device of the backend called `name`.
///
/// The device has autodiff off; training turns it on where it needs gradients.
///
/// # Errors
///
/// [`Error::UnknownBackend`] for a name not in [`NAMES`], and [`Error::BackendNotCompiled`] for a
/// known backend whose cargo feature was off when the crate was built.
pub fn device(name: &str) -> Result<Device> {
    match name {
        "ndarray" => ndarray(),
        "flex" => flex(),
        _ => Err(Error::UnknownBackend {
            name: name.to_owned(),
            known: "ndarray, flex",
        }),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_errors() {
        let error = device("cuda9000").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown backend \"cuda9000\"; expected one of ndarray, flex"
        );
    }

    #[test]
    fn compiled_backends_are_listed() {
        assert!(available().contains(&DEFAULT_CPU));
        for name in available() {
            assert!(device(name).is_ok(), "{name}");
        }
        assert_eq!(available().contains(&"ndarray"), cfg!(feature = "ndarray"));
        assert_eq!(available().contains(&"flex"), cfg!(feature = "flex"));
    }
}
