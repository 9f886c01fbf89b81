//! Genomic files: persons are samples (issue 4).

use crate::util::*;
use std::fmt::Write;

fn cohort_vcf(samples: usize, prefix: &str) -> String {
    let mut v = String::from(
        "##fileformat=VCFv4.2\n##reference=GRCh38\n##contig=<ID=chr21,length=46709983>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT",
    );
    for i in 0..samples {
        write!(v, "\t{prefix}{i:04}").unwrap();
    }
    v.push('\n');
    for pos in 0..20 {
        write!(
            v,
            "chr21\t{}\t.\tA\tG\t50\tPASS\t.\tGT",
            5_000_000 + pos * 17
        )
        .unwrap();
        for i in 0..samples {
            v.push_str(if (i + pos) % 3 == 0 { "\t0|1" } else { "\t0|0" });
        }
        v.push('\n');
    }
    v
}

#[test]
fn cohort_vcf_samples_are_persons() {
    let d = tmp();
    let f = write(d.path(), "cohort.vcf", cohort_vcf(150, "COH"));
    let (v, code) = scan(&[s(&f)]);
    assert_eq!(count(&v, "human_genomic"), 150);
    assert_eq!(v["verdict"], "bulk");
    assert_eq!(code, 1);
    // The same samples in a second file count once.
    let g = write(d.path(), "cohort_copy.vcf", cohort_vcf(150, "COH"));
    let (v, _) = scan(&[s(&f), s(&g)]);
    assert_eq!(count(&v, "human_genomic"), 150);
}

#[test]
fn shared_vcfs_are_eight_persons_and_a_cohort_makes_it_bulk() {
    let Some(data) = shared() else { return };
    let vcf = data.join("genomic/vcf");
    let (v, code) = scan(&[s(&vcf)]);
    assert_eq!(count(&v, "human_genomic"), 8, "{}", v["genomic_files"]);
    assert_eq!(v["verdict"], "below_threshold");
    assert_eq!(code, 0);
    let d = tmp();
    let c = write(d.path(), "cohort.vcf", cohort_vcf(150, "GEN"));
    let (v, code) = scan(&[s(&vcf), s(&c)]);
    assert_eq!(count(&v, "human_genomic"), 158);
    assert_eq!(v["verdict"], "bulk");
    assert_eq!(code, 1);
}

#[test]
fn non_human_fasta_is_not_counted_and_paired_fastq_is_one_sample() {
    let Some(data) = shared() else { return };
    let (v, _) = scan(&[s(&data.join("genomic/edge/ce.fa"))]);
    assert_eq!(count(&v, "human_genomic"), 0);
    assert_eq!(v["genomic_files"][0]["species"], "non_human");
    let reads = data.join("genomic/reads");
    let (v, _) = scan(&[
        s(&reads.join("micro_R1.fq.gz")),
        s(&reads.join("micro_R2.fq.gz")),
    ]);
    assert_eq!(count(&v, "human_genomic"), 1);
}
