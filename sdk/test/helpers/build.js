'use strict';
// `npm test` runs this first (pretest): the host is built once per test run, not once per test file.
const started = Date.now();
require('./server').build({ force: true });
process.stderr.write(`tianmu-sdk tests: local host built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
