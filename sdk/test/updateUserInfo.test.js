'use strict';
// updateUserInfo against the real local host: success, the errors that must not loop, and the 401 renewal.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startTianmu } = require('./helpers/server');
const { createFakeWx, spyConsole } = require('./helpers/fake-wx');
const { forgedToken } = require('./helpers/jwt');
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

const tokenKey = () => `tmsdk:token:${host.appId}`;

function setup(user, fakeOptions, initOptions) {
  const fake = createFakeWx(Object.assign({ user }, fakeOptions));
  sdk.init(Object.assign({ baseUrl: host.baseUrl, appId: host.appId, wx: fake }, initOptions));
  return fake;
}

const ALICE = { nickName: '爱丽丝', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/alice/132', gender: 2, city: 'Guangzhou', province: 'Guangdong', country: 'China' };

test('updateUserInfo stores the user info and the next login returns it', async () => {
  const events = [];
  const fake = setup('uui-ok', {}, { debug: (event) => events.push(event) });
  const profile = await sdk.login();
  assert.equal(profile.nick_name, '');
  const sealed = await host.seal('test-uui-ok', ALICE);
  const loginsBefore = fake.logins.length;

  const updated = await sdk.updateUserInfo({ encryptedData: sealed.encryptedData, iv: sealed.iv, signature: sealed.signature });
  assert.equal(updated.nick_name, ALICE.nickName);
  assert.equal(updated.avatar_url, ALICE.avatarUrl);
  assert.equal(updated.gender, 2);
  assert.equal(updated.city, 'Guangzhou');
  assert.equal(updated.language, 'zh_CN');
  assert.equal(updated.is_new, false);
  assert.equal(updated.jwt, '');
  assert.equal(updated.open_id, profile.open_id);
  assert.deepEqual(sdk.getProfile(), updated);
  // The token of the login stays: the update answer carries none.
  assert.equal(sdk.getToken(), profile.jwt);

  // Never a wx.login between WeChat handing out the data and posting it.
  assert.equal(fake.logins.length, loginsBefore);
  const [request] = fake.requestsTo('/api/updateUserInfo');
  assert.equal(request.method, 'POST');
  assert.equal(request.header.Authorization, `Bearer ${profile.jwt}`);
  assert.deepEqual(request.data, { encryptedData: sealed.encryptedData, iv: sealed.iv, signature: sealed.signature });

  const next = await sdk.login();
  assert.equal(next.nick_name, ALICE.nickName);
  assert.equal(next.avatar_url, ALICE.avatarUrl);

  // The debug hook saw no code, token or sealed data.
  const seen = JSON.stringify(events);
  assert.ok(events.length > 0);
  for (const secret of [profile.jwt, next.jwt, sealed.encryptedData, sealed.iv, sealed.signature, 'test-uui-ok']) {
    assert.ok(!seen.includes(secret));
  }
});

test('rawData is checked against the signature: the genuine pair is stored, a tampered rawData is decrypt_failed', async () => {
  const fake = setup('uui-raw');
  await sdk.login();
  const sealed = await host.seal('test-uui-raw', { nickName: 'Raw' });
  const ok = await sdk.updateUserInfo(sealed);
  assert.equal(ok.nick_name, 'Raw');
  assert.deepEqual(Object.keys(fake.requestsTo('/api/updateUserInfo')[0].data).sort(), ['encryptedData', 'iv', 'rawData', 'signature']);

  const tampered = Object.assign({}, sealed, { rawData: sealed.rawData.replace('Raw', 'Fake') });
  await assert.rejects(sdk.updateUserInfo(tampered), { code: 'decrypt_failed', status: 422 });
});

test('data sealed before a later login is decrypt_failed: rejected once with the server code, no loop, no login', async () => {
  const fake = setup('uui-stale');
  await sdk.login();
  const stale = await host.seal('test-uui-stale', { nickName: 'Stale' });
  await sdk.login(); // the simulator hands out a fresh session key per login
  const loginsBefore = fake.logins.length;
  const requestsBefore = fake.requests.length;

  await assert.rejects(sdk.updateUserInfo({ encryptedData: stale.encryptedData, iv: stale.iv, signature: stale.signature }), (error) => {
    assert.ok(error instanceof sdk.TianmuError);
    assert.equal(error.code, 'decrypt_failed');
    assert.equal(error.status, 422);
    assert.ok(error.detail.length > 0);
    assert.ok(error.message.includes('decrypt_failed'));
    return true;
  });
  assert.equal(fake.requests.length, requestsBefore + 1);
  assert.equal(fake.logins.length, loginsBefore);

  // What the README tells the game to do: ask the user again (data sealed with the current key) and send that.
  const fresh = await host.seal('test-uui-stale', { nickName: 'Fresh' });
  const updated = await sdk.updateUserInfo(fresh);
  assert.equal(updated.nick_name, 'Fresh');
});

test('409 session_expired: rejected once with the server code, no loop, no login; login and asking again recovers', async () => {
  const fake = setup('uui-expired');
  const profile = await sdk.login();
  const sealed = await host.seal('test-uui-expired', { nickName: 'Expired' });
  await host.clearSessionKey(profile.open_id);
  const requestsBefore = fake.requests.length;

  await assert.rejects(sdk.updateUserInfo(sealed), { name: 'TianmuError', code: 'session_expired', status: 409 });
  assert.equal(fake.requests.length, requestsBefore + 1);
  assert.equal(fake.logins.length, 1);

  await sdk.login();
  const again = await host.seal('test-uui-expired', { nickName: 'Expired' });
  assert.equal((await sdk.updateUserInfo(again)).nick_name, 'Expired');
});

test('401 from a token the server refuses: logs in again once, rejects with session_renewed, never re-posts the data', async () => {
  setup('uui-401');
  await sdk.login(); // the user exists and has a session key
  const sealed = await host.seal('test-uui-401', { nickName: 'FourOhOne' });
  // A later run finds a token the server did not sign (unexpired by its claims) in storage.
  const bogus = forgedToken({ iss: 'tianmu', aud: host.appId, sub: 'someone', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 });
  const later = createFakeWx({ user: 'uui-401' });
  later.setStorageSync(tokenKey(), bogus);
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: later });
  assert.equal(sdk.getToken(), bogus);

  await assert.rejects(sdk.updateUserInfo(sealed), (error) => {
    assert.equal(error.code, 'session_renewed');
    assert.equal(error.status, 401);
    assert.match(error.message, /tap/);
    return true;
  });
  assert.deepEqual(later.requests.map((r) => r.path), ['/api/updateUserInfo', '/api/login']);
  assert.equal(later.logins.length, 1);
  const renewed = later.getStorageSync(tokenKey());
  assert.notEqual(renewed, bogus);
  assert.equal(sdk.getToken(), renewed);

  // The user taps again: data sealed for the new session goes through with the new token.
  const again = await host.seal('test-uui-401', { nickName: 'FourOhOne' });
  assert.equal((await sdk.updateUserInfo(again)).nick_name, 'FourOhOne');
  assert.equal(later.requestsTo('/api/updateUserInfo').length, 2);
  assert.equal(later.requestsTo('/api/updateUserInfo')[1].header.Authorization, `Bearer ${renewed}`);
});

test('a garbage token in storage is sent once, refused with 401, and renewed the same way', async () => {
  const fake = setup('uui-garbage');
  fake.setStorageSync(tokenKey(), 'garbage');
  await assert.rejects(sdk.updateUserInfo({ encryptedData: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }), { code: 'session_renewed', status: 401 });
  assert.deepEqual(fake.requests.map((r) => r.path), ['/api/updateUserInfo', '/api/login']);
});

test('an expired token (by its exp) is not sent: one login, then session_renewed', async () => {
  const fake = setup('uui-exp');
  const past = Math.floor(Date.now() / 1000) - 7200;
  fake.setStorageSync(tokenKey(), forgedToken({ iss: 'tianmu', aud: host.appId, sub: 'x', iat: past - 7200, exp: past }));
  await assert.rejects(sdk.updateUserInfo({ encryptedData: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }), { code: 'session_renewed', status: 0 });
  assert.deepEqual(fake.requests.map((r) => r.path), ['/api/login']);
  assert.equal(fake.logins.length, 1);
});

test('no token at all (never logged in): one login, then session_renewed', async () => {
  const fake = setup('uui-none');
  await assert.rejects(sdk.updateUserInfo({ encryptedData: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }), { code: 'session_renewed' });
  assert.deepEqual(fake.requests.map((r) => r.path), ['/api/login']);
  assert.ok(sdk.getToken());
});

test('when the renewal login fails too, the rejection carries that failure', async () => {
  const fake = setup('uui-renew-fails');
  fake.setStorageSync(tokenKey(), 'garbage');
  fake.codes.push('fail-40029');
  await assert.rejects(sdk.updateUserInfo({ encryptedData: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }), { code: 'invalid_code', status: 400 });
  assert.deepEqual(fake.requests.map((r) => r.path), ['/api/updateUserInfo', '/api/login']);
});

test('a problem document handed over as a string (non-JSON content type) still yields the server code', async () => {
  const fake = setup('uui-string', { parse: 'json-only' });
  await sdk.login();
  await assert.rejects(sdk.updateUserInfo({ encryptedData: 'AAAA', iv: 'c2hvcnQ=' }), (error) => {
    assert.equal(error.code, 'invalid_request');
    assert.equal(error.status, 400);
    assert.ok(error.detail.length > 0);
    return true;
  });
  assert.equal(fake.requestsTo('/api/updateUserInfo').length, 1);
});

test('no encryptedData (the user refused) rejects with invalid_argument and sends nothing', async () => {
  const fake = setup('uui-refused');
  await sdk.login();
  const before = fake.requests.length;
  await assert.rejects(sdk.updateUserInfo({ errMsg: 'getUserInfo:fail auth deny' }), { code: 'invalid_argument', status: 0 });
  await assert.rejects(sdk.updateUserInfo(), { code: 'invalid_argument' });
  assert.equal(fake.requests.length, before);
});

test('concurrent calls refused with 401 share one renewal login', async () => {
  const fake = setup('uui-concurrent');
  fake.setStorageSync(tokenKey(), 'garbage');
  const payload = { encryptedData: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' };
  const results = await Promise.allSettled([sdk.updateUserInfo(payload), sdk.updateUserInfo(payload), sdk.updateUserInfo(payload)]);
  assert.deepEqual(results.map((r) => r.reason && r.reason.code), ['session_renewed', 'session_renewed', 'session_renewed']);
  assert.equal(fake.logins.length, 1);
  assert.equal(fake.requestsTo('/api/updateUserInfo').length, 3);
});

test('a phone clock hours ahead of the server does not make fresh tokens look expired', async (t) => {
  const realNow = Date.now;
  t.after(() => {
    Date.now = realNow;
  });
  Date.now = () => realNow() + 3 * 3600 * 1000; // tokens live 2 h: by this clock a fresh one has expired
  const fake = setup('uui-clock');
  await sdk.login();
  const sealed = await host.seal('test-uui-clock', { nickName: 'Clock' });
  assert.equal((await sdk.updateUserInfo(sealed)).nick_name, 'Clock');
  assert.equal(fake.logins.length, 1);
});

test('the SDK wrote nothing to the console', () => {
  assert.deepEqual(consoleSpy.calls, []);
});
