/**
 * The layer rules of docs/architecture (and docs/decisions.md), checked on every `npm test`.
 * Type-only imports count: a cycle through types is still a cycle for the reader.
 */
const layer = (name) => `^src/${name}(/|\\.ts$)`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycle anywhere in src/, type-only imports included.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'ml-is-self-contained',
      severity: 'error',
      comment: 'src/ml is pure numeric code and imports nothing of the project outside it.',
      from: { path: layer('ml') },
      to: { path: '^src/', pathNot: layer('ml') },
    },
    {
      name: 'core-imports-ml-and-itself',
      severity: 'error',
      comment: 'src/core holds use cases and ports: no strings, pixels, Telegram or storage.',
      from: { path: layer('core') },
      to: { path: '^src/', pathNot: [layer('core'), layer('ml')] },
    },
    {
      name: 'core-has-no-presentation-or-transport',
      severity: 'error',
      from: { path: layer('core') },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'features-import-core-and-messages',
      severity: 'error',
      comment: 'Feature modules format core results with messages.ts and their chart specs.',
      from: { path: layer('features') },
      to: { path: '^src/', pathNot: [layer('features'), layer('core'), '^src/messages\\.ts$'] },
    },
    {
      name: 'features-draw-no-pixels',
      severity: 'error',
      comment: 'Chart specs are Chart.js configs (types only); canvases and HTTP renderers are adapters in src/app.',
      from: { path: layer('features') },
      to: { dependencyTypes: ['npm'], pathNot: '(^|/)node_modules/chart\\.js/' },
    },
    {
      name: 'messages-know-only-core-types',
      severity: 'error',
      from: { path: '^src/messages\\.ts$' },
      to: { path: '^src/', pathNot: layer('core') },
    },
    {
      name: 'edges-never-reach-data-internals',
      severity: 'error',
      comment: 'bot, console and cli use features (and the data package entry at most), never repositories or parsers.',
      from: { path: [layer('bot'), layer('console'), layer('cli')] },
      to: { path: ['^src/data/(sqlite|csv)/', '^src/main\\.ts$'] },
    },
    {
      name: 'bot-and-console-are-edges',
      severity: 'error',
      comment: 'The transports know the feature list and the core types, not the app that wires them.',
      from: { path: [layer('bot'), layer('console')] },
      to: { path: [layer('app'), layer('cli'), layer('data'), layer('jobs')] },
    },
    {
      name: 'data-serves-core',
      severity: 'error',
      comment: 'Adapters implement core ports; they never call up into presentation or transport.',
      from: { path: layer('data') },
      to: { path: [layer('features'), layer('bot'), layer('console'), layer('cli'), layer('app'), layer('jobs')] },
    },
    {
      name: 'only-the-entry-imports-main',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main\\.ts$' },
      to: { path: '^src/main\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Worktrees may share node_modules through a symlink: keep the 'node_modules/…' paths the rules name.
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(tests|bench)/' },
  },
};
