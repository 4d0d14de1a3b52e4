'use strict';
// getWallet against the real local host: a studio's server credits through the server route, the player reads.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startTianmu, httpJson } = require('./helpers/server');
const { createFakeWx, spyConsole } = require('./helpers/fake-wx');
const sdk = require('..');

// The local host's development server key of the demo app (src/Tianmu.LocalHost/appsettings.Development.json).
const SERVER_KEY = 'local-development-server-key-do-not-use-in-production';

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

function credit(openId, delta, key, currency = 'gold') {
  return httpJson('POST', `${host.baseUrl}/api/server/apps/${host.appId}/wallet/transactions`, {
    body: { open_id: openId, currency, delta, reason: 'sdk-test', idempotency_key: key },
    headers: { 'X-Tianmu-Server-Key': SERVER_KEY },
  });
}

test('getWallet reads the balances and the ledger newest first after the studio server credits', async () => {
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: createFakeWx({ user: 'wallet-reader' }) });
  const profile = await sdk.login();
  const empty = await sdk.getWallet();
  assert.deepEqual(empty, { gold: 0, diamond: 0, transactions: [], next: null });

  const first = await credit(profile.open_id, 300, 'sdk-order-0001');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal((await credit(profile.open_id, -120, 'sdk-order-0002')).status, 200);
  assert.equal((await credit(profile.open_id, 7, 'sdk-order-0003', 'diamond')).status, 200);

  const wallet = await sdk.getWallet();
  assert.equal(wallet.gold, 180);
  assert.equal(wallet.diamond, 7);
  assert.deepEqual(wallet.transactions.map((t) => t.transaction_id), ['sdk-order-0003', 'sdk-order-0002', 'sdk-order-0001']);
  assert.equal(wallet.transactions[1].balance, 180);
  assert.equal(wallet.next, null);
  assert.equal((await sdk.login()).gold, 180);
});

test('getWallet pages with the cursor until next is null', async () => {
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId, wx: createFakeWx({ user: 'wallet-pager' }) });
  const profile = await sdk.login();
  for (let i = 1; i <= 55; i++) {
    const answer = await credit(profile.open_id, i, `sdk-page-${String(i).padStart(3, '0')}`);
    assert.equal(answer.status, 200);
  }

  const page1 = await sdk.getWallet();
  assert.equal(page1.transactions.length, 50);
  assert.equal(typeof page1.next, 'string');
  const page2 = await sdk.getWallet({ cursor: page1.next });
  assert.equal(page2.transactions.length, 5);
  assert.equal(page2.next, null);
  assert.equal(page2.transactions[4].transaction_id, 'sdk-page-001');
  await assert.rejects(sdk.getWallet({ cursor: 'not-a-cursor' }), (e) => e.code === 'invalid_request' && e.status === 400);
});

test('the server route refuses a missing key with invalid_server_key', async () => {
  const answer = await httpJson('POST', `${host.baseUrl}/api/server/apps/${host.appId}/wallet/transactions`, {
    body: { open_id: 'someone', currency: 'gold', delta: 1, reason: 'x', idempotency_key: 'sdk-nokey-01' },
  });
  assert.equal(answer.status, 401);
  assert.equal(answer.body.code, 'invalid_server_key');
  assert.equal(answer.headers['www-authenticate'], 'TianmuServerKey');
});
