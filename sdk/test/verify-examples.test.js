'use strict';
// The README's "Verify a Tianmu token on your game server" examples, run against the real local host: the Node one
// (examples/verify-node, npm jose) and the .NET one (examples/VerifyDotnet, Microsoft.IdentityModel) accept a login
// token of their app and refuse a tampered one, one of another app, and one signed with HS256.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startTianmu } = require('./helpers/server');
const { forgedToken, claimsOf } = require('./helpers/jwt');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CONFIGURATION = process.env.TIANMU_TEST_CONFIGURATION || process.env.TIANMU_SDK_CONFIGURATION || 'Debug';
const NODE_EXAMPLE = path.join(REPO_ROOT, 'examples', 'verify-node');
const DOTNET_EXAMPLE = path.join(REPO_ROOT, 'examples', 'VerifyDotnet');
const DOTNET_DLL = path.join(DOTNET_EXAMPLE, 'bin', CONFIGURATION, 'net10.0', 'VerifyDotnet.dll');

let host;
let token;

function run(command, args, cwd) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120000 });
}

function postJson(url, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end(data);
  });
}

before(async () => {
  if (!fs.existsSync(path.join(NODE_EXAMPLE, 'node_modules', 'jose'))) {
    const install = run('npm', ['ci', '--no-audit', '--no-fund'], NODE_EXAMPLE);
    assert.equal(install.status, 0, install.stderr);
  }
  if (!fs.existsSync(DOTNET_DLL)) {
    const build = run('dotnet', ['build', DOTNET_EXAMPLE, '-c', CONFIGURATION, '-nologo', '-v', 'q'], REPO_ROOT);
    assert.equal(build.status, 0, build.stdout + build.stderr);
  }
  host = await startTianmu();
  const login = await postJson(`${host.baseUrl}/api/login`, { app_id: host.appId, code: 'test-verify-examples' });
  assert.equal(login.status, 200);
  token = login.body.jwt;
});

after(async () => {
  if (host) await host.stop();
});

function tampered(jwt) {
  const [header, payload, signature] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  claims.sub = 'someone-else';
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

const examples = {
  node: (appId, jwt) => run(process.execPath, [path.join(NODE_EXAMPLE, 'verify.mjs'), host.baseUrl, appId, jwt], NODE_EXAMPLE),
  dotnet: (appId, jwt) => run('dotnet', [DOTNET_DLL, host.baseUrl, appId, jwt], REPO_ROOT),
};

for (const [name, verify] of Object.entries(examples)) {
  test(`the ${name} example accepts a login token of its app and prints its open id`, () => {
    const result = verify(host.appId, token);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`valid: sub=${claimsOf(token).sub}`));
  });

  test(`the ${name} example refuses a tampered token, a token of another app and an HS256 token`, () => {
    for (const [what, appId, jwt] of [
      ['tampered', host.appId, tampered(token)],
      ['signature cut', host.appId, token.slice(0, token.lastIndexOf('.') + 1)],
      ['another app id', 'wxsomeotherapp0001', token],
      ['HS256', host.appId, forgedToken(claimsOf(token))],
    ]) {
      const result = verify(appId, jwt);
      assert.equal(result.status, 1, `${what}: ${result.stdout}${result.stderr}`);
      assert.doesNotMatch(result.stdout, /valid: sub=/, what);
    }
  });
}
