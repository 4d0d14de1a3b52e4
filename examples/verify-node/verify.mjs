// Verify a Tianmu token on your game server (README, "Verify a Tianmu token on your game server").
// jose fetches the JWKS once, caches it, and fetches again when a token names a kid it does not know (key rotation).
import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * Returns a verifier for the tokens of one app: verify(token) resolves with the claims
 * ({ sub: open id, aud: app id, pid, auth_time, exp, ... }) or rejects when the token is not valid for this app.
 */
export function tianmuVerifier({ baseUrl, appId, issuer = 'tianmu' }) {
  const jwks = createRemoteJWKSet(new URL('/api/.well-known/jwks.json', baseUrl));
  return async function verify(token) {
    const { payload } = await jwtVerify(token, jwks, {
      algorithms: ['ES256'], // never anything else: no HS256, no none
      issuer,
      audience: appId, // tokens of other apps on the same Tianmu deployment are refused
      clockTolerance: 30, // exp and nbf are required and checked, with Tianmu's 30 s of skew
      requiredClaims: ['exp', 'sub'],
    });
    return payload;
  };
}

// Command line: node verify.mjs <baseUrl> <appId> <token>; prints the open id and exits 0 when the token is valid.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [baseUrl, appId, token] = process.argv.slice(2);
  try {
    const claims = await tianmuVerifier({ baseUrl, appId })(token);
    console.log(`valid: sub=${claims.sub} aud=${claims.aud} exp=${claims.exp}`);
  } catch (error) {
    console.error(`invalid: ${error.code || error.name}`);
    process.exitCode = 1;
  }
}
