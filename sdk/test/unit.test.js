'use strict';
// What needs no server: the package surface, argument checks, and what the shipped source may contain.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const sdk = require('..');
const pkg = require('../package.json');

const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'index.js'), 'utf8');
// Comments and string contents removed, so that prose like "wx..." does not count as syntax.
const code = source
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
  .replace(/(^|[^:])\/\/.*$/gm, '$1');

test('the package exports init, login, updateUserInfo, updateProfile, uploadAvatar, refreshToken, getWallet, exportAccount, deleteAccount, getToken, getProfile, heartbeat, stopPlay, the share wrappers, TianmuError and tm_sdk', () => {
  assert.deepEqual(Object.keys(sdk).sort(), ['TianmuError', 'deleteAccount', 'exportAccount', 'getProfile', 'getToken', 'getWallet', 'heartbeat', 'init', 'login', 'onShareAppMessage', 'refreshToken', 'shareAppMessage', 'stopPlay', 'tm_sdk', 'updateProfile', 'updateUserInfo', 'uploadAvatar']);
  assert.equal(sdk.tm_sdk, sdk);
  assert.equal(pkg.main, 'src/index.js');
  assert.equal(pkg.types, 'index.d.ts');
  assert.equal(pkg.dependencies, undefined);
  const types = fs.readFileSync(path.join(__dirname, '..', pkg.types), 'utf8');
  for (const name of ['init', 'login', 'updateUserInfo', 'updateProfile', 'uploadAvatar', 'refreshToken', 'exportAccount', 'deleteAccount', 'getToken', 'getProfile', 'heartbeat', 'stopPlay', 'shareAppMessage', 'onShareAppMessage']) {
    assert.match(types, new RegExp(`export function ${name}\\(`));
  }
  assert.match(types, /export class TianmuError extends Error/);
  assert.match(types, /export const tm_sdk: TmSDK/);
});

test('TianmuError carries code, status and detail', () => {
  const error = new sdk.TianmuError('decrypt_failed', 'decrypt_failed (HTTP 422)', { status: 422, detail: 'nope', retryAfter: 3 });
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'TianmuError');
  assert.equal(error.code, 'decrypt_failed');
  assert.equal(error.status, 422);
  assert.equal(error.detail, 'nope');
  assert.equal(error.retryAfter, 3);
  assert.equal(new sdk.TianmuError('network_error').status, 0);
});

test('init refuses a missing or malformed baseUrl, appId or timeout with invalid_argument', () => {
  for (const options of [undefined, {}, { appId: 'wx1' }, { baseUrl: 'ftp://x', appId: 'wx1' }, { baseUrl: 'https://x' }, { baseUrl: 'https://x', appId: 'wx/1' }, { baseUrl: 'https://x', appId: 'wx1', timeout: -1 }]) {
    assert.throws(() => sdk.init(options), { name: 'TianmuError', code: 'invalid_argument' });
  }
});

test('before init, login and updateUserInfo reject with not_initialized and getToken is empty', async () => {
  const fresh = require('node:module').createRequire(__filename);
  const modulePath = fresh.resolve('..');
  delete require.cache[modulePath];
  const isolated = fresh('..');
  delete require.cache[modulePath];
  await assert.rejects(isolated.login(), { code: 'not_initialized' });
  await assert.rejects(isolated.updateUserInfo({ encryptedData: 'a', iv: 'b' }), { code: 'not_initialized' });
  assert.equal(isolated.getToken(), '');
  assert.equal(isolated.getProfile(), null);
});

test('init returns the SDK and installs it on the wx object it is given', () => {
  const wxObject = {};
  assert.equal(sdk.init({ baseUrl: 'https://tianmu.example.com/', appId: 'wxtianmudemo000001', wx: wxObject }), sdk);
  assert.equal(wxObject.tmSDK, sdk);
});

test('the shipped source writes nothing to the console', () => {
  assert.doesNotMatch(code, /\bconsole\s*[.[]/);
});

test('the shipped source stays within ES2017 syntax that old WeChat base libraries parse', () => {
  assert.doesNotMatch(code, /\?\./, 'optional chaining');
  assert.doesNotMatch(code, /\?\?/, 'nullish coalescing');
  assert.doesNotMatch(code, /\.\.\./, 'spread or rest (object spread is ES2018)');
  assert.doesNotMatch(code, /catch\s*\{/, 'optional catch binding');
  assert.doesNotMatch(code, /\basync\s+function\*|for\s+await/, 'async iteration');
  assert.doesNotMatch(code, /\b(import|export)\s/, 'ES modules');
  assert.doesNotMatch(code, /\bstatic\s+\w+\s*=|[^\w$]#\w/, 'static or private class fields');
});
