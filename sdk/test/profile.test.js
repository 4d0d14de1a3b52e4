'use strict';
// updateProfile and uploadAvatar against the real local host with the WeChat simulator (msg_sec_check flags the
// simulator's risky words, `risky` and `违规`; avatars go to the private Azurite's blob service).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startTianmu, REPO_ROOT } = require('./helpers/server');
const { createFakeWx, spyConsole } = require('./helpers/fake-wx');
const sdk = require('..');

const SAMPLE_PNG = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'avatar-sample.png'));

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

test('updateProfile stores the nickname and gender, sends only the given members and updates getProfile', async () => {
  const fake = setup('profile');
  const login = await sdk.login();
  const profile = await sdk.updateProfile({ nickName: '天目玩家 🐱', gender: 2 });
  assert.equal(profile.open_id, login.open_id);
  assert.equal(profile.nick_name, '天目玩家 🐱');
  assert.equal(profile.gender, 2);
  assert.equal(sdk.getProfile(), profile);
  const [request] = fake.requestsTo('/api/profile');
  assert.equal(request.method, 'POST');
  assert.equal(request.header['content-type'], 'application/json');
  assert.equal(request.header.Authorization, `Bearer ${login.jwt}`);
  assert.deepEqual(request.data, { nick_name: '天目玩家 🐱', gender: 2 });

  const genderOnly = await sdk.updateProfile({ gender: 0 });
  assert.equal(genderOnly.gender, 0);
  assert.equal(genderOnly.nick_name, '天目玩家 🐱');
  assert.deepEqual(fake.requestsTo('/api/profile')[1].data, { gender: 0 });
  assert.equal((await sdk.login()).nick_name, '天目玩家 🐱');
});

test('updateProfile rejects a risky nickname with content_rejected and stores nothing', async () => {
  setup('profile-risky');
  await sdk.login();
  await sdk.updateProfile({ nickName: 'first' });
  for (const nickName of ['a risky name', '违规昵称']) {
    await assert.rejects(sdk.updateProfile({ nickName }), (e) => e instanceof sdk.TianmuError && e.code === 'content_rejected' && e.status === 422);
  }
  assert.equal(sdk.getProfile().nick_name, 'first');
  assert.equal((await sdk.login()).nick_name, 'first');
});

test('updateProfile rejects the placeholder nickname with the server code invalid_request', async () => {
  setup('profile-placeholder');
  await sdk.login();
  await assert.rejects(sdk.updateProfile({ nickName: '微信用户' }), (e) => e.code === 'invalid_request' && e.status === 400);
});

test('updateProfile checks its arguments locally with invalid_argument', async () => {
  const fake = setup('profile-args');
  await sdk.login();
  for (const params of [undefined, {}, { nickName: '' }, { nickName: 7 }, { gender: 3 }, { gender: '1' }, { nickName: 'ok', gender: -1 }]) {
    await assert.rejects(sdk.updateProfile(params), { name: 'TianmuError', code: 'invalid_argument' });
  }
  assert.equal(fake.requestsTo('/api/profile').length, 0);
});

test('uploadAvatar posts the PNG bytes as image/png and resolves with the profile holding avatar_url', async () => {
  const fake = setup('avatar');
  const login = await sdk.login();
  fake.files.set('wxfile://tmp/avatar.png', SAMPLE_PNG);
  const profile = await sdk.uploadAvatar('wxfile://tmp/avatar.png');
  assert.equal(profile.open_id, login.open_id);
  assert.match(profile.avatar_url, /^https?:\/\/\S+\/avatars\/\S+$/);
  assert.equal(sdk.getProfile(), profile);
  const [request] = fake.requestsTo('/api/profile/avatar');
  assert.equal(request.method, 'POST');
  assert.equal(request.header['content-type'], 'image/png');
  assert.ok(request.data instanceof ArrayBuffer);
  assert.deepEqual(Buffer.from(request.data), SAMPLE_PNG);

  // Each upload gets a new name; the login sees the stored URL.
  const again = await sdk.uploadAvatar('wxfile://tmp/avatar.png');
  assert.notEqual(again.avatar_url, profile.avatar_url);
  assert.equal((await sdk.login()).avatar_url, again.avatar_url);
});

test('uploadAvatar picks image/jpeg from the JPEG signature', async () => {
  const fake = setup('avatar-jpeg');
  await sdk.login();
  // Only the signature matters to the SDK and the server; the simulator's media check runs later.
  fake.files.set('wxfile://tmp/avatar.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1), Buffer.from([0xff, 0xd9])]));
  const profile = await sdk.uploadAvatar('wxfile://tmp/avatar.jpg');
  assert.match(profile.avatar_url, /^https?:\/\//);
  assert.equal(fake.requestsTo('/api/profile/avatar')[0].header['content-type'], 'image/jpeg');
});

test('uploadAvatar rejects a file that is not a JPEG or PNG, a missing file or no path without calling the server', async () => {
  const fake = setup('avatar-bad');
  await sdk.login();
  fake.files.set('wxfile://tmp/notes.txt', Buffer.from('not an image at all'));
  fake.files.set('wxfile://tmp/avatar.webp', Buffer.from('RIFF\0\0\0\0WEBPVP8 '));
  fake.files.set('wxfile://tmp/huge.png', Buffer.concat([SAMPLE_PNG, Buffer.alloc(1048576)]));
  for (const filePath of ['wxfile://tmp/notes.txt', 'wxfile://tmp/avatar.webp', 'wxfile://tmp/huge.png', 'wxfile://tmp/missing.png', '', undefined]) {
    await assert.rejects(sdk.uploadAvatar(filePath), { name: 'TianmuError', code: 'invalid_argument' });
  }
  assert.equal(fake.requestsTo('/api/profile/avatar').length, 0);
});

test('a refused token logs in again once and posts the profile again', async () => {
  const first = setup('profile-renew');
  await sdk.login();
  // A new run whose stored token the server refuses.
  const fake = createFakeWx({ user: first.user });
  fake.storage.set(`tmsdk:token:${host.appId}`, 'not.a-valid.token');
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: fake });
  const profile = await sdk.updateProfile({ gender: 1 });
  assert.equal(profile.gender, 1);
  assert.equal(fake.logins.length, 1);
  const requests = fake.requestsTo('/api/profile');
  assert.equal(requests.length, 2);
  assert.equal(requests[0].header.Authorization, 'Bearer not.a-valid.token');
  assert.notEqual(requests[1].header.Authorization, requests[0].header.Authorization);
});

test('the calls reject with not_initialized before init', async () => {
  const fresh = require('node:module').createRequire(__filename);
  const modulePath = fresh.resolve('..');
  delete require.cache[modulePath];
  const isolated = fresh('..');
  delete require.cache[modulePath];
  await assert.rejects(isolated.updateProfile({ gender: 1 }), { code: 'not_initialized' });
  await assert.rejects(isolated.uploadAvatar('wxfile://tmp/a.png'), { code: 'not_initialized' });
  assert.equal(consoleSpy.calls.length, 0);
});
