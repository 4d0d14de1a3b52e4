'use strict';
// Token refresh against the real local host: the SDK refreshes a token that is close to its expiry before an
// authenticated call, keeps working across the refresh, and falls back to its still-valid token when the server
// refuses a refresh (login older than Tianmu__Jwt__MaxSessionAge).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startTianmu } = require('./helpers/server');
const { createFakeWx, spyConsole } = require('./helpers/fake-wx');
const { claimsOf } = require('./helpers/jwt');
const sdk = require('..');

let host;
let agedHost;
let consoleSpy;

before(async () => {
  // Tokens of 9 minutes: always within the SDK's 10-minute refresh window.
  [host, agedHost] = await Promise.all([
    startTianmu({ env: { Tianmu__Jwt__Lifetime: '00:09:00' } }),
    startTianmu({ env: { Tianmu__Jwt__Lifetime: '00:09:00', Tianmu__Jwt__MaxSessionAge: '00:00:01' } }),
  ]);
  consoleSpy = spyConsole();
});

after(async () => {
  if (consoleSpy) consoleSpy.restore();
  await Promise.all([host && host.stop(), agedHost && agedHost.stop()]);
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(server, user) {
  const fake = createFakeWx({ user });
  sdk.init({ baseUrl: server.baseUrl, appId: server.appId, wx: fake });
  return fake;
}

test('a token close to expiry is refreshed before updateUserInfo, which then succeeds with the new token', async () => {
  const fake = setup(host, 'refresh-before-call');
  const profile = await sdk.login();
  await sleep(1100); // a new token has a later iat, so it differs from the login's
  const sealed = await host.seal('test-refresh-before-call', { nickName: 'Refreshed' });

  const updated = await sdk.updateUserInfo(sealed);

  assert.equal(updated.nick_name, 'Refreshed');
  const [refresh] = fake.requestsTo('/api/token/refresh');
  assert.ok(refresh, 'the SDK refreshed');
  assert.equal(refresh.header.Authorization, `Bearer ${profile.jwt}`);
  const [post] = fake.requestsTo('/api/updateUserInfo');
  const renewed = sdk.getToken();
  assert.notEqual(renewed, profile.jwt);
  assert.equal(post.header.Authorization, `Bearer ${renewed}`);
  assert.equal(fake.getStorageSync(`tmsdk:token:${host.appId}`), renewed);
  const [before, after] = [claimsOf(profile.jwt), claimsOf(renewed)];
  assert.equal(after.sub, before.sub);
  assert.equal(after.aud, before.aud);
  assert.equal(after.auth_time, before.auth_time);
  assert.ok(after.exp > before.exp);
  assert.equal(fake.logins.length, 1, 'no new wx.login');
});

test('refreshToken() resolves with a new token of the same login; concurrent calls share one refresh', async () => {
  const fake = setup(host, 'refresh-explicit');
  const profile = await sdk.login();
  await sleep(1100);

  const [a, b] = await Promise.all([sdk.refreshToken(), sdk.refreshToken()]);

  assert.equal(a, b);
  assert.notEqual(a, profile.jwt);
  assert.equal(sdk.getToken(), a);
  assert.equal(fake.requestsTo('/api/token/refresh').length, 1);
  assert.equal(claimsOf(a).auth_time, claimsOf(profile.jwt).auth_time);
});

test('refreshToken() without a token rejects with invalid_token and sends nothing', async () => {
  const fake = setup(host, 'refresh-no-token');
  await assert.rejects(sdk.refreshToken(), (error) => error.code === 'invalid_token' && error.status === 0);
  assert.equal(fake.requests.length, 0);
});

test('past the maximum session age the refresh is refused (401) and the SDK keeps working with its valid token', async () => {
  const fake = setup(agedHost, 'refresh-too-old');
  const profile = await sdk.login();
  await sleep(2200);
  await assert.rejects(sdk.refreshToken(), (error) => error.code === 'invalid_token' && error.status === 401);
  const sealed = await agedHost.seal('test-refresh-too-old', { nickName: 'Still works' });

  const updated = await sdk.updateUserInfo(sealed);

  assert.equal(updated.nick_name, 'Still works');
  assert.equal(sdk.getToken(), profile.jwt);
  assert.equal(fake.requestsTo('/api/token/refresh').length, 2);
  assert.equal(fake.logins.length, 1);
});
