/// mimalloc rather than the system allocator: the stream parser makes many
/// small allocations per stanza, and it parses ~15% faster with it (see
/// benches/parser.rs). Set here, not in lib.rs: a library must leave the
/// choice of allocator to the program that uses it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(xmpp_conform::cli::run());
}
