'use strict';
// `npm test` runs this first (pretest): the host is built at most once per test run, not once per test file,
// and not at all when its build is newer than its sources. TIANMU_SDK_FORCE_BUILD=1 builds regardless.
const started = Date.now();
const built = require('./server').build({ force: process.env.TIANMU_SDK_FORCE_BUILD === '1' });
process.stderr.write(built
  ? `tianmu-sdk tests: local host built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`
  : 'tianmu-sdk tests: local host build is up to date\n');
