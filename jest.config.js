// ESM all the way: @actions/* v3+ and age-encryption ship only ESM, so jest runs under
// --experimental-vm-modules (see package.json "test") and ts-jest emits ESM.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] }
}

// __tests__/unit needs no etcd; __tests__/e2e starts real etcd members (and kube-apiserver, MinIO, the artifact
// service emulator). scripts/dev.sh test runs the e2e project once per pinned etcd release (`--selectProjects e2e`
// with ETCD_BIN_DIR set) and the unit project once; a plain `jest` runs both against whatever etcd ETCD_BIN_DIR names.
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'] }
  ],
  testTimeout: 180000,
  // Each test file starts its own etcd on random loopback ports; two workers match the 2-core machine.
  maxWorkers: 2
}
