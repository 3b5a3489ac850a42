// Shared Jest settings: SWC transforms TypeScript with the decorator metadata NestJS needs.
/** @param {string} dir the package directory */
module.exports = function jestConfig(dir, overrides = {}) {
  return {
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)s$': [
        require.resolve('@swc/jest'),
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    // Generated ESM-style sources import './x.js' while the file on disk is './x.ts'.
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testTimeout: 30000,
    reporters: ['default', require.resolve('./infra/jest/summary-reporter.js')],
    ...overrides,
  };
};
