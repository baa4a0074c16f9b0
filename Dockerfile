# Builds the `inclusion` binary and runs it on a slim Debian.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin inclusion

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/inclusion /usr/local/bin/inclusion
ENTRYPOINT ["inclusion"]
CMD ["serve", "--bind", "0.0.0.0:8080"]
