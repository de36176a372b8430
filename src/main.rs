fn main() {
    std::process::exit(romcam::cli::run());
}
