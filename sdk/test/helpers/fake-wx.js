'use strict';
// A stand-in for WeChat's `wx` whose `request` goes over real HTTP, so the SDK talks to the real local host.

const http = require('node:http');

const agent = new http.Agent({ keepAlive: false });

/**
 * options.user: the fake WeChat user; wx.login hands out `test-<user>` (switch with `fake.user = ...`).
 * options.launch: what getLaunchOptionsSync answers (default scene 1044, empty query).
 * options.parse: 'always' (default, like WeChat with dataType json: parse whatever the content type) or
 *   'json-only' (parse application/json only, leaving problem+json as a string, as some base libraries do).
 */
function createFakeWx(options = {}) {
  const store = new Map();
  const tapHandlers = [];
  const fake = {
    user: options.user || 'alice',
    /** Codes handed out before falling back to test-<user>, e.g. ['fail-40029']. */
    codes: [],
    launch: options.launch || { scene: 1044, query: {}, path: 'pages/index/index' },
    parse: options.parse || 'always',
    /** Every wx.request: { url, path, method, header, data }. */
    requests: [],
    /** Every code wx.login handed out. */
    logins: [],
    buttons: [],

    requestsTo(path) {
      return this.requests.filter((r) => r.path === path);
    },

    login({ success, fail, complete } = {}) {
      const code = fake.codes.length ? fake.codes.shift() : `test-${fake.user}`;
      setImmediate(() => {
        if (code === null) {
          const err = { errMsg: 'login:fail simulated' };
          if (fail) fail(err);
          if (complete) complete(err);
          return;
        }
        fake.logins.push(code);
        const res = { code, errMsg: 'login:ok' };
        if (success) success(res);
        if (complete) complete(res);
      });
    },

    getLaunchOptionsSync() {
      return JSON.parse(JSON.stringify(fake.launch));
    },

    getStorageSync(key) {
      return store.has(key) ? store.get(key) : '';
    },
    setStorageSync(key, value) {
      store.set(key, value);
    },
    removeStorageSync(key) {
      store.delete(key);
    },
    storage: store,

    request(opts) {
      const url = new URL(opts.url);
      fake.requests.push({ url: opts.url, path: url.pathname, method: opts.method || 'GET', header: Object.assign({}, opts.header), data: opts.data });
      // WeChat sends an ArrayBuffer as its bytes, a string as it is, anything else as JSON.
      const body = opts.data === undefined
        ? undefined
        : opts.data instanceof ArrayBuffer
          ? Buffer.from(opts.data)
          : typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data);
      let done = false;
      const finish = (fn, value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (fn) fn(value);
        if (opts.complete) opts.complete(value);
      };
      const req = http.request(url, {
        method: opts.method || 'GET',
        agent,
        headers: Object.assign({}, opts.header, body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }),
      }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const type = String(response.headers['content-type'] || '');
          let data = text;
          if (opts.dataType !== 'text' && (fake.parse === 'always' || /^application\/json\b/i.test(type))) {
            try {
              data = JSON.parse(text);
            } catch {
              // WeChat leaves unparsable text as a string.
            }
          }
          finish(opts.success, { statusCode: response.statusCode, data, header: Object.assign({}, response.headers), errMsg: 'request:ok' });
        });
        response.on('error', (e) => finish(opts.fail, { errMsg: `request:fail ${e.message}` }));
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish(opts.fail, { errMsg: 'request:fail timeout' });
      }, opts.timeout || 60000);
      req.on('error', (e) => finish(opts.fail, { errMsg: `request:fail ${e.code || e.message}` }));
      if (body !== undefined) req.write(body);
      req.end();
      return {
        abort() {
          req.destroy();
          finish(opts.fail, { errMsg: 'request:fail abort' });
        },
      };
    },

    /** The local files readFile serves: path → Buffer (`fake.files.set('wxfile://tmp/a.png', bytes)`). */
    files: new Map(),
    /** wx.getFileSystemManager() with readFile only: without `encoding` it hands back an ArrayBuffer, as WeChat does. */
    getFileSystemManager() {
      return {
        readFile({ filePath, encoding, success, fail, complete } = {}) {
          setImmediate(() => {
            const bytes = fake.files.get(filePath);
            if (!bytes) {
              const err = { errMsg: `readFile:fail no such file or directory, open ${filePath}` };
              if (fail) fail(err);
              if (complete) complete(err);
              return;
            }
            const data = encoding ? bytes.toString(encoding) : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
            const res = { data, errMsg: 'readFile:ok' };
            if (success) success(res);
            if (complete) complete(res);
          });
        },
      };
    },

    /** App lifecycle: the SDK's listeners, fired by `fake.show()` and `fake.hide()`. */
    showHandlers: [],
    hideHandlers: [],
    onShow(cb) {
      fake.showHandlers.push(cb);
    },
    offShow(cb) {
      fake.showHandlers = fake.showHandlers.filter((h) => h !== cb);
    },
    onHide(cb) {
      fake.hideHandlers.push(cb);
    },
    offHide(cb) {
      fake.hideHandlers = fake.hideHandlers.filter((h) => h !== cb);
    },
    show(res = { scene: 1001, query: {} }) {
      fake.showHandlers.slice().forEach((cb) => cb(res));
    },
    hide() {
      fake.hideHandlers.slice().forEach((cb) => cb());
    },

    /** Every wx.shareAppMessage call's options. */
    shares: [],
    shareAppMessage(shareOptions) {
      fake.shares.push(shareOptions);
    },
    /** The menu's forward handler (wx.onShareAppMessage); `fake.forward(res)` calls it as WeChat would. */
    shareHandler: null,
    onShareAppMessage(cb) {
      fake.shareHandler = cb;
    },
    forward(res = { from: 'menu' }) {
      return fake.shareHandler ? fake.shareHandler(res) : undefined;
    },

    /**
     * Controllable timers for init({ timers }): nothing fires until `fire()` (every active interval once);
     * `active()` counts the intervals running.
     */
    timers: (() => {
      const intervals = new Map();
      let next = 1;
      return {
        setInterval(fn, ms) {
          const id = next++;
          intervals.set(id, { fn, ms });
          return id;
        },
        clearInterval(id) {
          intervals.delete(id);
        },
        active() {
          return intervals.size;
        },
        fire() {
          [...intervals.values()].forEach((t) => t.fn());
        },
        periods() {
          return [...intervals.values()].map((t) => t.ms);
        },
      };
    })(),

    /** The mini-game user-info button; the test taps it with what WeChat would give (`button.tap(res)`). */
    createUserInfoButton(buttonOptions) {
      if (!buttonOptions || typeof buttonOptions !== 'object' || !buttonOptions.type || !buttonOptions.style) {
        throw new TypeError('createUserInfoButton needs an options object with type and style');
      }
      const button = {
        options: buttonOptions,
        onTap(cb) {
          tapHandlers.push(cb);
        },
        offTap(cb) {
          const i = tapHandlers.indexOf(cb);
          if (i >= 0) tapHandlers.splice(i, 1);
        },
        show() {},
        hide() {},
        destroy() {},
        tap(res) {
          tapHandlers.slice().forEach((cb) => cb(res));
        },
      };
      fake.buttons.push(button);
      return button;
    },
  };
  return fake;
}

/** Records every console call; `next()` resolves with the arguments of the next one. */
function spyConsole() {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'];
  const original = {};
  const calls = [];
  let waiters = [];
  methods.forEach((m) => {
    original[m] = console[m];
    console[m] = (...args) => {
      calls.push({ method: m, args });
      const w = waiters;
      waiters = [];
      w.forEach((resolve) => resolve(args));
    };
  });
  return {
    calls,
    next(ms = 15000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no console call came')), ms);
        waiters.push((args) => {
          clearTimeout(timer);
          resolve(args);
        });
      });
    },
    restore() {
      methods.forEach((m) => {
        console[m] = original[m];
      });
    },
  };
}

module.exports = { createFakeWx, spyConsole };
