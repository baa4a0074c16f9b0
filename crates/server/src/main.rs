//! `inclusion`: imports DfE and local authority SEND data and serves it as one GraphQL schema.
//! See `inclusion --help` and the README for the commands.

/// Imports allocate and free millions of small strings: mimalloc does that with less work than
/// glibc's malloc (the benches use it too, so they measure what this binary does).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    inclusion_server::cli::main()
}
