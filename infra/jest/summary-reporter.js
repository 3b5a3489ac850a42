// Writes each package's test counts to .test-results/ so infra/scripts/test.sh can print one total.
const { mkdirSync, writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = join(__dirname, '..', '..', '.test-results');
    mkdirSync(dir, { recursive: true });
    const name = basename(this.rootDir) + '-' + basename(join(this.rootDir, '..'));
    writeFileSync(
      join(dir, `${name}.json`),
      JSON.stringify({
        package: this.rootDir,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }) + '\n',
    );
  }
}

module.exports = SummaryReporter;
