fn main() {
    std::process::exit(xmpp_conform::cli::run());
}
