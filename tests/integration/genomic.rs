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

/// Regression (fuzz, batch_rows): a FASTA sequence name whose third byte
/// is inside a character (`ñé`) crashed the whole scan while its length
/// was looked up among the human chromosomes.
#[test]
fn fasta_name_with_a_character_across_its_third_byte_is_scanned() {
    let d = tmp();
    let seq = "ACGT".repeat(40);
    let f = write(
        d.path(),
        "contigs.fa",
        format!(">\u{f1}\u{e9}_contig\n{seq}\n>c\u{fffd}hrM\n{seq}\n"),
    );
    let (v, code) = scan(&[s(&f)]);
    assert_eq!(v["skipped"].as_array().map(Vec::len), Some(0), "{v}");
    assert_eq!(v["verdict"], "below_threshold");
    assert_eq!(code, 0);
}

#[test]
fn omic_matrix_samples_are_persons_in_either_orientation() {
    let d = tmp();
    // Features as rows, samples as columns: persons are the columns.
    let mut m = String::from("gene_id,gene_name");
    for sid in 0..150 {
        write!(m, ",GSM{:07}", 1_000_000 + sid).unwrap();
    }
    m.push('\n');
    for g in 0..30 {
        write!(m, "ENSG{:011},GENE{g}", 141_510 + g).unwrap();
        for sid in 0..150 {
            write!(m, ",{}.{}", (g + sid) % 17, sid % 10).unwrap();
        }
        m.push('\n');
    }
    let f = write(d.path(), "expression.csv", m);
    let (v, code) = scan(&[s(&f)]);
    assert_eq!(count(&v, "human_omic"), 150, "{}", v["omic_matrices"]);
    assert_eq!(v["omic_matrices"][0]["samples"], 150);
    assert_eq!(code, 0);

    // Samples as rows, 6,000 probes as columns: a header wider than the
    // 64 KiB sniffing window.
    let mut w = String::from("sample_id");
    for p in 0..6000 {
        write!(w, ",cg{:08}", 29 + p * 7).unwrap();
    }
    w.push('\n');
    for sid in 0..25 {
        write!(w, "S{sid:03}").unwrap();
        for p in 0..6000 {
            write!(w, ",0.{}", (p + sid) % 97).unwrap();
        }
        w.push('\n');
    }
    let g = write(d.path(), "methylation.csv", w);
    let (v, _) = scan(&["--person-key", "sample_id", s(&g)]);
    assert_eq!(count(&v, "human_omic"), 25);

    // One routine lab value is not systems-level 'omic data.
    let one = write(
        d.path(),
        "lab.csv",
        "patient_id,cg00000029\nP1,0.52\nP2,0.61\n",
    );
    let (v, _) = scan(&[s(&one)]);
    assert_eq!(count(&v, "human_omic"), 0);
}

/// A published reference sequence (the rCRS mitochondrion, RefSeq
/// NC_012920) relates to no individual: reported, not counted.
#[test]
fn reference_fasta_is_not_a_person() {
    let d = tmp();
    let seq: String = (0..400)
        .map(|i| b"ACGT"[(i * 7 + i / 3) % 4] as char)
        .collect();
    let f = write(
        d.path(),
        "ref.fa",
        format!(">chrM NC_012920.1 Homo sapiens mitochondrion, complete genome\n{seq}\n"),
    );
    let (v, _) = scan(&[s(&f)]);
    assert_eq!(count(&v, "human_genomic"), 0);
    assert_eq!(v["genomic_files"][0]["counted"], false);
    // A sample's own assembly names no reference: counted.
    let g = write(
        d.path(),
        "NA12878_assembly.fa",
        format!(">contig_1 NA12878\n{seq}\n"),
    );
    let (v, _) = scan(&[s(&g)]);
    assert_eq!(count(&v, "human_genomic"), 1);
}
