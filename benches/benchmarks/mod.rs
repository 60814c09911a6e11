pub mod epoch;
pub mod experiment;
pub mod figure;
