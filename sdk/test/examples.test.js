'use strict';
// The examples of the client page (test/fixtures/tmsdk-updateUserInfo.zh.md, a copy of
// docs/tmsdk-updateUserInfo.zh.md) run as written, with only the corrections docs/API.md lists:
// `res = > {` is `res => {`; createUserInfoButton takes a real options object; `tm_sdk` is the package export;
// the mini-program button's event is `bindgetuserinfo`, not `bindlogin`.
// The SDK is loaded the way the page assumes: a global `wx` exists, and the SDK installs itself as `wx.tmSDK`.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startTianmu } = require('./helpers/server');
const { createFakeWx, spyConsole } = require('./helpers/fake-wx');

const fake = createFakeWx({ user: 'page-example' });
globalThis.wx = fake;
const sdk = require('..');

const page = fs.readFileSync(path.join(__dirname, 'fixtures', 'tmsdk-updateUserInfo.zh.md'), 'utf8');
const blocks = [...page.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]);
const section = (heading) => {
  const start = page.indexOf(heading);
  assert.ok(start >= 0, `the page has a section ${heading}`);
  const end = page.indexOf('\n### ', start + heading.length);
  return [...page.slice(start, end < 0 ? undefined : end).matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]);
};

/** Applies one correction; fails when the page no longer has the text it corrects. */
function correct(code, wrong, right) {
  assert.ok(code.includes(wrong), `the page still contains ${JSON.stringify(wrong)}`);
  return code.split(wrong).join(right);
}

let host;
let consoleSpy;

before(async () => {
  host = await startTianmu();
  sdk.init({ baseUrl: host.baseUrl, appId: host.appId });
  consoleSpy = spyConsole();
});

after(async () => {
  if (consoleSpy) consoleSpy.restore();
  if (host) await host.stop();
  delete globalThis.wx;
});

test('loading the SDK with a global wx installs wx.tmSDK; the package exports itself as tm_sdk too', () => {
  assert.equal(wx.tmSDK, sdk); // eslint-disable-line no-undef
  assert.equal(sdk.tm_sdk, sdk);
  assert.equal(require('..').tm_sdk, sdk);
  assert.ok(blocks.length >= 4);
});

test('mini-game example: the user-info button callback uploads through tm_sdk and logs the updated profile', async () => {
  fake.user = 'page-minigame';
  await wx.tmSDK.login(); // eslint-disable-line no-undef -- the game logs in at start-up
  const [example] = section('### **示例（小游戏）**');
  let code = correct(example, 'res = > {', 'res => {');
  code = correct(code, 'wx.createUserInfoButton({\n    ...\n})', `wx.createUserInfoButton({
    type: 'text',
    text: '授权登录',
    style: { left: 10, top: 76, width: 200, height: 40, lineHeight: 40, backgroundColor: '#07c160', color: '#ffffff', textAlign: 'center', fontSize: 16, borderRadius: 4 }
})`);
  new Function('tm_sdk', code)(require('..')); // eslint-disable-line no-new-func
  assert.equal(fake.buttons.length, 1);

  // The user taps; WeChat hands the callback what it sealed for this session.
  const sealed = await host.seal('test-page-minigame', { nickName: '小游戏玩家', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/g/132', gender: 1 });
  const logged = consoleSpy.next();
  fake.buttons[0].tap(Object.assign({ errMsg: 'getUserInfo:ok', userInfo: JSON.parse(sealed.rawData) }, sealed));
  const [res] = await logged;
  assert.equal(res.nick_name, '小游戏玩家');
  assert.equal(res.gender, 1);
  assert.equal(fake.requestsTo('/api/updateUserInfo').length, 1);
  assert.equal((await wx.tmSDK.login()).nick_name, '小游戏玩家'); // eslint-disable-line no-undef
});

test('mini-program example: the getUserInfo button\'s handler uploads through wx.tmSDK and logs the updated profile', async () => {
  fake.user = 'page-miniprogram';
  await wx.tmSDK.login(); // eslint-disable-line no-undef
  const [wxml, js] = section('### **示例（小程序）**');
  const correctedWxml = correct(wxml, 'bindlogin=', 'bindgetuserinfo=');
  const button = correctedWxml.match(/<button\b[^>]*>/)[0];
  assert.match(button, /open-type="getUserInfo"/);
  const handler = button.match(/bindgetuserinfo="([^"]+)"/)[1];

  let pageObject = null;
  new Function('Page', `Page({\n${js}\n})`)((o) => { pageObject = o; }); // eslint-disable-line no-new-func
  assert.equal(typeof pageObject[handler], 'function');

  // A refusal: the handler sends nothing.
  const requestsBefore = fake.requests.length;
  pageObject[handler]({ type: 'getuserinfo', detail: { errMsg: 'getUserInfo:fail auth deny' } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(fake.requests.length, requestsBefore);

  // The user accepts: WeChat fires bindgetuserinfo with the sealed data in e.detail.
  const sealed = await host.seal('test-page-miniprogram', { nickName: '小程序用户', city: 'Guangzhou', province: 'Guangdong', country: 'China' });
  const logged = consoleSpy.next();
  pageObject[handler]({
    type: 'getuserinfo',
    detail: Object.assign({ errMsg: 'getUserInfo:ok', userInfo: JSON.parse(sealed.rawData) }, sealed),
  });
  const [res] = await logged;
  assert.equal(res.nick_name, '小程序用户');
  assert.equal(res.city, 'Guangzhou');
  assert.equal((await wx.tmSDK.login()).nick_name, '小程序用户'); // eslint-disable-line no-undef
});

test('the call form of the page runs as written and resolves with a profile of the documented shape', async () => {
  fake.user = 'page-call';
  const loginProfile = await wx.tmSDK.login(); // eslint-disable-line no-undef
  const [call] = section('### **调用方法**');
  const { encryptedData, iv, signature } = await host.seal('test-page-call', { nickName: 'Caller' });
  const result = new Function('encryptedData', 'iv', 'signature', `return ${call.trim()}`)(encryptedData, iv, signature); // eslint-disable-line no-new-func
  assert.ok(result && typeof result.then === 'function');
  await result;
  const profile = sdk.getProfile();
  assert.equal(profile.nick_name, 'Caller');

  // Same members and types as the page's sample answer (its values are not normative).
  const [sample] = section('### **返回值样例**');
  const documented = JSON.parse(sample);
  for (const answer of [loginProfile, profile]) {
    assert.deepEqual(Object.keys(answer).sort(), Object.keys(documented).sort());
    for (const key of Object.keys(documented)) {
      assert.equal(typeof answer[key], typeof documented[key], key);
    }
  }
});

test('nothing but the examples\' own console.log calls reached the console', () => {
  assert.equal(consoleSpy.calls.length, 2);
  assert.ok(consoleSpy.calls.every((c) => c.method === 'log' && c.args.length === 1 && typeof c.args[0].nick_name === 'string'));
});
