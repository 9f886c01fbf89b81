//! Integration tests through the `bulkscan` binary, as one test binary.
//! Each module is one concern; regression tests are named for the bug.

mod accuracy;
mod bad_input;
mod counts;
mod generated;
mod genomic;
mod invariance;
mod patterns;
mod privacy;
mod util;
