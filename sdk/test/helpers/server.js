'use strict';
// A real local Tianmu host (src/Tianmu.LocalHost with the WeChat simulator) on a free port, over a private
// in-memory Azurite (table and blob services: avatar images live in blobs), for one test file. `npm test` builds the host once beforehand (pretest: build.js); a test
// file run on its own builds it only when no build exists.

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CONFIGURATION = process.env.TIANMU_TEST_CONFIGURATION || process.env.TIANMU_SDK_CONFIGURATION || 'Debug';
const HOST_DIR = path.join(REPO_ROOT, 'src', 'Tianmu.LocalHost', 'bin', CONFIGURATION, 'net10.0');
const HOST_DLL = path.join(HOST_DIR, 'Tianmu.LocalHost.dll');
const AZURITE_BIN = path.join(REPO_ROOT, 'tools', 'node_modules', '.bin', 'azurite-table');
const AZURITE_BLOB_BIN = path.join(REPO_ROOT, 'tools', 'node_modules', '.bin', 'azurite-blob');
const APP_ID = 'wxtianmudemo000001';
const ACCOUNT = 'devstoreaccount1';
// Azurite's published development key, not a secret.
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const TABLE = 'profiles';
const agent = new http.Agent({ keepAlive: false });

function run(command, args, options) {
  const result = spawnSync(command, args, Object.assign({ cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }, options));
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** The newest modification time of the host's build inputs: sources under src/ and the repository-wide build files. */
function newestInput() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'bin' || entry.name === 'obj' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(full);
      } else {
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  visit(path.join(REPO_ROOT, 'src'));
  for (const file of ['Directory.Build.props', 'Directory.Packages.props', 'global.json', 'host.json']) {
    const full = path.join(REPO_ROOT, file);
    if (fs.existsSync(full)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Installs the repository's npm tools (Azurite) when missing and builds the local host unless its build is newer
 * than every input (as after the .NET tests of .ci/run); `force` builds regardless. Returns whether it built.
 */
function build({ force } = {}) {
  if (!fs.existsSync(AZURITE_BIN) || !fs.existsSync(AZURITE_BLOB_BIN)) {
    run('npm', ['ci', '--no-audit', '--no-fund', '--prefix', 'tools']);
  }
  const upToDate = fs.existsSync(HOST_DLL) && fs.statSync(HOST_DLL).mtimeMs >= newestInput();
  if (force || !upToDate) {
    run('dotnet', ['build', 'src/Tianmu.LocalHost', '-c', CONFIGURATION, '-nologo', '-v', 'q', '-clp:NoSummary']);
    return true;
  }
  return false;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One HTTP exchange with JSON in and out; resolves { status, headers, body } (body parsed when it is JSON). */
function httpJson(method, url, { body, headers } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const request = http.request(url, {
      method,
      agent,
      headers: Object.assign(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, headers),
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // Not JSON: keep the text.
        }
        resolve({ status: response.statusCode, headers: response.headers, body: parsed });
      });
    });
    request.on('error', reject);
    if (payload !== undefined) {
      request.write(payload);
    }
    request.end();
  });
}

function keepTail(stream, sink) {
  stream.setEncoding('utf8');
  stream.on('data', (text) => {
    sink.text = (sink.text + text).slice(-20000);
  });
}

function stopProcess(child, ms = 10000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts Azurite and the host; resolves with { baseUrl, appId, seal, clearSessionKey, stop, log }.
 * options.env: extra environment variables of the host (e.g. Tianmu__Jwt__Lifetime).
 * TIANMU_SDK_BASE_URL points the tests at a host already running with the simulator instead (then
 * clearSessionKey is unavailable).
 */
async function startTianmu(options = {}) {
  if (process.env.TIANMU_SDK_BASE_URL) {
    return connected(process.env.TIANMU_SDK_BASE_URL.replace(/\/+$/, ''), null, async () => {});
  }
  build();
  const children = [];
  const killAll = () => children.forEach((child) => child.exitCode === null && child.kill('SIGKILL'));
  process.once('exit', killAll);

  const tablePort = await freePort();
  const azuriteLog = { text: '' };
  const azurite = spawn(AZURITE_BIN, ['--tableHost', '127.0.0.1', '--tablePort', String(tablePort), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(azurite);
  keepTail(azurite.stdout, azuriteLog);
  keepTail(azurite.stderr, azuriteLog);
  const tableEndpoint = `http://127.0.0.1:${tablePort}/${ACCOUNT}`;

  const blobPort = await freePort();
  const blob = spawn(AZURITE_BLOB_BIN, ['--blobHost', '127.0.0.1', '--blobPort', String(blobPort), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(blob);
  keepTail(blob.stdout, azuriteLog);
  keepTail(blob.stderr, azuriteLog);
  const blobEndpoint = `http://127.0.0.1:${blobPort}/${ACCOUNT}`;

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const hostLog = { text: '' };
  let host = null;
  const stop = async () => {
    process.removeListener('exit', killAll);
    await stopProcess(host);
    await stopProcess(azurite);
    await stopProcess(blob);
  };
  try {
    for (const [service, port] of [[azurite, tablePort], [blob, blobPort]]) {
      for (let i = 0; !(await canConnect(port)); i++) {
        if (service.exitCode !== null || i > 150) {
          throw new Error(`Azurite did not start on port ${port}:\n${azuriteLog.text}`);
        }
        await sleep(100);
      }
    }
    // `--urls=` in one argument: hosts before main's ReadSwitches fix read `--simulate-wechat --urls` as a key/value pair.
    host = spawn('dotnet', [HOST_DLL, `--urls=${baseUrl}`, '--simulate-wechat'], {
      cwd: HOST_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: Object.assign({}, process.env, {
        ASPNETCORE_ENVIRONMENT: 'Development',
        DOTNET_ENVIRONMENT: 'Development',
        DOTNET_NOLOGO: '1',
        Logging__LogLevel__Default: 'Warning',
        Tianmu__Storage__ConnectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};TableEndpoint=${tableEndpoint};BlobEndpoint=${blobEndpoint};`,
        Tianmu__Storage__TableName: TABLE,
      }, options.env || {}),
    });
    children.push(host);
    keepTail(host.stdout, hostLog);
    keepTail(host.stderr, hostLog);
    const deadline = Date.now() + 60000;
    for (;;) {
      if (host.exitCode !== null || host.signalCode !== null) {
        throw new Error(`The Tianmu host exited (${host.exitCode}):\n${hostLog.text}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`The Tianmu host did not answer /api/health within 60 s:\n${hostLog.text}`);
      }
      try {
        const health = await httpJson('GET', `${baseUrl}/api/health`);
        if (health.status === 200) {
          break;
        }
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return connected(baseUrl, tableEndpoint, stop, hostLog);
}

function connected(baseUrl, tableEndpoint, stop, hostLog) {
  return {
    baseUrl,
    appId: APP_ID,
    log: () => (hostLog ? hostLog.text : ''),
    stop,
    /** What WeChat's user-info button would hand the game for the user who logged in with `code` (test-<name>). */
    async seal(code, info) {
      const res = await httpJson('POST', `${baseUrl}/simulator/userinfo`, {
        body: Object.assign({ app_id: APP_ID, code, language: 'zh_CN' }, info),
      });
      if (res.status !== 200) {
        throw new Error(`POST /simulator/userinfo answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
      return res.body;
    },
    /** Empties the stored WeChat session key of a profile, the state the server answers 409 session_expired for. */
    async clearSessionKey(openId) {
      if (!tableEndpoint) {
        throw new Error('clearSessionKey needs the private Azurite of startTianmu().');
      }
      const resource = `${TABLE}(PartitionKey='${encodeURIComponent(APP_ID)}',RowKey='${encodeURIComponent(openId)}')`;
      const date = new Date().toUTCString();
      const signature = crypto
        .createHmac('sha256', Buffer.from(ACCOUNT_KEY, 'base64'))
        .update(`${date}\n/${ACCOUNT}/${ACCOUNT}/${resource}`, 'utf8')
        .digest('base64');
      const res = await httpJson('MERGE', `${tableEndpoint}/${resource}`, {
        body: { SessionKey: '' },
        headers: {
          'x-ms-date': date,
          'x-ms-version': '2019-02-02',
          accept: 'application/json;odata=nometadata',
          'if-match': '*',
          authorization: `SharedKeyLite ${ACCOUNT}:${signature}`,
        },
      });
      if (res.status !== 204) {
        throw new Error(`Azurite MERGE answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
    },
  };
}

module.exports = { startTianmu, build, httpJson, APP_ID, REPO_ROOT };
