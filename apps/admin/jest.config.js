// Unit specs (src/**/*.spec.ts) and browser tests (test/**/*.test.ts: real Chromium against the real gateway serving dist/).
module.exports = require('../../jest.base.js')(__dirname, { testTimeout: 180000 });
