// Bench-only njs handler (not the product), for bench/jwks-fetch-memory.ts: one subrequest to the
// location named by $jwks_location, as the jwt provider's JWK Set fetch does, then 200.
// Written for every njs generation, 0.7.9 included.

function fetchOnce(r) {
  r.subrequest(r.variables.jwks_location, { method: 'GET' }).then(
    (reply) => r.return(reply.status === 200 && reply.responseText.length > 0 ? 200 : 502),
    () => r.return(500),
  )
}

export default { fetchOnce }
