'use strict';
// exportAccount and deleteAccount against the real local host.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startTianmu } = require('./helpers/server');
const { createFakeWx, spyConsole } = require('./helpers/fake-wx');
const sdk = require('..');

let host;
let consoleSpy;

before(async () => {
  host = await startTianmu();
  consoleSpy = spyConsole();
});

after(async () => {
  if (consoleSpy) consoleSpy.restore();
  if (host) await host.stop();
});

function setup(user) {
  const fake = createFakeWx({ user: `${user}-${Date.now()}` });
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: fake });
  return fake;
}

test('exportAccount resolves with the profile and every list, never a session key or token', async () => {
  const fake = setup('export');
  const profile = await sdk.login();
  const exported = await sdk.exportAccount();
  assert.equal(exported.profile.open_id, profile.open_id);
  assert.equal('jwt' in exported.profile, false);
  assert.equal('is_new' in exported.profile, false);
  assert.deepEqual(exported.wallet_transactions, []);
  assert.deepEqual(exported.shares, []);
  assert.equal(typeof exported.created_at, 'number');
  assert.equal(typeof exported.exported_at, 'number');
  assert.doesNotMatch(JSON.stringify(exported), /session/i);
  const [request] = fake.requestsTo('/api/account/export');
  assert.equal(request.method, 'GET');
  assert.equal(request.header.Authorization, `Bearer ${profile.jwt}`);
});

test('exportAccount logs in first when there is no token', async () => {
  const fake = setup('export-nologin');
  const exported = await sdk.exportAccount();
  assert.equal(fake.logins.length, 1);
  assert.match(exported.profile.open_id, /^[A-Za-z0-9_-]{1,64}$/);
});

test('deleteAccount with a recent token deletes at once, forgets the token, and a later login starts fresh', async () => {
  const fake = setup('delete');
  await sdk.login();
  await sdk.deleteAccount();
  assert.equal(fake.logins.length, 1);
  assert.equal(fake.requestsTo('/api/account')[0].method, 'DELETE');
  assert.equal(sdk.getToken(), '');
  assert.equal(sdk.getProfile(), null);
  const again = await sdk.login();
  assert.equal(again.is_new, true);
  assert.equal(again.login_times, 1);
});

test('deleteAccount logs in again first when the token is not recent', async () => {
  const fake = setup('delete-stale');
  await sdk.login();
  const realNow = Date.now;
  // Eleven minutes later by the phone's clock: the login is older than the server's default window.
  Date.now = () => realNow() + 11 * 60 * 1000;
  try {
    await sdk.deleteAccount({ recentLoginSeconds: 600 });
  } finally {
    Date.now = realNow;
  }
  assert.equal(fake.logins.length, 2);
  assert.equal(fake.requestsTo('/api/account').length, 1);
  assert.equal(sdk.getToken(), '');
});

test('deleteAccount after the account is gone rejects with invalid_token', async () => {
  setup('delete-twice');
  const profile = await sdk.login();
  await sdk.deleteAccount();
  // The old token, still unexpired, speaks for nobody now.
  const response = await fetch(`${host.baseUrl}/api/account`, { method: 'DELETE', headers: { Authorization: `Bearer ${profile.jwt}` } });
  assert.equal(response.status, 401);
  assert.equal((await response.json()).code, 'invalid_token');
});
