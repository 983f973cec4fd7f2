// ESM all the way: @actions/* v3+ and age-encryption ship only ESM, so jest runs under
// --experimental-vm-modules (see package.json "test") and ts-jest emits ESM.
import { readdirSync, readFileSync } from 'node:fs'

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] }
}

// The end-to-end suites are the test files that start a real etcd (they import support/etcd). scripts/dev.sh test
// runs them once per pinned etcd release (`--selectProjects e2e` with ETCD_BIN_DIR set) and the rest once
// (`--selectProjects unit`); a plain `jest` runs both against whatever etcd ETCD_BIN_DIR names.
const e2e = readdirSync('__tests__')
  .filter(f => f.endsWith('.test.ts') && /from '\.\/support\/etcd\.js'/.test(readFileSync(`__tests__/${f}`, 'utf8')))
  .map(f => `<rootDir>/__tests__/${f}`)

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...e2e.map(f => `${f.replace(/\./g, '\\.')}$`)]
    },
    { ...common, displayName: 'e2e', testMatch: e2e }
  ],
  testTimeout: 180000,
  // Each test file starts its own etcd on random loopback ports; two workers match the 2-core machine.
  maxWorkers: 2
}
