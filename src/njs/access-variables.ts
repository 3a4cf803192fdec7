/**
 * The variables a protected location reads, whether they were filled by auth_request
 * (`auth_request_set $authotron_jwt $sent_http_authorization;`) or by the access handler.
 * Declared with `js_var` in nginx/authotron-access.conf. A const enum: inlined, no object at run time.
 */
export const enum AccessVariable {
  Jwt = 'authotron_jwt',
  Username = 'authotron_username',
  Realm = 'authotron_realm',
  Roles = 'authotron_roles',
}
