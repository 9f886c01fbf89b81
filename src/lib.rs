//! bulkscan: is this data set "bulk U.S. sensitive personal data" under
//! 28 CFR Part 202?
//!
//! The modules follow the data's path:
//! `input` (walk, open, mmap policy) → `records` (CSV, JSON, text, genomic)
//! → `detect` (candidates, validators, context) → `identity` (keyed hashes)
//! → `count` (distinct persons per category) → `rules` (thresholds,
//! combined data, verdict) → `report` (table, JSON). `scan` runs them in
//! parallel; `cli` is the command line.

pub mod category;
pub mod cli;
pub mod count;
pub mod detect;
pub mod generate;
pub mod identity;
pub mod input;
pub mod records;
pub mod report;
pub mod rules;
pub mod scan;
