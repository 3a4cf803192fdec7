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

/**
 * The location's access rule (src/rules/access-rule.ts): `set $authotron_require "…";` beside the
 * protect or access include. `js_var` in the nginx snippets declares it, so a location that sets
 * none reads '' (and nginx logs no "uninitialized variable" warning); an auth_request subrequest
 * reads its parent's value (nginx shares the variables of a request with its subrequests).
 */
export const enum RuleVariable {
  Name = 'authotron_require',
}
