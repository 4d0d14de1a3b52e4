// Type declarations of wx.tmSDK, the Tianmu client for WeChat mini-programs and mini-games.

export interface InitOptions {
  /** The Tianmu deployment, e.g. `https://api.example.com` (a domain registered with WeChat). */
  baseUrl: string;
  /** The mini-program or mini-game app id (`wx...`), as configured on the server. */
  appId: string;
  /** Milliseconds one request may take; default 10000. */
  timeout?: number;
  /** The WeChat API object to use; default the global `wx`. */
  wx?: WxLike;
  /** Off by default. Sees event types, paths, statuses and codes only; never a login code, token or user data. */
  debug?: (event: { type: string; path?: string; status?: number; code?: string }) => void;
  /** Default true: after login, beat POST /api/play/heartbeat every 60 s while shown and once (final) on hide. */
  heartbeat?: boolean;
  /** The heartbeat's timers; default the global `setInterval`/`clearInterval` (tests pass controllable ones). */
  timers?: { setInterval(fn: () => void, ms: number): unknown; clearInterval(id: unknown): void };
}

/** The answer of POST /api/play/heartbeat. */
export interface HeartbeatAnswer {
  /** Credited play time in seconds. */
  online_duration: number;
  /** Distinct UTC+8 days the user was active. */
  online_days: number;
  /** Seconds this beat credited (0 inside the minimum interval, after a long gap or at a session's start). */
  credited_seconds: number;
}

/** WeChat's share options (title, imageUrl, query, ...) plus where in the game the share started. */
export interface ShareOptions {
  title?: string;
  imageUrl?: string;
  /** `key=value&...`; the SDK sets `inviter` to the user's open id (replacing any the game put there). */
  query?: string;
  /** Reported as the share's `scene` (up to 64 characters); not passed to WeChat. */
  shareScene?: string;
  [key: string]: unknown;
}

/** A reported share: its fresh id and the server's answer. */
export interface ShareAnswer {
  share_id: string;
  share_times: number;
  /** False once the user's shares of the UTC+8 day reached the server's cap. */
  counted: boolean;
}

export interface LoginOptions {
  /** Default: `wx.getLaunchOptionsSync().scene`. */
  scene?: number | string;
  /** Default: `query.from_code` (else `query.channelCode`) of the launch options. */
  from_code?: string;
  /** The open id of the sharer; default: `query.inviter` of the launch options. */
  inviter?: string;
  /** Default: `query.ofp` of the launch options. */
  ofp?: string;
}

export interface UserInfoPayload {
  encryptedData: string;
  iv: string;
  signature?: string;
  /** The raw JSON string WeChat gave beside them; when sent, the server checks `signature` against it. */
  rawData?: string;
}

export interface Profile {
  pid: string;
  app_id: string;
  open_id: string;
  union_id: string;
  nick_name: string;
  avatar_url: string;
  /** WeChat's value: 0 unknown, 1 male, 2 female. */
  gender: number;
  city: string;
  province: string;
  country: string;
  language: string;
  /** The wallet's gold balance (only a studio's game server changes it). */
  gold: number;
  /** The wallet's diamond balance. */
  diamond: number;
  share_new: number;
  share_times: number;
  online_days: number;
  online_duration: number;
  last_login_time: number;
  login_times: number;
  from_scene: string;
  from_code: string;
  is_new: boolean;
  ofp: string;
  /** The token in a login answer; `""` in an updateUserInfo answer. */
  jwt: string;
  login_province: string;
  login_city: string;
  login_district: string;
}

/** Codes the server sends (see docs/API.md) and codes of the SDK itself. */
export type TianmuErrorCode =
  | 'invalid_request'
  | 'invalid_code'
  | 'invalid_token'
  | 'login_blocked'
  | 'unknown_app'
  | 'method_not_allowed'
  | 'session_expired'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'decrypt_failed'
  | 'rate_limited'
  | 'upstream_error'
  | 'invalid_signature'
  | 'recent_login_required'
  | 'upstream_unavailable'
  | 'invalid_server_key'
  | 'unknown_user'
  | 'idempotency_conflict'
  | 'insufficient_funds'
  | 'balance_limit'
  | 'content_rejected'
  | 'network_error'
  | 'session_renewed'
  | 'wx_login_failed'
  | 'invalid_argument'
  | 'not_initialized'
  | 'unexpected_response'
  | (string & {});

export class TianmuError extends Error {
  constructor(code: string, message?: string, fields?: { status?: number; detail?: string; title?: string; type?: string; retryAfter?: number; cause?: unknown });
  readonly name: 'TianmuError';
  /** The server's stable code, or the SDK's own. */
  readonly code: TianmuErrorCode;
  /** The HTTP status; 0 when no HTTP answer was read. */
  readonly status: number;
  /** The server's `detail`, or WeChat's `errMsg` when the request failed before any answer. */
  readonly detail: string;
  readonly title: string;
  readonly type: string;
  /** Seconds from `Retry-After` (429 rate_limited, 503 upstream_unavailable). */
  readonly retryAfter?: number;
  readonly cause?: unknown;
}

/** Sets the server and app; returns the SDK. Throws TianmuError `invalid_argument` on a bad option. */
export function init(options: InitOptions): TmSDK;
/** wx.login, then POST /api/login with the launch attribution; resolves with the profile and keeps its token. */
export function login(options?: LoginOptions): Promise<Profile>;
/**
 * POST /api/updateUserInfo with the token. Rejects with `session_expired` (409) or `decrypt_failed` (422): call
 * login() and ask the user again; with `session_renewed` after a refused or missing token: the SDK logged in again,
 * ask the user to tap again (the data given was not re-sent).
 */
export function updateUserInfo(payload: UserInfoPayload): Promise<Profile>;
/** What the user chose in the mini-program's nickname input and for gender; give at least one. */
export interface ProfileUpdate {
  /** A non-empty string (the server takes 1–32 characters and refuses WeChat's placeholder `微信用户`). */
  nickName?: string;
  /** 0 unknown, 1 male, 2 female. */
  gender?: 0 | 1 | 2;
}
/**
 * POST /api/profile with only the members given; resolves with the profile and keeps it. Rejects with
 * `invalid_argument` before calling the server for a bad argument; with `content_rejected` (422) when WeChat's check
 * flags the nickname (nothing stored), `invalid_request` (400) or `session_expired` (409: call login()). Without a
 * token it logs in first; a refused token logs in again once and posts again.
 */
export function updateProfile(update: ProfileUpdate): Promise<Profile>;
/**
 * Reads `tempFilePath` (the `chooseAvatar` button's file) with `wx.getFileSystemManager().readFile` and posts its bytes
 * to POST /api/profile/avatar as image/jpeg or image/png (by the file's signature); resolves with the profile and its
 * new `avatar_url`. A file that is unreadable, not a JPEG or PNG, or over 1 MiB rejects with `invalid_argument` without
 * calling the server.
 */
export function uploadAvatar(tempFilePath: string): Promise<Profile>;
/** One applied wallet transaction (docs/API.md, "Wallet"). */
export interface WalletTransaction {
  /** The studio's idempotency_key. */
  transaction_id: string;
  open_id: string;
  currency: 'gold' | 'diamond';
  /** Positive for a credit, negative for a debit. */
  delta: number;
  reason: string;
  /** The balance of `currency` after this transaction. */
  balance: number;
  /** Unix seconds. */
  created_at: number;
}

/** One page of the wallet: balances and up to 50 transactions, newest first. */
export interface Wallet {
  gold: number;
  diamond: number;
  transactions: WalletTransaction[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

export interface GetWalletOptions {
  /** The `next` of an earlier page. */
  cursor?: string | null;
}

/**
 * GET /api/wallet with the token: balances and one page of the ledger. A refused token logs in again once and reads
 * again; a cursor that no page gave rejects with `invalid_request`.
 */
export function getWallet(options?: GetWalletOptions): Promise<Wallet>;
/**
 * POST /api/token/refresh: a new token of the same login, kept like a login's; one refresh at a time. The SDK does
 * this by itself before an authenticated call when less than 10 minutes of the token remain (a failed refresh keeps
 * the current token). Rejects with `invalid_token` when there is no usable token or the login is older than the
 * server's maximum session age (call login()), or `network_error`.
 */
export function refreshToken(): Promise<string>;
/** GET /api/account/export: everything stored about the user (logs in first when there is no token; once more on 401). */
export function exportAccount(): Promise<AccountExport>;
/**
 * DELETE /api/account, logging in again first when the token's login is not recent (and once after a 403
 * `recent_login_required`); resolves once deleted and forgets the token.
 */
export function deleteAccount(options?: DeleteAccountOptions): Promise<void>;
/** The current token (memory, else storage); `''` when none. */
export function getToken(): string;
/** The profile of the last successful call of this run, or null. */
export function getProfile(): Profile | null;
/** One heartbeat now (`{ final: true }` ends the play session); rejects with `invalid_token` before login. */
export function heartbeat(options?: { final?: boolean }): Promise<HeartbeatAnswer>;
/** Stops the automatic heartbeats until the next login. */
export function stopPlay(): void;
/** wx.shareAppMessage with a fresh share id and `inviter` in the query; resolves once the share is reported. */
export function shareAppMessage(options?: ShareOptions): Promise<ShareAnswer>;
/** wx.onShareAppMessage: `handler` returns the share options; each forward gets a fresh share id, `inviter`, a report. */
export function onShareAppMessage(handler?: (res: { from?: string; target?: unknown }) => ShareOptions): void;

export interface TmSDK {
  init: typeof init;
  login: typeof login;
  updateUserInfo: typeof updateUserInfo;
  updateProfile: typeof updateProfile;
  uploadAvatar: typeof uploadAvatar;
  getWallet: typeof getWallet;
  refreshToken: typeof refreshToken;
  exportAccount: typeof exportAccount;
  deleteAccount: typeof deleteAccount;
  getToken: typeof getToken;
  getProfile: typeof getProfile;
  heartbeat: typeof heartbeat;
  stopPlay: typeof stopPlay;
  shareAppMessage: typeof shareAppMessage;
  onShareAppMessage: typeof onShareAppMessage;
  TianmuError: typeof TianmuError;
  tm_sdk: TmSDK;
}

/** The SDK under the name the client page's mini-game example uses. */
export const tm_sdk: TmSDK;

/** The part of WeChat's `wx` the SDK uses. */
export interface WxLike {
  request(options: {
    url: string;
    method: 'GET' | 'POST' | 'DELETE';
    header: Record<string, string>;
    /** JSON, or an ArrayBuffer sent as its bytes (uploadAvatar). */
    data?: object | ArrayBuffer;
    dataType?: string;
    responseType?: string;
    timeout?: number;
    success(res: { statusCode: number; data: unknown; header?: Record<string, string> }): void;
    fail(err: { errMsg: string }): void;
  }): { abort?(): void } | void;
  login(options: { success(res: { code: string }): void; fail(err: { errMsg: string }): void }): void;
  getLaunchOptionsSync?(): { scene?: number; query?: Record<string, string> };
  getStorageSync?(key: string): unknown;
  setStorageSync?(key: string, value: unknown): void;
  removeStorageSync?(key: string): void;
  /** uploadAvatar reads the chosen file with readFile (no `encoding`: an ArrayBuffer). */
  getFileSystemManager?(): {
    readFile(options: { filePath: string; success(res: { data: ArrayBuffer | string }): void; fail(err: { errMsg: string }): void }): void;
  };
  onShow?(listener: (res: unknown) => void): void;
  onHide?(listener: () => void): void;
  shareAppMessage?(options: object): void;
  onShareAppMessage?(handler: (res: { from?: string; target?: unknown }) => object): void;
  tmSDK?: TmSDK;
}

// `wx.tmSDK` on the official typings (miniprogram-api-typings / minigame-api-typings) when they are installed.
declare global {
  namespace WechatMiniprogram {
    interface Wx {
      tmSDK: TmSDK;
    }
  }
  namespace WechatMinigame {
    interface Wx {
      tmSDK: TmSDK;
    }
  }
}

/** What GET /api/account/export answers: everything stored about the user, never the session key. */
export interface AccountExport {
  /** The profile without `jwt` and `is_new`. */
  profile: Omit<Profile, 'jwt' | 'is_new'>;
  /** Unix seconds. */
  created_at: number;
  wallet_transactions: Array<{ transaction_id: string; open_id: string; currency: 'gold' | 'diamond'; delta: number; reason: string; balance: number; created_at: number }>;
  shares: Array<{ share_id: string; scene: string; reported_at: number }>;
  /** Unix seconds. */
  exported_at: number;
}

export interface DeleteAccountOptions {
  /** The server's `Tianmu__Account__RecentLogin` in seconds; default 600. A token whose login is older logs in first. */
  recentLoginSeconds?: number;
}
