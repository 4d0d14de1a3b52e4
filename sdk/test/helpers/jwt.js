'use strict';
// Tokens the server did not sign, to drive the SDK's 401 and expiry paths.
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

function forgedToken(claims) {
  return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.${Buffer.from('not the server key').toString('base64url')}`;
}

function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

module.exports = { forgedToken, claimsOf };
