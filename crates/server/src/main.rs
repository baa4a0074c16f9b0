//! `inclusion`: imports DfE and local authority SEND data and serves it as one GraphQL schema.
//! See `inclusion --help` and the README for the commands.

fn main() -> std::process::ExitCode {
    inclusion_server::cli::main()
}
