//! The GraphiQL page and its assets, vendored into the binary (GraphiQL 3 with React 18, pinned;
//! see `assets/graphiql/README.md`): no CDN, so it works on an intranet without internet.

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Response, handler};

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>inclusion GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
</head>
<body style="margin: 0">
<div id="graphiql" style="height: 100vh">Loading GraphiQL…</div>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script src="/graphiql/init.js"></script>
</body>
</html>
"#;

/// Scripts and styles from this server only; GraphiQL sets inline styles and loads workers from blobs.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'";

const ASSETS: [(&str, &str, &[u8]); 5] = [
    ("graphiql.min.js", "text/javascript", include_bytes!("../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css", include_bytes!("../assets/graphiql/graphiql.min.css")),
    ("react.production.min.js", "text/javascript", include_bytes!("../assets/graphiql/react.production.min.js")),
    (
        "react-dom.production.min.js",
        "text/javascript",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
    ("init.js", "text/javascript", include_bytes!("../assets/graphiql/init.js")),
];

#[handler]
pub fn page() -> Response {
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header("content-security-policy", CSP)
        .header("x-content-type-options", "nosniff")
        .body(PAGE)
}

#[handler]
pub fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, bytes)) => Response::builder()
            .content_type(format!("{content_type}; charset=utf-8"))
            .header(header::CACHE_CONTROL, "public, max-age=86400")
            .header("x-content-type-options", "nosniff")
            .body(*bytes),
        None => Response::builder().status(StatusCode::NOT_FOUND).body("not found"),
    }
}
