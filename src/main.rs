fn main() {
    std::process::exit(bulkscan::cli::main());
}
