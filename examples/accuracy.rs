//! Precision and recall per detector on labeled data: the project's own
//! generated sets, and the third-party sets under `../shared/data`
//! (presidio-research labeled sentences and people CSV, Synthea patients),
//! which are skipped when absent.
//!
//! ```sh
//! cargo run --release --example accuracy [-- --shared PATH]
//! ```
//!
//! Prints one markdown table per data set, then the misses, false positives
//! and invalid labels grouped by reason (values masked: digits except the
//! last four). The scoring lives in `support/accuracy_core.rs`, which the
//! integration test `accuracy` asserts on, so the table and the test agree.

#[path = "support/accuracy_core.rs"]
mod acc;

use bulkscan::detect::Engine;
use std::path::PathBuf;

fn main() {
    let mut shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--shared" => match args.next() {
                Some(p) => shared = PathBuf::from(p),
                None => usage(),
            },
            _ => usage(),
        }
    }
    let eng = Engine::builtin();
    println!("# bulkscan detector accuracy\n");
    println!(
        "TP: a label found with its value; FP: a hit of the detector no label accounts for; \
         FN: a valid label not found. Labels that are not valid identifiers (never-issued \
         SSNs, non-Luhn cards, non-NANP phones) are counted apart and left out of recall. \
         precision/recall are n/a when there is nothing to divide.\n"
    );
    println!("## The project's generated sets\n");
    for r in acc::generated_sets(&eng) {
        println!("{}", acc::markdown(&r));
    }
    let Some(root) = acc::shared_root(&shared) else {
        println!(
            "## Third-party sets\n\nskipped: no pii_eval/ under {}",
            shared.display()
        );
        return;
    };
    println!("## Third-party sets ({})\n", root.display());
    for set in [
        acc::people_csvs(&eng, &root),
        acc::labeled_sentences(&eng, &root),
    ] {
        match set {
            Ok(reports) => {
                for r in reports {
                    println!("{}", acc::markdown(&r));
                }
            }
            Err(e) => {
                eprintln!("accuracy: {e}");
                std::process::exit(1);
            }
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: accuracy [--shared PATH]   (PATH holds pii_eval/, default ../shared/data)");
    std::process::exit(2);
}
