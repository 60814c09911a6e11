pub mod experiment;
pub mod figure;
