// Bench-only (not the product): what opening a sealed remote answer costs on a leg, one operation
// per handler, counted with bench/instructions.ts (docs/remote.md, "Measured"). SEALED is an
// `aot1.<iv>.<ciphertext>` answer of the relay's form (AES-256-GCM under KEY_B64U, random test
// bytes) around PLAIN, an exchange answer of 1,258 bytes (a made-up access token of 1,180). Each
// handler minus `base` is the cost of its operation:
//   npx tsx bench/instructions.ts --leg sid --module bench/njs/seal-cost.js --handler utf8
//   npx tsx bench/instructions.ts --leg sid --module bench/njs/seal-cost.js --handler sub \
//     --server 'location /c { return 200 "<the SEALED text>"; }'
import crypto from 'crypto';
var KEY_B64U="Hov_96qtKp-PZOqoZ5c1GYOvNICtq-uOvGTKLxSsQb4";
var SEALED="aot1.v11qetHSSVkkbACl.0O19HkKFlZ8EDXp4ITPNYd3RlXCH0RUE0TJzcG815Coeo-PsiLB2EtV0o8Pl5CkjDp4QpJyrven24j4gXi927VkCvIp4gEydR_ip0ib84u7aNcIPsdXFnYE8qxlmIKjJ_O8ZgYl8X8Ogzxt_HljHOMp9dMKD211Kj85T8mRPQMDkM1dZeXbYbLpUl7IxNObhCpM6DyFtnCsgbS7fBpwmrvIW1k2o3Ut5hBR1vfS9PAv_V9mVe_TjZbuctyCYAUa-tayLsjj2PKKrdUguYiBztLIXed1zQUqy9iiojT2t7T-_CUDNWnr1ylombSd0OqCh7BaBcKYTo--svuKZMFpKWCnx6EmrEv1g6asP_H2TSKdDbPrv5iOf4f6h7r84tuAM8KPwR00VvnGTpawDPUsJfVFmN5uYd2RdrqhKRSLjtP0vPYWA48T40QzkENVmTWAJH1bNRgX39s8k97dFDGJ0QF0Fq0pjb9pNer0X6qm8W36qGh5TNegYyIAuA0yKUdXLy5jUArZ7pp_uIblQkohWKTmUj_jfww8A2Zwo8fZdCRZiflmeurLCQtzrYoCREJhKjWt15PaHuSP-ITn11240nxoc_0uWX2i201gfvT_hGtQ2x0YJXFumszZ-iByPpdGAPyCWRMT4Z9TpA5hFXhzLUTA05n1iZFUWqVx6QRxVYo7LaDaXx4GdL2rdgdWWqoUVcFJcdo_bl8ntx3zuWG-ayGOxfBr1XgW1EieLtE1TI-N3CDe30NPtelpYSAZnIRs3tFUwOFlfDAGUQsFtOjxKry7Vxv1sWspS3Zjfzk7dEmw7l5NgpB8d-OayosNMfrUVHsFhxlyR5YR5-BD7EBkuOac0LFT7YrWs0zPMPyxFAsrRYqwVb-kyUbivTwvZhC4-FJs3OUUWodstuCCVW6dANxYno_JYeq9HYQfr6Sd0uESPR_WRRTRm4PYxIR9hFEIKtQy2SNAt3jSX5teYdQj0OSeNfBHcSVQN4UESms3rsNQ8bB4N5pQ70J9mRV5xsl-lVXtzlQqkNoCEsqHZ_Y8r5rGzLPWJrvdi8_eQUOooqjkk_hzOue0byhtNq_2pW0RuzvwMWVk68vql8ewt0DKeuecxQnkUnX7wo4IFoRSIdWWe2u-HmdTNY1fqTnxG-GDS9pAxsXCo9NgVLbbpITTId3RL9Ky8h1vVbyvB4pv25OXS72WkB90VvxEbv49qi8RVMS95S2a3j1BA-avXMoyIqOe_03dKiX_zhZ9jL1hz9QeAQvHBYRgeUIR_vlyWyirbyuLvVXQ975sPJJ1kKdAEEQWmd15mWceKSDZiwU1Vyh6Jr-sKfm6uzO-JlYFFPW-cExtM6-zDwSbRJu2RQKo339wEGTwGN5BpiScP1elhKOgCo0BlXOBAOCcXjJOxxMWZ-muA50CFsT5Qd4PnUnRtdKH0yvUUAJPWqV177-9nubcSRX_LtpYy_lSjRQrK5bXT-qDsFSV1LHd_waXIujm0O9qLZzpj2B_LSBBAOCHLJ5R7tMssDa3rEZ_CT0EENiSABDOtQQ98ktE4vHRii8ES_-xUDTQ23LIvrMsCYlfJWVKkfZAeX6sj0fsAtnWYKCnNA2fs7LrLuV3buzHWJWNJ6q7VAne-ytnmut3NqSAw7daClVcSitAeDDF42L0ZYGBNyCp60dXr2ZNXYo3swhPJEFZY6C7fyDC-Cg0";
var PLAIN_LEN=1258;
var PLAIN="{\"access_token\":\"eyJhbGciOiJSUzI1NiJ9.GJcHoZAC6eNJiwZkcgWH06WfRrVC8PDbcgmxysBUk5ZOx2t4e-0NQKwSrPnfgoUu5wUfL-fW8ye-YZdHOOf8gHusMsVwRvoKPTzyXJzHIrXOhBbo5PgnoUx6Q3UQ6P_2fw3tAfXOEdK88zdJYrR0Sk3rih_le2H335bhn32eYeVVps6ShdomVyNlnxNm3o5JaytAGH4Z2Ge61lQJt48VhlgDcwAzja2jGlG4s5YRqPDXDNYrneAdRZDI63XFJ0b2ykz-_UraWxRjxfLuVL4dW-ghcyFtQexOStL91kssql12a0MPtKmrfNypcGf5HUVoMMl6wzZp6dzsRuSnHDZDTvx-HLZHMghoHKC-6FxwN3gFCCr6qBIwZErUwP7mhPaxP6nGSzSq3cKb-sEhVuA60k1ECb5r2wASKRKbEVEj0lj97OvZ-yzxTRzknUi_KXjbhgK_Kifpdp6tlAYM-ztVEWJj0EvU6D3oh48lzINQyHuWBPpkNNdObwPqIJej3mpNP6bU-CAvp6mnut3EWoTI9PdlafpdhJXfX7SMsNBM6rjO6Z-PjzV07bOJE28Sg9v6E2rP_La3NqWjXxzrztsIZRcmpBrqp5iDZYpZ24kQ5OP5Yckn-G4pX0sb6daleCaBGkAs8tQqTGbsXoAR6ghoGG2IzSpVCTmrZP0l1oUhP5eiGAX8DyTTnruQi8BnY7dT1lKv-zFDk7YGfZPNMmrYexMRfj_LbpQKqrV_U7rKIJH3bj5uoJgeaIvYHfCBlgY_dY_SM-fcStcCxnIoGaMgoyFe_OgT80kY.L1F5438Zv5AuV8aPLqy2xV2tyFWWetm_UYA9ZMz7-qwG28on8Yd99r7d6-pS-IvilnRaWMPG7SVKiEZmGVahghd-nyI1ytyPljsQk9RsmQIy7PWde6SOybg-an9vAPiEqL4-0yPje8AdWiP4z0V8xBtGT6u30A63x5UbbycsEjlpCSJl2ZoWpbmVqO0a_FQctG18N1qyoOH4DSuU7f9tHKxAA3YqLxcMQ_jDDt50j_sjXsrdmbIZWFH53sDWmM_1MbJwEH0pgP9UB8vTZQBciHuOZeUXs8CIfSqWZi99xJ8UTqVSI15L5M0Ippcj9capCuw2zRrcxAUASVkaRRiouw\",\"expires_in\":300,\"token_type\":\"Bearer\",\"scope\":\"openid offline_access api\"}";
var TOKEN="eyJhbGciOiJSUzI1NiJ9.GJcHoZAC6eNJiwZkcgWH06WfRrVC8PDbcgmxysBUk5ZOx2t4e-0NQKwSrPnfgoUu5wUfL-fW8ye-YZdHOOf8gHusMsVwRvoKPTzyXJzHIrXOhBbo5PgnoUx6Q3UQ6P_2fw3tAfXOEdK88zdJYrR0Sk3rih_le2H335bhn32eYeVVps6ShdomVyNlnxNm3o5JaytAGH4Z2Ge61lQJt48VhlgDcwAzja2jGlG4s5YRqPDXDNYrneAdRZDI63XFJ0b2ykz-_UraWxRjxfLuVL4dW-ghcyFtQexOStL91kssql12a0MPtKmrfNypcGf5HUVoMMl6wzZp6dzsRuSnHDZDTvx-HLZHMghoHKC-6FxwN3gFCCr6qBIwZErUwP7mhPaxP6nGSzSq3cKb-sEhVuA60k1ECb5r2wASKRKbEVEj0lj97OvZ-yzxTRzknUi_KXjbhgK_Kifpdp6tlAYM-ztVEWJj0EvU6D3oh48lzINQyHuWBPpkNNdObwPqIJej3mpNP6bU-CAvp6mnut3EWoTI9PdlafpdhJXfX7SMsNBM6rjO6Z-PjzV07bOJE28Sg9v6E2rP_La3NqWjXxzrztsIZRcmpBrqp5iDZYpZ24kQ5OP5Yckn-G4pX0sb6daleCaBGkAs8tQqTGbsXoAR6ghoGG2IzSpVCTmrZP0l1oUhP5eiGAX8DyTTnruQi8BnY7dT1lKv-zFDk7YGfZPNMmrYexMRfj_LbpQKqrV_U7rKIJH3bj5uoJgeaIvYHfCBlgY_dY_SM-fcStcCxnIoGaMgoyFe_OgT80kY.L1F5438Zv5AuV8aPLqy2xV2tyFWWetm_UYA9ZMz7-qwG28on8Yd99r7d6-pS-IvilnRaWMPG7SVKiEZmGVahghd-nyI1ytyPljsQk9RsmQIy7PWde6SOybg-an9vAPiEqL4-0yPje8AdWiP4z0V8xBtGT6u30A63x5UbbycsEjlpCSJl2ZoWpbmVqO0a_FQctG18N1qyoOH4DSuU7f9tHKxAA3YqLxcMQ_jDDt50j_sjXsrdmbIZWFH53sDWmM_1MbJwEH0pgP9UB8vTZQBciHuOZeUXs8CIfSqWZi99xJ8UTqVSI15L5M0Ippcj9capCuw2zRrcxAUASVkaRRiouw";
var ENVELOPE = '\nclient_id=desp-private&grant_type=refresh_token&refresh_token=' + KEY_B64U + KEY_B64U + KEY_B64U;
function base(r) { r.return(200, 'ok'); }
function hmac(r) { var k = crypto.createHmac('sha256', 'secret-secret').update(ENVELOPE).digest('base64url'); r.return(200, k.slice(0, 2)); }
function sha(r) { var k = crypto.createHash('sha256').update(ENVELOPE).digest('base64url'); r.return(200, k.slice(0, 2)); }
function split(r) { var parts = SEALED.slice(5).split('.'); r.return(200, String(parts.length)); }
function slices(r) { var iv = SEALED.slice(5, 21); var text = SEALED.slice(22); r.return(200, String(iv.length + text.length)); }
function b64(r) { var parts = SEALED.slice(5).split('.'); var iv = Buffer.from(parts[0], 'base64url'); var s = Buffer.from(parts[1], 'base64url'); r.return(200, String(s.length + iv.length)); }
function importKey(r) {
  var key = Buffer.from(KEY_B64U, 'base64url');
  globalThis.crypto.subtle.importKey('raw', key, { name: 'AES-GCM' }, false, ['decrypt']).then(function () { r.return(200, 'k'); });
}
function aes(r) {
  var parts = SEALED.slice(5).split('.'); var iv = Buffer.from(parts[0], 'base64url'); var s = Buffer.from(parts[1], 'base64url');
  var key = Buffer.from(KEY_B64U, 'base64url');
  var api = globalThis.crypto.subtle;
  api.importKey('raw', key, { name: 'AES-GCM' }, false, ['decrypt'])
    .then(function (k) { return api.decrypt({ name: 'AES-GCM', iv: iv }, k, s); })
    .then(function (p) { r.return(200, String(p.byteLength)); });
}
function aesUtf8(r) {
  var parts = SEALED.slice(5).split('.'); var iv = Buffer.from(parts[0], 'base64url'); var s = Buffer.from(parts[1], 'base64url');
  var key = Buffer.from(KEY_B64U, 'base64url');
  var api = globalThis.crypto.subtle;
  api.importKey('raw', key, { name: 'AES-GCM' }, false, ['decrypt'])
    .then(function (k) { return api.decrypt({ name: 'AES-GCM', iv: iv }, k, s); })
    .then(function (p) { var u = new Uint8Array(p); return Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('utf8'); })
    .then(function (t) { r.return(200, String(t.length)); });
}
function bufFrom(r) { var b = Buffer.from(PLAIN); r.return(200, String(b.length)); }
function utf8(r) { var b = Buffer.from(PLAIN); var t = b.toString('utf8'); r.return(200, String(t.length)); }
function decoder(r) { var b = Buffer.from(PLAIN); var t = new TextDecoder().decode(b); r.return(200, String(t.length)); }
function parse(r) { var o = JSON.parse(PLAIN); r.return(200, String(o.expires_in)); }
function sub(r) { r.subrequest('/c', { method: 'POST', body: ENVELOPE }).then(function (reply) { r.return(200, String(reply.responseText.length)); }); }
function subNoText(r) { r.subrequest('/c', { method: 'POST', body: ENVELOPE }).then(function (reply) { r.return(200, String(reply.status)); }); }
export default { base, hmac, sha, split, slices, b64, importKey, aes, aesUtf8, bufFrom, utf8, decoder, parse, sub, subNoText };
