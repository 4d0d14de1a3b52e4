/*
 * wx.tmSDK: the client of the Tianmu server for WeChat mini-programs and mini-games.
 *
 * Plain ES2017 CommonJS with no dependencies, so every base library parses it as shipped.
 * Nothing here writes to the console: codes, tokens and the sealed user data must not reach logs.
 */
'use strict';

var TOKEN_KEY_PREFIX = 'tmsdk:token:';
var DEFAULT_TIMEOUT = 10000;
/** A token this close to its `exp` (seconds) is treated as expired; the server allows 30 s of skew. */
var EXPIRY_MARGIN = 30;
/** A token with less than this many seconds left is refreshed (POST /api/token/refresh) before an authenticated call. */
var REFRESH_BEFORE = 600;

/** The server's own limits on attribution fields: a value outside them is dropped, never allowed to block a login. */
var OPEN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
var SCENE_PATTERN = /^[0-9]{1,5}$/;
var FROM_CODE_MAX = 128;
var OFP_MAX = 256;

/**
 * The error every promise of the SDK rejects with.
 * code: the server's stable `code` (`invalid_code`, `session_expired`, `decrypt_failed`, ...) or one of the SDK's
 * own (`network_error`, `session_renewed`, `wx_login_failed`, `invalid_argument`, `not_initialized`,
 * `unexpected_response`); status: the HTTP status, 0 when no HTTP answer was read; detail: the server's `detail`
 * (or WeChat's `errMsg` for a failure before any answer).
 */
class TianmuError extends Error {
  constructor(code, message, fields) {
    super(message || code);
    var f = fields || {};
    this.name = 'TianmuError';
    this.code = code;
    this.status = typeof f.status === 'number' ? f.status : 0;
    this.detail = typeof f.detail === 'string' ? f.detail : '';
    this.title = typeof f.title === 'string' ? f.title : '';
    this.type = typeof f.type === 'string' ? f.type : '';
    this.retryAfter = typeof f.retryAfter === 'number' ? f.retryAfter : undefined;
    if (f.cause !== undefined) {
      this.cause = f.cause;
    }
  }
}

var state = {
  baseUrl: '',
  appId: '',
  timeout: DEFAULT_TIMEOUT,
  wx: null,
  debug: null,
  token: '',
  /** Server time minus local time in seconds, learned from the `iat` of the last token this SDK received. */
  clockOffset: 0,
  profile: null,
  loginInFlight: null,
  /** `{ setInterval, clearInterval }` of the heartbeat (init's `timers`), or null for the globals. */
  timers: null,
  refreshInFlight: null,
};

function globalWx() {
  // `wx` is a free variable in mini-programs and mini-games; under Node tests it is a property of the global object.
  if (typeof wx !== 'undefined' && wx) {
    return wx; // eslint-disable-line no-undef
  }
  var g = typeof globalThis !== 'undefined' ? globalThis : typeof global !== 'undefined' ? global : null;
  return g && g.wx ? g.wx : null;
}

function currentWx() {
  var w = state.wx || globalWx();
  if (!w) {
    throw new TianmuError('not_initialized', 'No wx object: load the SDK inside a mini-program or mini-game, or pass init({ wx }).');
  }
  return w;
}

/** The debug hook sees event names, paths, statuses and codes only: never a code, token or user data. */
function emit(event) {
  if (typeof state.debug === 'function') {
    try {
      state.debug(event);
    } catch (ignored) {
      // A faulty hook must not break the SDK.
    }
  }
}

function tokenKey() {
  return TOKEN_KEY_PREFIX + state.appId;
}

function requireInit() {
  if (!state.baseUrl || !state.appId) {
    throw new TianmuError('not_initialized', 'Call init({ baseUrl, appId }) first.');
  }
}

function isNonEmptyString(value) {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Sets the server and the app. Call it once before login; calling it again with another app or server
 * forgets the in-memory token and profile (the stored token of each app stays in storage).
 */
function init(options) {
  var o = options || {};
  if (!isNonEmptyString(o.baseUrl) || !/^https?:\/\//i.test(o.baseUrl)) {
    throw new TianmuError('invalid_argument', 'init: baseUrl must be an http(s) URL such as https://api.example.com');
  }
  if (!isNonEmptyString(o.appId) || !/^[A-Za-z0-9_-]{1,64}$/.test(o.appId)) {
    throw new TianmuError('invalid_argument', 'init: appId must be the mini-program app id (wx...)');
  }
  if (o.timeout !== undefined && !(typeof o.timeout === 'number' && o.timeout > 0)) {
    throw new TianmuError('invalid_argument', 'init: timeout must be a positive number of milliseconds');
  }
  var baseUrl = o.baseUrl.replace(/\/+$/, '');
  if (baseUrl !== state.baseUrl || o.appId !== state.appId || (o.wx || null) !== state.wx) {
    state.token = '';
    state.clockOffset = 0;
    state.profile = null;
    state.loginInFlight = null;
    state.refreshInFlight = null;
  }
  var timersGiven = o.timers && typeof o.timers === 'object' ? o.timers : null;
  if (timersGiven !== state.timers || (o.wx || null) !== state.wx || o.heartbeat === false) {
    // Stop the beats of the previous setup with the timers that started them.
    stopPlay();
  }
  state.timers = timersGiven;
  play.enabled = o.heartbeat !== false;
  state.baseUrl = baseUrl;
  state.appId = o.appId;
  state.timeout = o.timeout || DEFAULT_TIMEOUT;
  state.wx = o.wx || null;
  state.debug = typeof o.debug === 'function' ? o.debug : null;
  installOn(state.wx || globalWx());
  return sdk;
}

// ---- tokens ------------------------------------------------------------------------------------------------

var BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64url to a binary string (one char per byte); `atob` is missing in some WeChat base libraries. */
function base64UrlToBinary(text) {
  var s = text.replace(/-/g, '+').replace(/_/g, '/');
  var out = '';
  var buffer = 0;
  var bits = 0;
  for (var i = 0; i < s.length; i++) {
    var value = BASE64.indexOf(s.charAt(i));
    if (value < 0) {
      if (s.charAt(i) === '=') {
        break;
      }
      return null;
    }
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}

/**
 * The claims of a JWT, read without verifying (the server verifies). Non-ASCII text in claims comes out as
 * Latin-1 characters, which is harmless: only the numeric `exp` and `iat` are used.
 */
function readClaims(token) {
  if (!isNonEmptyString(token)) {
    return null;
  }
  var parts = token.split('.');
  if (parts.length !== 3) {
    return null;
  }
  var json = base64UrlToBinary(parts[1]);
  if (json === null) {
    return null;
  }
  try {
    var claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : null;
  } catch (ignored) {
    return null;
  }
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

function storage(method, value) {
  var w = currentWx();
  try {
    if (method === 'get') {
      return typeof w.getStorageSync === 'function' ? w.getStorageSync(tokenKey()) : '';
    }
    if (method === 'set' && typeof w.setStorageSync === 'function') {
      w.setStorageSync(tokenKey(), value);
    }
    if (method === 'remove' && typeof w.removeStorageSync === 'function') {
      w.removeStorageSync(tokenKey());
    }
  } catch (ignored) {
    // Storage full or unavailable: the in-memory token still serves this run.
  }
  return '';
}

function rememberToken(token) {
  state.token = token;
  var claims = readClaims(token);
  // The phone's clock may be wrong by hours; measure it against the server's `iat` so expiry checks hold.
  state.clockOffset = claims && typeof claims.iat === 'number' ? claims.iat - nowSeconds() : 0;
  storage('set', token);
}

function forgetToken() {
  state.token = '';
  state.clockOffset = 0;
  storage('remove');
}

/** The token in memory, else the one stored by an earlier run; '' when there is none. */
function getToken() {
  if (!state.appId) {
    return '';
  }
  if (!state.token) {
    var stored = storage('get');
    if (isNonEmptyString(stored)) {
      state.token = stored;
      state.clockOffset = 0;
    }
  }
  return state.token;
}

/** The current token when it has not expired by the (offset-corrected) local clock; '' otherwise. */
function usableToken() {
  var token = getToken();
  if (!token) {
    return '';
  }
  var claims = readClaims(token);
  if (!claims) {
    // Not a JWT we can read: let the server judge it.
    return token;
  }
  if (typeof claims.exp === 'number' && claims.exp - EXPIRY_MARGIN <= nowSeconds() + state.clockOffset) {
    return '';
  }
  return token;
}

/** Seconds left before the token's `exp` by the (offset-corrected) local clock; Infinity when it has no readable `exp`. */
function secondsLeft(token) {
  var claims = readClaims(token);
  if (!claims || typeof claims.exp !== 'number') {
    return Infinity;
  }
  return claims.exp - (nowSeconds() + state.clockOffset);
}

/** The profile of the last successful login, updateUserInfo, updateProfile or uploadAvatar of this run, or null. */
function getProfile() {
  return state.profile;
}

// ---- HTTP ----------------------------------------------------------------------------------------------

function headerValue(headers, name) {
  if (!headers || typeof headers !== 'object') {
    return undefined;
  }
  var wanted = name.toLowerCase();
  var keys = Object.keys(headers);
  for (var i = 0; i < keys.length; i++) {
    if (keys[i].toLowerCase() === wanted) {
      return headers[keys[i]];
    }
  }
  return undefined;
}

/** wx.request hands back an object when it could parse JSON and a string otherwise (e.g. problem+json on some bases). */
function parseBody(data) {
  if (typeof data === 'string') {
    var text = data.charCodeAt(0) === 0xfeff ? data.slice(1) : data;
    if (!text.trim()) {
      return null;
    }
    try {
      return JSON.parse(text);
    } catch (ignored) {
      return null;
    }
  }
  if (data && typeof data === 'object' && !(typeof ArrayBuffer !== 'undefined' && data instanceof ArrayBuffer)) {
    return data;
  }
  return null;
}

function errorFromResponse(status, body, headers) {
  var problem = body && typeof body === 'object' ? body : {};
  var retryAfterHeader = headerValue(headers, 'retry-after');
  var retryAfter = retryAfterHeader !== undefined && /^\s*\d+\s*$/.test(String(retryAfterHeader))
    ? parseInt(String(retryAfterHeader), 10)
    : undefined;
  var code = isNonEmptyString(problem.code) ? problem.code : 'unexpected_response';
  var detail = typeof problem.detail === 'string' ? problem.detail : '';
  var title = typeof problem.title === 'string' ? problem.title : '';
  var message = code + ' (HTTP ' + status + ')' + (detail || title ? ': ' + (detail || title) : '');
  return new TianmuError(code, message, {
    status: status,
    detail: detail,
    title: title,
    type: typeof problem.type === 'string' ? problem.type : '',
    retryAfter: retryAfter,
  });
}

/**
 * POSTs JSON to the server through wx.request and resolves with `{ status, body, headers }` for any HTTP answer;
 * rejects with `network_error` when no answer came (offline, DNS, TLS, domain not registered, timeout).
 */
function post(path, payload, token) {
  return send('POST', path, payload, token);
}

/**
 * Like `post`, for any method; `payload` undefined sends no body. `contentType` (default application/json) is the
 * payload's type: an ArrayBuffer payload goes out as its bytes.
 */
function send(method, path, payload, token, contentType) {
  return new Promise(function (resolve, reject) {
    var w = currentWx();
    if (typeof w.request !== 'function') {
      reject(new TianmuError('not_initialized', 'wx.request is not available.'));
      return;
    }
    var settled = false;
    var timer = null;
    var task = null;
    function settle(fn, value) {
      if (settled) {
        return;
      }
      settled = true;
      if (timer !== null) {
        clearTimeout(timer);
      }
      fn(value);
    }
    var header = payload === undefined ? {} : { 'content-type': contentType || 'application/json' };
    if (token) {
      header.Authorization = 'Bearer ' + token;
    }
    emit({ type: 'request', path: path });
    try {
      var options = {
        url: state.baseUrl + path,
        method: method,
        header: header,
        dataType: 'json',
        responseType: 'text',
        timeout: state.timeout,
        success: function (res) {
          var status = res && typeof res.statusCode === 'number' ? res.statusCode : 0;
          emit({ type: 'response', path: path, status: status });
          settle(resolve, { status: status, body: parseBody(res ? res.data : null), headers: res ? res.header : null });
        },
        fail: function (err) {
          var errMsg = err && typeof err.errMsg === 'string' ? err.errMsg : 'request:fail';
          emit({ type: 'network_error', path: path });
          settle(reject, new TianmuError('network_error', 'The Tianmu server could not be reached: ' + errMsg, { detail: errMsg }));
        },
      };
      if (payload !== undefined) {
        options.data = payload;
      }
      task = w.request(options);
    } catch (e) {
      settle(reject, new TianmuError('network_error', 'wx.request threw: ' + (e && e.message ? e.message : String(e)), { cause: e }));
      return;
    }
    if (settled) {
      return;
    }
    // Older base libraries ignore the `timeout` option: enforce it here too.
    timer = setTimeout(function () {
      timer = null;
      if (task && typeof task.abort === 'function') {
        try {
          task.abort();
        } catch (ignored) {
          // Already finished.
        }
      }
      settle(reject, new TianmuError('network_error', 'The Tianmu server did not answer within ' + state.timeout + ' ms.', { detail: 'request:fail timeout' }));
    }, state.timeout + 1000);
  });
}

// ---- login -------------------------------------------------------------------------------------------

function wxLogin() {
  return new Promise(function (resolve, reject) {
    var w = currentWx();
    if (typeof w.login !== 'function') {
      reject(new TianmuError('not_initialized', 'wx.login is not available.'));
      return;
    }
    w.login({
      success: function (res) {
        if (res && isNonEmptyString(res.code)) {
          resolve(res.code);
        } else {
          reject(new TianmuError('wx_login_failed', 'wx.login gave no code.', { detail: res && typeof res.errMsg === 'string' ? res.errMsg : '' }));
        }
      },
      fail: function (err) {
        var errMsg = err && typeof err.errMsg === 'string' ? err.errMsg : 'login:fail';
        reject(new TianmuError('wx_login_failed', 'wx.login failed: ' + errMsg, { detail: errMsg }));
      },
    });
  });
}

function launchOptions() {
  try {
    var w = currentWx();
    var launch = typeof w.getLaunchOptionsSync === 'function' ? w.getLaunchOptionsSync() : null;
    return launch && typeof launch === 'object' ? launch : {};
  } catch (ignored) {
    return {};
  }
}

function asText(value) {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' && isFinite(value)) {
    return String(value);
  }
  return '';
}

/** The attribution fields of the login body: launch scene and share-link query, overridden by `options`. */
function attribution(options) {
  var launch = launchOptions();
  var query = launch.query && typeof launch.query === 'object' ? launch.query : {};
  var o = options || {};
  function pick(name) {
    return Object.prototype.hasOwnProperty.call(o, name) ? o[name] : query[name];
  }
  var out = {};
  var scene = Object.prototype.hasOwnProperty.call(o, 'scene') ? o.scene : launch.scene;
  if (typeof scene === 'number' && scene >= 0 && scene <= 99999 && Math.floor(scene) === scene) {
    out.scene = scene;
  } else if (typeof scene === 'string' && SCENE_PATTERN.test(scene)) {
    out.scene = scene;
  }
  var fromCode = asText(pick('from_code')) || asText(pick('channelCode'));
  if (fromCode && fromCode.length <= FROM_CODE_MAX) {
    out.from_code = fromCode;
  }
  var inviter = asText(pick('inviter'));
  if (OPEN_ID_PATTERN.test(inviter)) {
    out.inviter = inviter;
  }
  var ofp = asText(pick('ofp'));
  if (ofp && ofp.length <= OFP_MAX) {
    out.ofp = ofp;
  }
  return out;
}

function doLogin(options) {
  return Promise.resolve()
    .then(function () {
      requireInit();
      return wxLogin();
    })
    .then(function (code) {
      var body = attribution(options);
      body.app_id = state.appId;
      body.code = code;
      return post('/api/login', body, '');
    })
    .then(function (res) {
      if (res.status !== 200) {
        throw errorFromResponse(res.status, res.body, res.headers);
      }
      var profile = res.body;
      if (!profile || typeof profile !== 'object' || !isNonEmptyString(profile.jwt)) {
        throw new TianmuError('unexpected_response', 'The login answer holds no token.', { status: res.status });
      }
      rememberToken(profile.jwt);
      state.profile = profile;
      emit({ type: 'login', status: 200 });
      startPlay();
      return profile;
    });
}

/**
 * Logs in: a fresh wx.login code (codes are single-use), the launch scene and the share-link query
 * (`from_code`, `inviter`, `ofp`), posted to /api/login. Resolves with the profile; keeps its token.
 * `options` may set `scene`, `from_code`, `inviter`, `ofp` instead of the launch options.
 */
function login(options) {
  var attempt = doLogin(options);
  var tracked = attempt.then(
    function (profile) {
      if (state.loginInFlight === tracked) {
        state.loginInFlight = null;
      }
      return profile;
    },
    function (error) {
      if (state.loginInFlight === tracked) {
        state.loginInFlight = null;
      }
      throw error;
    }
  );
  state.loginInFlight = tracked;
  return tracked;
}

/** Logs in again for the next attempt, reusing a login already under way. */
function renewLogin() {
  return state.loginInFlight || login();
}

// ---- token refresh --------------------------------------------------------------------------------------

function doRefresh(token) {
  return post('/api/token/refresh', {}, token).then(function (res) {
    if (res.status === 200 && res.body && typeof res.body === 'object' && isNonEmptyString(res.body.jwt)) {
      // A login that finished meanwhile holds a newer token: keep that one.
      if (state.token === token) {
        rememberToken(res.body.jwt);
      }
      emit({ type: 'refresh', status: 200 });
      return state.token;
    }
    emit({ type: 'refresh', status: res.status });
    throw errorFromResponse(res.status, res.body, res.headers);
  });
}

/**
 * Exchanges the current token for a new one of the same login (POST /api/token/refresh) and resolves with it; one
 * refresh at a time. Rejects with `invalid_token` when there is no usable token or the server refused it (the login
 * is older than the server's maximum session age: call login()), or with `network_error`.
 */
function refreshToken() {
  return Promise.resolve().then(function () {
    requireInit();
    if (state.refreshInFlight) {
      return state.refreshInFlight;
    }
    var token = usableToken();
    if (!token) {
      throw new TianmuError('invalid_token', 'There is no valid token to refresh: call login().');
    }
    var tracked = doRefresh(token).then(
      function (fresh) {
        state.refreshInFlight = null;
        return fresh;
      },
      function (error) {
        state.refreshInFlight = null;
        throw error;
      }
    );
    state.refreshInFlight = tracked;
    return tracked;
  });
}

/**
 * The token for an authenticated call: refreshed first when less than REFRESH_BEFORE seconds remain. A refresh
 * that fails keeps the current token while it is valid (a later 401 leads to a new login); '' when there is none.
 */
function tokenForCall() {
  var token = usableToken();
  if (!token || secondsLeft(token) > REFRESH_BEFORE) {
    return Promise.resolve(token);
  }
  return refreshToken().then(
    function (fresh) {
      return fresh;
    },
    function () {
      return usableToken();
    }
  );
}

// ---- updateUserInfo -------------------------------------------------------------------------------------

function sessionRenewed(reason, status) {
  return new TianmuError(
    'session_renewed',
    reason + ' The SDK logged in again; the user info given was sealed for the old session and was not sent again. Ask the user to tap the button again.',
    { status: status, detail: reason }
  );
}

/**
 * Uploads the user info WeChat sealed for this session ({ encryptedData, iv, signature, rawData? }) and resolves
 * with the updated profile. It never calls wx.login before posting (that may rotate the key and spoil the data).
 * 409 session_expired / 422 decrypt_failed: rejects with that code; the game must call login() and ask the user
 * again. 401 (or no usable token): logs in again once, then rejects with session_renewed without re-posting.
 */
function updateUserInfo(params) {
  return Promise.resolve().then(function () {
    requireInit();
    var p = params || {};
    if (!isNonEmptyString(p.encryptedData) || !isNonEmptyString(p.iv)) {
      throw new TianmuError('invalid_argument', 'updateUserInfo needs encryptedData and iv from the user-info button (did the user refuse?).');
    }
    var body = { encryptedData: p.encryptedData, iv: p.iv };
    if (isNonEmptyString(p.signature)) {
      body.signature = p.signature;
    }
    if (isNonEmptyString(p.rawData)) {
      body.rawData = p.rawData;
    }
    return tokenForCall().then(function (token) {
      return postUserInfo(body, token);
    });
  });
}

function postUserInfo(body, token) {
  if (!token) {
    return renewLogin().then(function () {
      throw sessionRenewed('There was no valid token.', 0);
    });
  }
  return post('/api/updateUserInfo', body, token).then(function (res) {
    if (res.status === 200 && res.body && typeof res.body === 'object') {
      var profile = res.body;
      state.profile = profile;
      return profile;
    }
    var error = errorFromResponse(res.status, res.body, res.headers);
    if (res.status === 401) {
      var renewal;
      if (state.token === token) {
        forgetToken();
        renewal = renewLogin();
      } else {
        // Another call already renewed (or is renewing) this token: one login serves both.
        renewal = state.loginInFlight || Promise.resolve();
      }
      return renewal.then(function () {
        throw sessionRenewed('The server refused the token (' + error.code + ').', 401);
      });
    }
    throw error;
  });
}

// ---- mini-program profile -------------------------------------------------------------------------------

/** The largest avatar image the server takes (docs/API.md, "POST /api/profile/avatar"). */
var AVATAR_MAX_BYTES = 1048576;

/**
 * POSTs `payload` with a token and resolves with the profile it answers, keeping it as the SDK's profile. Without a
 * usable token it logs in first; a refused token (401) logs in again once and posts again (nothing here is sealed
 * for one session). Other failures reject with the server's code.
 */
function postForProfile(path, payload, contentType) {
  function attempt(renewed) {
    return tokenForCall().then(function (token) {
      if (!token) {
        if (renewed) {
          throw new TianmuError('invalid_token', 'No valid token after logging in again.');
        }
        return renewLogin().then(function () {
          return attempt(true);
        });
      }
      return send('POST', path, payload, token, contentType).then(function (res) {
        if (res.status === 200 && res.body && typeof res.body === 'object') {
          state.profile = res.body;
          return res.body;
        }
        if (res.status === 401 && !renewed) {
          if (state.token === token) {
            forgetToken();
          }
          return renewLogin().then(function () {
            return attempt(true);
          });
        }
        throw errorFromResponse(res.status, res.body, res.headers);
      });
    });
  }
  return attempt(false);
}

/**
 * Stores what the user chose in the nickname input (`type="nickname"`) and for gender (POST /api/profile); resolves
 * with the profile. Only the members given are sent: `nickName` a non-empty string, `gender` 0, 1 or 2 (else
 * rejects with invalid_argument). The server checks the nickname with WeChat: 422 content_rejected (nothing
 * stored), 400 invalid_request (e.g. `微信用户` or over 32 characters), 409 session_expired (log in again).
 */
function updateProfile(params) {
  return Promise.resolve().then(function () {
    requireInit();
    var p = params && typeof params === 'object' ? params : {};
    var body = {};
    if (p.nickName !== undefined) {
      if (!isNonEmptyString(p.nickName)) {
        throw new TianmuError('invalid_argument', 'updateProfile: nickName must be a non-empty string.');
      }
      body.nick_name = p.nickName;
    }
    if (p.gender !== undefined) {
      if (p.gender !== 0 && p.gender !== 1 && p.gender !== 2) {
        throw new TianmuError('invalid_argument', 'updateProfile: gender must be 0 (unknown), 1 (male) or 2 (female).');
      }
      body.gender = p.gender;
    }
    if (body.nick_name === undefined && body.gender === undefined) {
      throw new TianmuError('invalid_argument', 'updateProfile needs nickName or gender.');
    }
    return postForProfile('/api/profile', body);
  });
}

/** The image type of `bytes` by its signature: image/jpeg, image/png, or '' for anything else. */
function imageType(bytes) {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  var png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < png.length) {
    return '';
  }
  for (var i = 0; i < png.length; i++) {
    if (bytes[i] !== png[i]) {
      return '';
    }
  }
  return 'image/png';
}

/** The bytes of a local file (wx.getFileSystemManager().readFile) as an ArrayBuffer. */
function readLocalFile(filePath) {
  return new Promise(function (resolve, reject) {
    var w = currentWx();
    var fs = typeof w.getFileSystemManager === 'function' ? w.getFileSystemManager() : null;
    if (!fs || typeof fs.readFile !== 'function') {
      reject(new TianmuError('not_initialized', 'wx.getFileSystemManager().readFile is not available.'));
      return;
    }
    fs.readFile({
      filePath: filePath,
      success: function (res) {
        var data = res ? res.data : null;
        if (typeof ArrayBuffer !== 'undefined' && data instanceof ArrayBuffer) {
          resolve(data);
        } else {
          reject(new TianmuError('invalid_argument', 'uploadAvatar: the file was not read as bytes.'));
        }
      },
      fail: function (err) {
        var errMsg = err && typeof err.errMsg === 'string' ? err.errMsg : 'readFile:fail';
        reject(new TianmuError('invalid_argument', 'uploadAvatar: the file could not be read: ' + errMsg, { detail: errMsg }));
      },
    });
  });
}

/**
 * Uploads the avatar the user chose (`tempFilePath` of the `chooseAvatar` button) to POST /api/profile/avatar as
 * raw bytes and resolves with the profile (its new `avatar_url`). A file that is not a JPEG or PNG, or over 1 MiB,
 * rejects with invalid_argument without calling the server. WeChat checks the image afterwards: a risky verdict
 * clears `avatar_url` on the server later.
 */
function uploadAvatar(tempFilePath) {
  return Promise.resolve()
    .then(function () {
      requireInit();
      if (!isNonEmptyString(tempFilePath)) {
        throw new TianmuError('invalid_argument', 'uploadAvatar needs the tempFilePath of the chosen avatar.');
      }
      return readLocalFile(tempFilePath);
    })
    .then(function (data) {
      var type = imageType(new Uint8Array(data, 0, Math.min(data.byteLength, 8)));
      if (!type) {
        throw new TianmuError('invalid_argument', 'uploadAvatar: the file is not a JPEG or PNG image.');
      }
      if (data.byteLength > AVATAR_MAX_BYTES) {
        throw new TianmuError('invalid_argument', 'uploadAvatar: the image is larger than 1 MiB.');
      }
      return postForProfile('/api/profile/avatar', data, type);
    });
}

// ---- wallet -------------------------------------------------------------------------------------------

/**
 * Reads the player's wallet (GET /api/wallet): resolves with `{ gold, diamond, transactions, next }`, up to 50
 * transactions newest first; pass `{ cursor: previous.next }` for the next page (`next` is null on the last page).
 * Only a studio's game server changes balances. A refused token logs in again once and reads again; other failures
 * reject with the server's code (400 invalid_request for a cursor that no page gave).
 */
function getWallet(options) {
  return Promise.resolve().then(function () {
    requireInit();
    var cursor = options && options.cursor;
    if (cursor !== undefined && cursor !== null && !isNonEmptyString(cursor)) {
      throw new TianmuError('invalid_argument', 'getWallet: cursor must be the next value of an earlier page.');
    }
    var path = '/api/wallet' + (cursor ? '?cursor=' + encodeURIComponent(cursor) : '');
    function read(renewed) {
      return tokenForCall().then(function (token) {
        return readWith(token, renewed);
      });
    }
    function readWith(token, renewed) {
      if (!token) {
        if (renewed) {
          throw new TianmuError('invalid_token', 'No valid token after logging in again.');
        }
        return renewLogin().then(function () {
          return read(true);
        });
      }
      return send('GET', path, undefined, token).then(function (res) {
        if (res.status === 200 && res.body && typeof res.body === 'object') {
          return res.body;
        }
        if (res.status === 401 && !renewed) {
          if (state.token === token) {
            forgetToken();
          }
          return renewLogin().then(function () {
            return read(true);
          });
        }
        throw errorFromResponse(res.status, res.body, res.headers);
      });
    }
    return read(false);
  });
}

// ---- play time: heartbeats -------------------------------------------------------------------------------

/** One beat a minute while the game is shown (docs/API.md, "POST /api/play/heartbeat"). */
var HEARTBEAT_INTERVAL = 60000;
var SHARE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
var SHARE_SCENE_MAX = 64;

var play = {
  /** The wx whose onShow/onHide this SDK listens to (hooked once per wx object). */
  hookedWx: null,
  shown: false,
  timer: null,
  enabled: true,
};

function timers() {
  var t = state.timers;
  return {
    set: t && typeof t.setInterval === 'function' ? t.setInterval : setInterval,
    clear: t && typeof t.clearInterval === 'function' ? t.clearInterval : clearInterval,
  };
}

function startTimer() {
  if (play.timer === null) {
    play.timer = timers().set(function () {
      if (play.shown) {
        beatQuietly(false);
      }
    }, HEARTBEAT_INTERVAL);
    // Under Node (tests, tools) a pending beat must not keep the process alive; WeChat's timers are plain numbers.
    if (play.timer && typeof play.timer.unref === 'function') {
      play.timer.unref();
    }
  }
}

function stopTimer() {
  if (play.timer !== null) {
    timers().clear(play.timer);
    play.timer = null;
  }
}

/** A beat the game did not ask for: its failure is only a debug event (the next beat credits the time anyway). */
function beatQuietly(final) {
  heartbeat({ final: final }).then(null, function (error) {
    emit({ type: 'heartbeat_failed', code: error && error.code ? error.code : 'unexpected_response' });
  });
}

function onShow() {
  if (!play.enabled) {
    return;
  }
  if (!play.shown) {
    play.shown = true;
    // Back from the background the server's session has ended: this beat starts the next one.
    if (usableToken()) {
      beatQuietly(false);
    }
  }
  startTimer();
}

function onHide() {
  if (!play.enabled || !play.shown) {
    return;
  }
  play.shown = false;
  stopTimer();
  if (usableToken()) {
    beatQuietly(true);
  }
}

/** After a login (which starts a play session on the server): listen to onShow/onHide once and beat while shown. */
function startPlay() {
  if (!play.enabled) {
    return;
  }
  var w = currentWx();
  if (play.hookedWx !== w) {
    play.hookedWx = w;
    if (typeof w.onShow === 'function') {
      w.onShow(onShow);
    }
    if (typeof w.onHide === 'function') {
      w.onHide(onHide);
    }
  }
  play.shown = true;
  startTimer();
}

/** Stops the heartbeats of this run (the listeners stay, doing nothing) until the next login. */
function stopPlay() {
  play.shown = false;
  stopTimer();
}

/**
 * Sends one heartbeat now (`{ final: true }` ends the play session) and resolves with
 * `{ online_duration, online_days, credited_seconds }`. The SDK beats by itself every 60 s while the game is shown
 * and once, final, when it is hidden; this is for games that want the figures.
 */
function heartbeat(options) {
  return Promise.resolve().then(function () {
    requireInit();
    var final = !!(options && options.final === true);
    return tokenForCall().then(function (token) {
      if (!token) {
        throw new TianmuError('invalid_token', 'Log in before sending heartbeats.');
      }
      return post('/api/play/heartbeat', final ? { final: true } : {}, token).then(function (res) {
        if (res.status === 200 && res.body && typeof res.body === 'object') {
          if (state.profile) {
            state.profile.online_duration = res.body.online_duration;
            state.profile.online_days = res.body.online_days;
          }
          return res.body;
        }
        throw errorFromResponse(res.status, res.body, res.headers);
      });
    });
  });
}

// ---- shares ---------------------------------------------------------------------------------------------

/** A fresh share id: 24 characters of [A-Za-z0-9] (the server takes 8-64 of [A-Za-z0-9_-]). */
function newShareId() {
  var id = Date.now().toString(36);
  while (id.length < 24) {
    id += SHARE_ID_ALPHABET.charAt(Math.floor(Math.random() * SHARE_ID_ALPHABET.length));
  }
  return id;
}

/** `query` of a share with `inviter` set to the user's open id (any inviter the game put there is replaced). */
function withInviter(query) {
  var parts = typeof query === 'string' && query.length ? query.split('&') : [];
  var kept = parts.filter(function (part) {
    return part.length > 0 && part.split('=')[0] !== 'inviter';
  });
  var openId = state.profile && isNonEmptyString(state.profile.open_id) ? state.profile.open_id : '';
  if (openId) {
    kept.push('inviter=' + encodeURIComponent(openId));
  }
  return kept.join('&');
}

/** Reports a share to POST /api/play/share; resolves with `{ share_times, counted }`. */
function reportShare(shareId, scene) {
  return Promise.resolve().then(function () {
    requireInit();
    var body = { share_id: shareId };
    if (typeof scene === 'string' && scene.length > 0 && scene.length <= SHARE_SCENE_MAX) {
      body.scene = scene;
    }
    return tokenForCall().then(function (token) {
      if (!token) {
        throw new TianmuError('invalid_token', 'Log in before reporting shares.');
      }
      return post('/api/play/share', body, token).then(function (res) {
        if (res.status === 200 && res.body && typeof res.body === 'object') {
          if (state.profile) {
            state.profile.share_times = res.body.share_times;
          }
          return res.body;
        }
        throw errorFromResponse(res.status, res.body, res.headers);
      });
    });
  });
}

/** The options passed to WeChat: the game's own, `inviter` in the query, without the SDK's `shareScene`. */
function shareOptions(options) {
  var o = {};
  var given = options && typeof options === 'object' ? options : {};
  Object.keys(given).forEach(function (key) {
    if (key !== 'shareScene') {
      o[key] = given[key];
    }
  });
  o.query = withInviter(given.query);
  return o;
}

/**
 * wx.shareAppMessage with a fresh share id: the share's query carries `inviter` (the user's open id) so that a new
 * user who opens it credits this one, and the share is reported to the server. `options` are WeChat's (title,
 * imageUrl, query, ...) plus `shareScene` (optional, up to 64 characters: where in the game the share started).
 * Resolves with `{ share_id, share_times, counted }` once reported.
 */
function shareAppMessage(options) {
  return Promise.resolve().then(function () {
    requireInit();
    var w = currentWx();
    if (typeof w.shareAppMessage !== 'function') {
      throw new TianmuError('not_initialized', 'wx.shareAppMessage is not available.');
    }
    var shareId = newShareId();
    w.shareAppMessage(shareOptions(options));
    return reportShare(shareId, options && options.shareScene).then(function (answer) {
      return { share_id: shareId, share_times: answer.share_times, counted: answer.counted };
    });
  });
}

/**
 * wx.onShareAppMessage (the menu's "forward") with a fresh share id for every share: `handler(res)` returns WeChat's
 * options as usual (plus `shareScene`); the SDK adds `inviter` to their query and reports the share. A failed
 * report only emits a debug event: WeChat needs the options synchronously.
 */
function onShareAppMessage(handler) {
  requireInit();
  var w = currentWx();
  if (typeof w.onShareAppMessage !== 'function') {
    throw new TianmuError('not_initialized', 'wx.onShareAppMessage is not available.');
  }
  w.onShareAppMessage(function (res) {
    var given = typeof handler === 'function' ? handler(res) : {};
    var shareId = newShareId();
    reportShare(shareId, given && given.shareScene).then(null, function (error) {
      emit({ type: 'share_report_failed', code: error && error.code ? error.code : 'unexpected_response' });
    });
    return shareOptions(given);
  });
}

// ---- accounts -------------------------------------------------------------------------------------------

/** The server's default `Tianmu__Account__RecentLogin`, in seconds. */
var RECENT_LOGIN_SECONDS = 600;
/** Log in again this long before the window closes, so that the DELETE still lands inside it. */
var RECENT_LOGIN_MARGIN = 60;

/** A usable token, logging in first when there is none. */
function tokenOrLogin() {
  var token = usableToken();
  return token ? Promise.resolve(token) : renewLogin().then(function () {
    return getToken();
  });
}

/**
 * Everything the server stores about the user (GET /api/account/export): `{ profile, created_at,
 * wallet_transactions, shares, exported_at }`, never the session key. On 401 it logs in again once and retries.
 */
function exportAccount() {
  return Promise.resolve().then(function () {
    requireInit();
    function attempt(token, retried) {
      return send('GET', '/api/account/export', undefined, token).then(function (res) {
        if (res.status === 200 && res.body && typeof res.body === 'object') {
          return res.body;
        }
        if (res.status === 401 && !retried) {
          if (state.token === token) {
            forgetToken();
          }
          return renewLogin().then(function () {
            return attempt(getToken(), true);
          });
        }
        throw errorFromResponse(res.status, res.body, res.headers);
      });
    }
    return tokenOrLogin().then(function (token) {
      return attempt(token, false);
    });
  });
}

/** True when the token's login (`auth_time`, else `iat`) is recent enough for the server to accept a deletion. */
function isRecentLogin(token, windowSeconds) {
  var claims = readClaims(token);
  if (!claims) {
    return false;
  }
  var authTime = typeof claims.auth_time === 'number' ? claims.auth_time : claims.iat;
  return typeof authTime === 'number' && nowSeconds() + state.clockOffset - authTime < windowSeconds - RECENT_LOGIN_MARGIN;
}

/**
 * Deletes the user's account and everything stored about it (DELETE /api/account); resolves with nothing once the
 * server answered 204, and forgets the token. The server requires a recent login: when the token's login is not recent
 * (by `options.recentLoginSeconds`, default 600, the server's default) it logs in first, and it logs in again once
 * after a 403 recent_login_required. Rejects with the server's code otherwise (401 invalid_token: already deleted).
 */
function deleteAccount(options) {
  return Promise.resolve().then(function () {
    requireInit();
    var o = options || {};
    var windowSeconds = typeof o.recentLoginSeconds === 'number' && o.recentLoginSeconds > 0 ? o.recentLoginSeconds : RECENT_LOGIN_SECONDS;
    function attempt(token, retried) {
      return send('DELETE', '/api/account', undefined, token).then(function (res) {
        if (res.status === 204) {
          forgetToken();
          state.profile = null;
          return undefined;
        }
        if (res.status === 403 && !retried && res.body && res.body.code === 'recent_login_required') {
          return login().then(function (profile) {
            return attempt(profile.jwt, true);
          });
        }
        throw errorFromResponse(res.status, res.body, res.headers);
      });
    }
    var token = usableToken();
    if (token && isRecentLogin(token, windowSeconds)) {
      return attempt(token, false);
    }
    return login().then(function (profile) {
      return attempt(profile.jwt, false);
    });
  });
}

// ---- export -------------------------------------------------------------------------------------------

var sdk = {
  init: init,
  login: login,
  updateUserInfo: updateUserInfo,
  updateProfile: updateProfile,
  uploadAvatar: uploadAvatar,
  getWallet: getWallet,
  refreshToken: refreshToken,
  exportAccount: exportAccount,
  deleteAccount: deleteAccount,
  getToken: getToken,
  getProfile: getProfile,
  heartbeat: heartbeat,
  stopPlay: stopPlay,
  shareAppMessage: shareAppMessage,
  onShareAppMessage: onShareAppMessage,
  TianmuError: TianmuError,
};
/** The mini-game example of the client page calls the SDK `tm_sdk`. */
sdk.tm_sdk = sdk;

function installOn(w) {
  if (w && (typeof w === 'object' || typeof w === 'function') && w.tmSDK !== sdk) {
    try {
      w.tmSDK = sdk;
    } catch (ignored) {
      // A frozen wx: the game uses the module's export instead.
    }
  }
}

installOn(globalWx());

module.exports = sdk;
