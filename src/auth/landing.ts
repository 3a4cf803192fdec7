/** The landing page (§7.8): a static page that names the running version. */
export function landingPage(version: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Auth-O-Tron (njs)</title></head>' +
    '<body><h1>Auth-O-Tron</h1><p>authotron-njs ' +
    version +
    ', running inside the NGINX worker.</p>' +
    '<p><a href="https://github.com/ecmwf/auth-o-tron">GitHub</a> · <a href="#">Documentation</a></p>' +
    '</body></html>\n'
  )
}
