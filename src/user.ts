/** The identity the pipeline produces (authotron-types `User`, payload version 1). */
export interface User {
  version: number
  username: string
  realm: string
  roles: string[]
  attributes: { [key: string]: string }
  scopes: { [provider: string]: string[] }
}

export const USER_PAYLOAD_VERSION = 1

export function newUser(username: string, realm: string, roles: string[]): User {
  return { version: USER_PAYLOAD_VERSION, username, realm, roles, attributes: {}, scopes: {} }
}

/** Serialises with the reference's key order: version, username, realm, roles, attributes, scopes. */
export function userJson(user: User): string {
  return JSON.stringify({
    version: user.version,
    username: user.username,
    realm: user.realm,
    roles: user.roles,
    attributes: user.attributes,
    scopes: user.scopes,
  })
}
