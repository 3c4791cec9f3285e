//! Parameter sweeps: grids over scenario keys (`grid`).

pub mod grid;
