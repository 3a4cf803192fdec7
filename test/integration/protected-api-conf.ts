/**
 * The nginx configuration most integration suites run: the module's endpoints, `/api/` protected
 * through auth_request (nginx/authotron-protect.conf) and, where the leg has js_access, `/access/`
 * (nginx/authotron-access.conf), both proxied to a backend that echoes the auth headers it got:
 *
 *   authorization=…\nusername=…\nrealm=…\nroles=…\n
 *
 * The suite needs `portNames: ['backend']`. `extra` goes into the main server block.
 */
import type { ConfContext } from '../nginx-harness/nginx'

export function protectedApiConf({ leg, port, ports, paths }: ConfContext, extra = ''): string {
  return `
    ${leg.features.sharedDict ? `include ${paths.repo}/nginx/authotron-cache.conf;` : ''}
    server {
      listen 127.0.0.1:${port};
      include ${paths.repo}/nginx/authotron-endpoints.conf;
      ${extra}
      location /api/ {
        include ${paths.repo}/nginx/authotron-protect.conf;
        proxy_pass http://127.0.0.1:${ports.backend}/;
      }
      ${
        leg.features.jsAccess
          ? `location /access/ {
        include ${paths.repo}/nginx/authotron-access.conf;
        proxy_pass http://127.0.0.1:${ports.backend}/;
      }`
          : ''
      }
    }
    server {
      listen 127.0.0.1:${ports.backend};
      location / {
        return 200 "authorization=$http_authorization\\nusername=$http_x_auth_username\\nrealm=$http_x_auth_realm\\nroles=$http_x_auth_roles\\n";
      }
    }`
}
