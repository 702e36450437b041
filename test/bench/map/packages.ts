import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';

const run = promisify(execFile);

/**
 * Real code nobody here wrote: the sources npm packages ship, at pinned versions, installed at bench time into
 * ~/.cache/opus-orchestrator (never committed). Each task names the files a person would edit and the definitions in
 * them that matter, found by reading the package's code at that version.
 */
export interface MapTask {
  task: string;
  /** Workspace-relative files to edit, and the key definitions in each (`name` or `Container.member`). */
  expect: Record<string, string[]>;
}

export interface BenchPackage {
  name: string;
  version: string;
  languages: string;
  tasks: MapTask[];
}

export const PACKAGES: BenchPackage[] = [
  {
    name: 'axios',
    version: '1.21.1',
    languages: 'JavaScript (ES modules)',
    tasks: [
      {
        task: 'When validateStatus rejects a response, settle should put the status code in the AxiosError message.',
        expect: { 'lib/core/settle.js': ['settle'], 'lib/core/AxiosError.js': ['AxiosError'] },
      },
      {
        task: 'buildURL should drop params whose value is undefined before it serializes the query string.',
        expect: { 'lib/helpers/buildURL.js': ['buildURL'] },
      },
      {
        task: 'Keep a trailing slash when buildFullPath joins the base URL and the requested URL with combineURLs.',
        expect: { 'lib/core/buildFullPath.js': ['buildFullPath'], 'lib/helpers/combineURLs.js': ['combineURLs'] },
      },
      {
        task: 'AxiosHeaders.set should trim whitespace around header names; fix it in normalizeHeader.',
        expect: { 'lib/core/AxiosHeaders.js': ['AxiosHeaders.set', 'normalizeHeader'] },
      },
      {
        task: 'dispatchRequest should throw the abort reason of the signal when the request was cancelled.',
        expect: { 'lib/core/dispatchRequest.js': ['dispatchRequest', 'throwIfCancellationRequested'] },
      },
    ],
  },
  {
    name: 'commander',
    version: '14.0.3',
    languages: 'JavaScript (CommonJS)',
    tasks: [
      {
        task: 'Make the "did you mean" suggestions ignore letter case when comparing an unknown option with candidates.',
        expect: { 'lib/suggestSimilar.js': ['suggestSimilar', 'editDistance'] },
      },
      {
        task: 'When an unknown option is given, the error should list the visible options of the command.',
        expect: { 'lib/command.js': ['Command.unknownOption'], 'lib/help.js': ['Help.visibleOptions'] },
      },
      {
        task: 'Let Option.env take a prefix, and have the command read prefixed environment variables for options.',
        expect: { 'lib/option.js': ['Option.env'], 'lib/command.js': ['Command._parseOptionsEnv'] },
      },
      {
        task: 'Help.formatItem should wrap long option descriptions to the terminal width with boxWrap.',
        expect: { 'lib/help.js': ['Help.formatItem', 'Help.boxWrap'] },
      },
    ],
  },
  {
    name: 'eslint',
    version: '9.9.1',
    languages: 'JavaScript (CommonJS), 400 files',
    tasks: [
      {
        task: 'The stylish formatter should pluralize "warning" correctly and print the count of fixable problems.',
        expect: { 'lib/cli-engine/formatters/stylish.js': ['pluralize'] },
      },
      {
        task: 'interpolate should leave placeholders it has no data for untouched in rule report messages.',
        expect: { 'lib/linter/interpolate.js': ['interpolate', 'getPlaceholderMatcher'] },
      },
      {
        task: 'mergeFixes in the report translator should refuse fixes whose ranges overlap.',
        expect: { 'lib/linter/report-translator.js': ['mergeFixes', 'compareFixesByRange'] },
      },
      {
        task: 'The eqeqeq rule should get an option that allows comparisons with null in "smart" mode only.',
        expect: { 'lib/rules/eqeqeq.js': [] },
      },
      {
        task: 'applyDirectives should report eslint-enable directives that enable nothing as unused.',
        expect: { 'lib/linter/apply-disable-directives.js': ['applyDirectives', 'collectUsedEnableDirectives'] },
      },
      {
        task: 'no-unused-vars should report an unused catch clause parameter with its own message.',
        expect: { 'lib/rules/no-unused-vars.js': [] },
      },
    ],
  },
  {
    name: 'node-gyp',
    version: '11.4.2',
    languages: 'JavaScript and Python (gyp)',
    tasks: [
      {
        task: 'PythonFinder should try the py launcher before it checks the commands on the PATH.',
        expect: { 'lib/find-python.js': ['PythonFinder.checkPyLauncher', 'PythonFinder.checkCommand'] },
      },
      {
        task: 'download should use a custom certificate authority file read by readCAFile.',
        expect: { 'lib/download.js': ['download', 'readCAFile'] },
      },
      {
        task: "gyp's TopologicallySorted should name the nodes of the cycle in the CycleError it raises.",
        expect: { 'gyp/pylib/gyp/common.py': ['TopologicallySorted', 'CycleError'] },
      },
      {
        task: 'The compile_commands_json generator should write one entry per source file of each target.',
        expect: { 'gyp/pylib/gyp/generator/compile_commands_json.py': ['AddCommandsForTarget', 'GenerateOutput'] },
      },
      {
        task: 'EncodePOSIXShellArgument should quote arguments that contain a dollar sign.',
        expect: { 'gyp/pylib/gyp/common.py': ['EncodePOSIXShellArgument'] },
      },
    ],
  },
];

export const CACHE_ROOT = path.join(os.homedir(), '.cache', 'opus-orchestrator', 'map-bench');

/** The package's shipped files, installed once into the cache with npm (its dependencies left out of the copy). */
async function installed(pkg: BenchPackage): Promise<string> {
  const prefix = path.join(CACHE_ROOT, `${pkg.name}-${pkg.version}`);
  const dir = path.join(prefix, 'node_modules', pkg.name);
  if (!existsSync(path.join(dir, 'package.json'))) {
    await fs.mkdir(prefix, { recursive: true });
    const args = ['install', '--prefix', prefix, '--no-package-lock', '--ignore-scripts', '--omit=dev'];
    await run('npm', [...args, '--no-audit', '--no-fund', `${pkg.name}@${pkg.version}`], { timeout: 300_000 });
  }
  return dir;
}

/** A git repository in a temporary folder holding the package's own files, committed. */
export async function packageRepo(pkg: BenchPackage): Promise<{ root: string; cleanup(): Promise<void> }> {
  const source = await installed(pkg);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `map-bench-${pkg.name}-`));
  await fs.cp(source, root, {
    recursive: true,
    filter: (src) => !path.relative(source, src).split(path.sep).includes('node_modules'),
  });
  const git = simpleGit(root);
  await git.init();
  await git.addConfig('user.email', 'bench@example.com').addConfig('user.name', 'Bench');
  await git.add('.');
  await git.commit(`${pkg.name} ${pkg.version} as shipped`);
  return { root, cleanup: () => fs.rm(root, { recursive: true, force: true }) };
}
