// The GraphQL-over-HTTP spec's audit suite (graphql-http's auditServer) against a running server.
// `node audit.mjs http://127.0.0.1:8080/graphql` prints every MUST failure and SHOULD warning, then
// a closing count, and exits non-zero if there is any. Run by tests/integration/http_audit.rs.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
let must = 0;
let should = 0;
for (const r of results) {
  if (r.status === 'error') {
    must += 1;
    console.log(`MUST   ${r.id} ${r.name}: ${r.reason}`);
  } else if (r.status === 'warn') {
    should += 1;
    console.log(`SHOULD ${r.id} ${r.name}: ${r.reason}`);
  }
}
console.log(`graphql-http audit: ${results.length} checks, ${must} MUST failures, ${should} SHOULD warnings`);
process.exit(must + should > 0 ? 1 : 0);
