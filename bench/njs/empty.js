// Bench-only njs handlers (not the product): the ceiling for any njs code on a runtime leg.
// Written for every njs generation, 0.7.9 included (only `export default x;`).

// `auth_request /_empty;` → `js_content bench.empty;`: the cheapest possible njs auth answer.
function empty(r) {
  r.return(200)
}

// `js_access bench.emptyAccess;` (njs >= 0.9.9): returning without r.return lets the request go on.
function emptyAccess(r) {}

export default { empty, emptyAccess }
