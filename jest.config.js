// ESM all the way: @actions/* v3+ and age-encryption ship only ESM, so jest runs under
// --experimental-vm-modules (see package.json "test") and ts-jest emits ESM.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testTimeout: 180000,
  // Each test file starts its own etcd on random loopback ports; two workers match the 2-core machine.
  maxWorkers: 2
}
