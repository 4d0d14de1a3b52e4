'use strict';
// Heartbeats and shares against the real local host, with the fake wx's lifecycle and controllable timers.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startTianmu } = require('./helpers/server');
const { createFakeWx } = require('./helpers/fake-wx');
const sdk = require('..');

let host;

before(async () => {
  host = await startTianmu();
});

after(async () => {
  if (host) await host.stop();
});

async function setup(user) {
  const fake = createFakeWx({ user });
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: fake, timers: fake.timers });
  await sdk.login();
  return fake;
}

/** Waits until `count` requests to `path` were answered (the SDK's own beats are fire-and-forget). */
async function answered(fake, path, count) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (fake.requestsTo(path).length >= count) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return fake.requestsTo(path);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${count} requests to ${path}, saw ${fake.requestsTo(path).length}`);
}

test('after login the SDK beats every 60 s while shown: one timer, one POST {} per tick with the token', async () => {
  const fake = await setup('play-beats');
  assert.equal(fake.timers.active(), 1);
  assert.deepEqual(fake.timers.periods(), [60000]);

  fake.timers.fire();
  fake.timers.fire();
  const beats = await answered(fake, '/api/play/heartbeat', 2);

  assert.equal(beats.length, 2);
  beats.forEach((beat) => {
    assert.deepEqual(beat.data, {});
    assert.equal(beat.header.Authorization, `Bearer ${sdk.getToken()}`);
  });
});

test('repeated onShow starts no second timer; onHide stops the timer and sends one final beat; no beat while hidden', async () => {
  const fake = await setup('play-lifecycle');
  fake.show();
  fake.show();
  assert.equal(fake.timers.active(), 1);
  assert.equal(fake.requestsTo('/api/play/heartbeat').length, 0, 'a show while already shown sends nothing');

  fake.hide();
  assert.equal(fake.timers.active(), 0);
  const [final] = await answered(fake, '/api/play/heartbeat', 1);
  assert.deepEqual(final.data, { final: true });

  fake.timers.fire();
  fake.hide();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(fake.requestsTo('/api/play/heartbeat').length, 1, 'nothing is sent while hidden');

  fake.show();
  fake.show();
  assert.equal(fake.timers.active(), 1);
  const beats = await answered(fake, '/api/play/heartbeat', 2);
  assert.deepEqual(beats[1].data, {}, 'coming back starts the next session with one beat');
});

test('heartbeat() answers the server figures and the server answers 200 to every SDK beat', async () => {
  await setup('play-figures');
  const answer = await sdk.heartbeat();
  assert.deepEqual(Object.keys(answer).sort(), ['credited_seconds', 'online_days', 'online_duration']);
  assert.equal(answer.online_days, 1);
  assert.equal(answer.credited_seconds, 0, 'a beat inside the minimum interval credits nothing');
  const final = await sdk.heartbeat({ final: true });
  assert.equal(final.online_days, 1);
});

test('shareAppMessage makes a fresh share_id, reports it once, and puts inviter (the open id) in the query', async () => {
  const fake = await setup('play-sharer');
  const openId = sdk.getProfile().open_id;

  const first = await sdk.shareAppMessage({ title: 'Come play', query: 'level=3&inviter=someone-else', shareScene: 'level-end' });
  const second = await sdk.shareAppMessage({ title: 'Again' });

  assert.equal(fake.shares.length, 2);
  assert.equal(fake.shares[0].title, 'Come play');
  assert.equal(fake.shares[0].query, `level=3&inviter=${openId}`);
  assert.equal(fake.shares[0].shareScene, undefined, 'the SDK option does not reach WeChat');
  assert.equal(fake.shares[1].query, `inviter=${openId}`);
  assert.match(first.share_id, /^[A-Za-z0-9_-]{8,64}$/);
  assert.notEqual(first.share_id, second.share_id);
  assert.deepEqual([first.share_times, first.counted], [1, true]);
  assert.deepEqual([second.share_times, second.counted], [2, true]);
  const reports = fake.requestsTo('/api/play/share');
  assert.deepEqual(reports[0].data, { share_id: first.share_id, scene: 'level-end' });
  assert.deepEqual(reports[1].data, { share_id: second.share_id });
});

test('onShareAppMessage adds inviter to what the game returns and reports every forward with its own share_id', async () => {
  const fake = await setup('play-forwarder');
  const openId = sdk.getProfile().open_id;
  sdk.onShareAppMessage(() => ({ title: 'Forwarded', query: 'from=menu' }));

  const options = fake.forward({ from: 'menu' });
  fake.forward({ from: 'menu' });
  const reports = await answered(fake, '/api/play/share', 2);

  assert.equal(options.title, 'Forwarded');
  assert.equal(options.query, `from=menu&inviter=${openId}`);
  assert.notEqual(reports[0].data.share_id, reports[1].data.share_id);
  const profile = await sdk.login();
  assert.equal(profile.share_times, 2);
});

test('a share link opened by a new user credits the sharer through the inviter in its query', async () => {
  const sharerWx = await setup('play-link-sharer');
  await sdk.shareAppMessage({ title: 'Join me' });
  const query = Object.fromEntries(new URLSearchParams(sharerWx.shares[0].query));

  const friend = createFakeWx({ user: 'play-link-friend', launch: { scene: 1007, query } });
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: friend, timers: friend.timers });
  await sdk.login();

  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: sharerWx, timers: sharerWx.timers });
  const sharer = await sdk.login();
  assert.equal(sharer.share_new, 1);
});

test('login sends channelCode from the launch query as from_code', async () => {
  const fake = createFakeWx({ user: 'play-channel', launch: { scene: 1047, query: { channelCode: 'poster-9' } } });
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: fake, timers: fake.timers });
  const profile = await sdk.login();
  assert.equal(fake.requestsTo('/api/login')[0].data.from_code, 'poster-9');
  assert.equal(profile.from_code, 'poster-9');
});
