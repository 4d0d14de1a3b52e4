'use strict';
// login against the real local host: profile, token, attribution and the error codes of a failed login.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startTianmu } = require('./helpers/server');
const { createFakeWx, spyConsole } = require('./helpers/fake-wx');
const { claimsOf } = require('./helpers/jwt');
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

function setup(user, fakeOptions) {
  const fake = createFakeWx(Object.assign({ user }, fakeOptions));
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: fake });
  return fake;
}

test('login resolves with the profile: is_new only the first time, login_times counts, token kept in memory and storage', async () => {
  const fake = setup('login-profile');
  const first = await sdk.login();
  assert.equal(first.is_new, true);
  assert.equal(first.login_times, 1);
  assert.equal(first.app_id, host.appId);
  assert.match(first.open_id, /^[A-Za-z0-9_-]{1,64}$/);
  assert.equal(typeof first.from_scene, 'string');
  assert.ok(first.jwt.split('.').length === 3);
  assert.equal(claimsOf(first.jwt).sub, first.open_id);
  assert.equal(sdk.getToken(), first.jwt);
  assert.equal(fake.getStorageSync(`tmsdk:token:${host.appId}`), first.jwt);
  assert.deepEqual(sdk.getProfile(), first);

  const second = await sdk.login();
  assert.equal(second.is_new, false);
  assert.equal(second.login_times, 2);
  assert.equal(second.open_id, first.open_id);
  assert.equal(fake.getStorageSync(`tmsdk:token:${host.appId}`), second.jwt);
  assert.equal(sdk.getToken(), second.jwt);

  // A fresh code per login (codes are single-use), one POST each.
  assert.equal(fake.logins.length, 2);
  assert.equal(fake.requestsTo('/api/login').length, 2);
});

test('login posts app_id, the fresh code and the launch scene, without attribution fields the launch query lacks', async () => {
  const fake = setup('login-body', { launch: { scene: 1001, query: {} } });
  await sdk.login();
  const [request] = fake.requestsTo('/api/login');
  assert.equal(request.method, 'POST');
  assert.equal(request.header['content-type'], 'application/json');
  assert.equal(request.header.Authorization, undefined);
  assert.deepEqual(request.data, { app_id: host.appId, code: 'test-login-body', scene: 1001 });
});

test('scene, from_code, inviter and ofp come from the launch options and reach the profile; inviter gets share_new', async () => {
  const inviterWx = setup('login-inviter');
  const inviter = await sdk.login();
  assert.equal(inviter.share_new, 0);

  const fake = setup('login-invited', {
    launch: { scene: 1007, query: { from_code: 'ball-resurrection-1', inviter: inviter.open_id, ofp: 'campaign-7' } },
  });
  const invited = await sdk.login();
  assert.equal(invited.is_new, true);
  assert.deepEqual(fake.requestsTo('/api/login')[0].data, {
    app_id: host.appId,
    code: 'test-login-invited',
    scene: 1007,
    from_code: 'ball-resurrection-1',
    inviter: inviter.open_id,
    ofp: 'campaign-7',
  });
  assert.equal(invited.from_scene, '1007');
  assert.equal(invited.from_code, 'ball-resurrection-1');
  assert.equal(invited.ofp, 'campaign-7');

  // A later login from another channel: the server keeps the channel that brought the user.
  fake.launch = { scene: 1001, query: {} };
  const again = await sdk.login();
  assert.equal(again.from_scene, '1007');
  assert.equal(again.from_code, 'ball-resurrection-1');
  assert.equal(again.ofp, 'campaign-7');

  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: inviterWx });
  const inviterAgain = await sdk.login();
  assert.equal(inviterAgain.share_new, 1);
});

test('login options override the launch options', async () => {
  const fake = setup('login-options', { launch: { scene: 1044, query: { from_code: 'from-query' } } });
  const profile = await sdk.login({ scene: '1089', from_code: 'from-options', ofp: 'o-1' });
  assert.deepEqual(fake.requestsTo('/api/login')[0].data, {
    app_id: host.appId,
    code: 'test-login-options',
    scene: '1089',
    from_code: 'from-options',
    ofp: 'o-1',
  });
  assert.equal(profile.from_scene, '1089');
  assert.equal(profile.from_code, 'from-options');
  assert.equal(profile.ofp, 'o-1');
});

test('attribution values the server would refuse are left out: they never block a login', async () => {
  const fake = setup('login-bad-attribution', {
    launch: { scene: 'not-a-scene', query: { from_code: 'x'.repeat(129), inviter: 'not/an/open/id', ofp: 'y'.repeat(257) } },
  });
  const profile = await sdk.login();
  assert.equal(profile.is_new, true);
  assert.deepEqual(fake.requestsTo('/api/login')[0].data, { app_id: host.appId, code: 'test-login-bad-attribution' });
  assert.equal(profile.from_scene, '');
});

test('a code WeChat rejects (40029) rejects with invalid_code, status 400 and the server detail; nothing is stored', async () => {
  const fake = setup('login-invalid-code');
  fake.codes.push('fail-40029');
  await assert.rejects(sdk.login(), (error) => {
    assert.ok(error instanceof sdk.TianmuError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'TianmuError');
    assert.equal(error.code, 'invalid_code');
    assert.equal(error.status, 400);
    assert.ok(error.detail.length > 0);
    return true;
  });
  assert.equal(fake.requestsTo('/api/login').length, 1);
  assert.equal(sdk.getToken(), '');
  assert.equal(sdk.getProfile(), null);
  assert.equal(fake.storage.size, 0);
});

test('WeChat rate limiting (45011) rejects with rate_limited, status 429 and retryAfter 60, without retrying', async () => {
  const fake = setup('login-rate-limited');
  fake.codes.push('fail-45011');
  await assert.rejects(sdk.login(), { name: 'TianmuError', code: 'rate_limited', status: 429, retryAfter: 60 });
  assert.equal(fake.requestsTo('/api/login').length, 1);
  assert.equal(fake.logins.length, 1);
});

test('a high-risk user (40226) rejects with login_blocked 403', async () => {
  const fake = setup('login-blocked');
  fake.codes.push('fail-40226');
  await assert.rejects(sdk.login(), { code: 'login_blocked', status: 403 });
});

test('an app the deployment does not serve rejects with unknown_app 404', async () => {
  const fake = createFakeWx({ user: 'login-unknown-app' });
  sdk.init({ baseUrl: host.baseUrl, appId: 'wxnotconfigured0001', wx: fake });
  await assert.rejects(sdk.login(), { code: 'unknown_app', status: 404 });
});

test('a server that cannot be reached rejects with network_error, status 0 and WeChat\'s errMsg as detail', async () => {
  const closedPort = await new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  const fake = createFakeWx({ user: 'login-offline' });
  sdk.init({ baseUrl: `http://127.0.0.1:${closedPort}`, appId: host.appId, wx: fake });
  await assert.rejects(sdk.login(), (error) => {
    assert.equal(error.code, 'network_error');
    assert.equal(error.status, 0);
    assert.match(error.detail, /^request:fail/);
    return true;
  });
  assert.equal(fake.requests.length, 1);
  assert.equal(sdk.getToken(), '');
});

test('a server that does not answer within the timeout rejects with network_error', async () => {
  const sockets = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const fake = createFakeWx({ user: 'login-timeout' });
    sdk.init({ baseUrl: `http://127.0.0.1:${silent.address().port}`, appId: host.appId, wx: fake, timeout: 300 });
    const started = Date.now();
    await assert.rejects(sdk.login(), { code: 'network_error', status: 0, detail: 'request:fail timeout' });
    assert.ok(Date.now() - started < 5000);
  } finally {
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
});

test('a failing wx.login rejects with wx_login_failed and sends nothing', async () => {
  const fake = setup('login-wx-fails');
  fake.codes.push(null);
  await assert.rejects(sdk.login(), { code: 'wx_login_failed', status: 0, detail: 'login:fail simulated' });
  assert.equal(fake.requests.length, 0);
});

test('the SDK wrote nothing to the console', () => {
  assert.deepEqual(consoleSpy.calls, []);
});
