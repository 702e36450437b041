import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LlmClient } from '../core/llm/client';
import { LlmError, redactKey } from '../core/llm/errors';
import type { StreamTimeouts } from '../core/llm/watchdog';
import { streamTimeoutsFromEnv } from '../core/llm/watchdog';
import { Orchestrator, OrchestratorError } from '../core/orchestrator';
import { PlanError } from '../core/plan/planner';
import { rememberConfiguredSecret } from '../core/secrets/known';
import { lookLine } from '../core/plan/looks';
import { Redactor } from '../core/secrets/redactor';
import { Store, StoreError } from '../core/store/store';
import { configureSecrets } from '../core/workspace/secrets';
import type { ModelOverrides } from '../core/models';
import { setRoleProviders } from '../core/models';
import type { ProviderSettings } from '../core/llm/providers/platforms';
import { roleProviders } from '../core/llm/providers/platforms';
import { parseModelFlags, parseProviderFlags } from './providerFlags';
import type { PriceOverrides } from '../core/usage/prices';
import { parsePriceOverrides, setPriceOverrides } from '../core/usage/prices';
import { diskIO } from './diskIO';
import { CLI_CAPS, UsageError, dollars, wholeNumber } from './numbers';
import { renderShow, showJson } from './show';

const USAGE = `Usage: opus-orchestrator <command> [options]

Commands:
  plan "<task>"              ask Opus for a plan of the task (replaces the current plan)
  dispatch [ID…] [--all]     run subtasks (--all: every ready one) [--concurrency N]
  show                       the plan, statuses, tokens and $ per subtask, totals, the Opus-only estimate
  apply ID                   write a subtask's proposal to the workspace
  reject ID                  drop a subtask's proposal (files stay as they are)

Options:
  --workspace DIR            the workspace (default: the current folder)
  --json                     machine-readable output on stdout
  --concurrency N            subtasks run at once (default 3)
  --secret-pattern GLOB      one more gitignore-style pattern of credential files never read (repeatable; adds to
                             the built-in kinds, removes none)
  --allow-hard-links         let models read files that have more than one hard link
  --review                   dispatch: Opus reviews each proposal against its acceptance criteria
  --max-cost-per-subtask USD dispatch refuses a subtask whose spend plus estimate passes this, and stops a run that
                             spends past it (default 1; 0 = no cap)
  --max-cost-per-plan USD    dispatch refuses once the plan's spend plus the next estimates pass this (default 5;
                             0 = no cap)
  --max-output-tokens N      output tokens (thinking included) per model call of a worker (default 16000)
  --prices JSON              prices replacing the dated table, per model id or role, in $ per million tokens,
                             e.g. '{"claude-sonnet-5-5":{"cacheRead":0.1}}' (fields: input output cacheWrite cacheRead)
  --provider NAME            where the models run: anthropic (default), bedrock or vertex; ROLE=NAME for one role
                             (repeatable, e.g. --provider bedrock --provider haiku=anthropic)
  --model ROLE=ID            the model id of a role as its provider names it (repeatable)
  -h, --help                 this text

Environment: ANTHROPIC_API_KEY (required for plan and dispatch on the Anthropic API), ANTHROPIC_BASE_URL (optional),
  OPUS_ORCHESTRATOR_PROVIDER (the same as --provider; the flag wins),
  Amazon Bedrock: AWS_REGION, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the usual AWS chain),
  Google Vertex AI: ANTHROPIC_VERTEX_PROJECT_ID, CLOUD_ML_REGION (default global), Google Application Default
  Credentials (gcloud auth application-default login, or GOOGLE_APPLICATION_CREDENTIALS),
  OPUS_ORCHESTRATOR_PRICES (the same JSON as --prices; the flag wins),
  OPUS_ORCHESTRATOR_RESPONSE_TIMEOUT (seconds to wait for an answer to start, default 120),
  OPUS_ORCHESTRATOR_STREAM_IDLE_TIMEOUT (seconds an answer may stream no content, default 300).`;

interface Cli {
  command: string;
  args: string[];
  workspace: string;
  /** How the workspace was named, for messages: "--workspace DIR" or "the current folder DIR". */
  workspaceGiven: boolean;
  json: boolean;
  all: boolean;
  concurrency?: number;
  maxCostPerSubtask: number;
  maxCostPerPlan: number;
  maxOutputTokens?: number;
  secretPatterns: string[];
  allowHardLinks: boolean;
  review: boolean;
  prices: PriceOverrides;
  timeouts: Partial<StreamTimeouts>;
  providers: ProviderSettings;
  models: ModelOverrides;
}

function parse(argv: string[]): Cli | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'max-cost-per-subtask': { type: 'string' },
      'max-cost-per-plan': { type: 'string' },
      'max-output-tokens': { type: 'string' },
      'secret-pattern': { type: 'string', multiple: true },
      'allow-hard-links': { type: 'boolean', default: false },
      review: { type: 'boolean', default: false },
      prices: { type: 'string' },
      provider: { type: 'string', multiple: true },
      model: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    return undefined;
  }
  const [command = '', ...args] = positionals;
  const concurrency = wholeNumber('--concurrency', values.concurrency);
  const maxOutputTokens = wholeNumber('--max-output-tokens', values['max-output-tokens']);
  const fromEnv = streamTimeoutsFromEnv(process.env);
  if (fromEnv.errors.length > 0) {
    throw new UsageError(fromEnv.errors.join(' '));
  }
  return {
    command,
    args,
    workspace: path.resolve(values.workspace ?? process.cwd()),
    workspaceGiven: values.workspace !== undefined,
    json: values.json ?? false,
    all: values.all ?? false,
    concurrency,
    maxCostPerSubtask: dollars('--max-cost-per-subtask', values['max-cost-per-subtask'], CLI_CAPS.maxCostPerSubtask),
    maxCostPerPlan: dollars('--max-cost-per-plan', values['max-cost-per-plan'], CLI_CAPS.maxCostPerPlan),
    maxOutputTokens,
    secretPatterns: values['secret-pattern'] ?? [],
    allowHardLinks: values['allow-hard-links'] ?? false,
    review: values.review ?? false,
    prices: readPrices(values.prices),
    timeouts: fromEnv.timeouts,
    providers: providerSettings(values.provider),
    models: parseModelFlags(values.model ?? []),
  };
}

/** The price list of --prices, else of OPUS_ORCHESTRATOR_PRICES; any error in it stops the CLI before it starts. */
function readPrices(flag: string | undefined): PriceOverrides {
  const [source, text] =
    flag !== undefined ? ['--prices', flag] : ['OPUS_ORCHESTRATOR_PRICES', process.env.OPUS_ORCHESTRATOR_PRICES];
  const { overrides, errors } = parsePriceOverrides(text?.trim());
  if (errors.length > 0) {
    throw new UsageError(`${source}: ${errors.join('; ')}.`);
  }
  return overrides;
}

/** Providers of --provider, else OPUS_ORCHESTRATOR_PROVIDER; the platforms' own variables are read by their SDKs. */
function providerSettings(flags: string[] | undefined): ProviderSettings {
  const given =
    flags ?? (process.env.OPUS_ORCHESTRATOR_PROVIDER?.trim() ? [process.env.OPUS_ORCHESTRATOR_PROVIDER] : []);
  const { roles, errors } = parseProviderFlags(given);
  if (errors.length > 0) {
    throw new UsageError(`${flags ? '--provider' : 'OPUS_ORCHESTRATOR_PROVIDER'}: ${errors.join('; ')}.`);
  }
  return { roles, bedrock: {}, vertex: {} };
}

/** Every credential this process was given, so that no output or log line can echo one, whatever its shape. */
function rememberEnvironmentSecrets(): void {
  rememberConfiguredSecret(process.env.ANTHROPIC_API_KEY);
  rememberConfiguredSecret(process.env.ANTHROPIC_AUTH_TOKEN);
  rememberConfiguredSecret(process.env.AWS_SECRET_ACCESS_KEY);
  rememberConfiguredSecret(process.env.AWS_SESSION_TOKEN);
  rememberConfiguredSecret(process.env.AWS_BEARER_TOKEN_BEDROCK);
  try {
    const url = new URL(process.env.ANTHROPIC_BASE_URL ?? '');
    rememberConfiguredSecret(decodeURIComponent(url.password));
  } catch {
    // no base URL, or not a URL: nothing to remember
  }
}

async function main(argv: string[]): Promise<number> {
  let cli: Cli | undefined;
  try {
    cli = parse(argv);
  } catch (err) {
    process.stderr.write(`opus-orchestrator: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!cli) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const notAFolder = await workspaceProblem(cli);
  if (notAFolder) {
    process.stderr.write(`opus-orchestrator: ${notAFolder}\n`);
    return 2;
  }
  rememberEnvironmentSecrets();
  configureSecrets({ patterns: cli.secretPatterns, allowHardLinks: cli.allowHardLinks });
  const log = (level: 'info' | 'warn' | 'error', message: string): void => {
    if (level !== 'info' && !cli.json) {
      process.stderr.write(`${redactKey(message)}\n`);
    }
  };
  const redactor = new Redactor();
  redactor.log = log;
  setPriceOverrides(cli.prices);
  setRoleProviders(roleProviders(cli.providers));
  const llm = new LlmClient({
    streamTimeouts: cli.timeouts,
    providers: cli.providers,
    onNotice: (message) => log('warn', message),
    redactor,
  });
  const orch = new Orchestrator({
    root: cli.workspace,
    llm,
    models: cli.models,
    store: new Store(cli.workspace),
    io: diskIO(cli.workspace),
    concurrency: cli.concurrency,
    maxCostPerSubtask: cli.maxCostPerSubtask,
    maxCostPerPlan: cli.maxCostPerPlan,
    maxOutputTokens: cli.maxOutputTokens,
    autoReview: cli.review,
    log,
  });
  const abort = new AbortController();
  const onSigint = (): void => {
    process.stderr.write('cancelling…\n');
    abort.abort();
    orch.cancelAll();
  };
  process.on('SIGINT', onSigint);
  try {
    return await runCommand(orch, cli, abort.signal);
  } finally {
    reportRedactions(cli, redactor);
    process.off('SIGINT', onSigint);
    await orch.flush().catch(() => undefined);
  }
}

async function runCommand(orch: Orchestrator, cli: Cli, signal: AbortSignal): Promise<number> {
  const out = (shown: string): void => {
    const text = redactKey(shown);
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  const progress = (text: string): void => {
    if (!cli.json) {
      process.stderr.write(`${text}\n`);
    }
  };
  switch (cli.command) {
    case 'plan': {
      const task = cli.args.join(' ').trim();
      if (!task) {
        throw new UsageError('plan needs the task, e.g. opus-orchestrator plan "Add a --verbose flag".');
      }
      await orch.load();
      progress('Opus is planning…');
      await orch.plan(task, {
        signal,
        onLook: (e) => progress(redactKey(`Opus looked (${e.calls}/${e.maxCalls}): ${lookLine(e)}`)),
      });
      out(cli.json ? JSON.stringify(showJson(orch), null, 2) : renderShow(orch));
      return 0;
    }
    case 'dispatch': {
      await requirePlan(orch);
      const ids = cli.all ? orch.ready() : cli.args;
      if (ids.length === 0) {
        throw new UsageError(
          cli.all ? 'No subtask is ready: apply the proposals they depend on first.' : 'Name subtask ids, or --all.',
        );
      }
      const sub = orch.onEvent((e) => {
        if (e.kind === 'subtask') {
          const s = orch.subtask(e.id)?.state;
          if (s) {
            progress(redactKey(`${e.id}: ${s.status}${s.error ? ` — ${s.error}` : ''}`));
          }
        }
      });
      try {
        await orch.dispatch(ids);
      } finally {
        sub.dispose();
      }
      out(cli.json ? JSON.stringify(showJson(orch), null, 2) : renderShow(orch));
      const failed = ids.filter((id) => orch.subtask(id)?.state.status !== 'review');
      const [firstId] = failed;
      if (firstId !== undefined) {
        const first = orch.subtask(firstId)?.state;
        process.stderr.write(
          redactKey(
            `opus-orchestrator: ${failed.length} subtask(s) did not produce a proposal: ` +
              `${firstId} ${first?.status}${first?.error ? ` (${first.error})` : ''}\n`,
          ),
        );
        return 1;
      }
      return 0;
    }
    case 'show': {
      await requirePlan(orch);
      out(cli.json ? JSON.stringify(showJson(orch), null, 2) : renderShow(orch));
      return 0;
    }
    case 'apply':
    case 'reject': {
      await requirePlan(orch);
      const [id] = cli.args;
      if (id === undefined || cli.args.length !== 1) {
        throw new UsageError(`${cli.command} takes one subtask id.`);
      }
      if (cli.command === 'apply') {
        await orch.acceptProposal(id);
      } else {
        await orch.rejectProposal(id);
      }
      const st = orch.subtask(id)?.state;
      out(cli.json ? JSON.stringify(showJson(orch), null, 2) : `${id}: ${st?.status}`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(cli.command)}.`);
  }
}

/** How many secrets were kept out of the requests of each part of the plan, on stderr. */
function reportRedactions(cli: Cli, redactor: Redactor): void {
  const counts = Object.entries(redactor.counts()).filter(([, n]) => n > 0);
  if (counts.length > 0 && !cli.json) {
    const parts = counts.map(([owner, n]) => `${owner === 'plan' ? 'planner' : owner} ${n}`);
    process.stderr.write(`secrets redacted from model requests: ${parts.join(', ')}\n`);
  }
}

/** Why the workspace cannot be used, before anything else looks at it; undefined when it is a folder. */
async function workspaceProblem(cli: Cli): Promise<string | undefined> {
  const named = cli.workspaceGiven ? `--workspace ${cli.workspace}` : `The current folder ${cli.workspace}`;
  const fix = 'give the folder of the repository to work on.';
  try {
    const stat = await fs.stat(cli.workspace);
    return stat.isDirectory() ? undefined : `${named} is a file, not a folder; ${fix}`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? `${named} does not exist; ${fix}`
      : `${named} cannot be opened (${code}); check its permissions.`;
  }
}

async function requirePlan(orch: Orchestrator): Promise<void> {
  if (!(await orch.load())) {
    throw new OrchestratorError('no-plan', `No plan in ${orch.root}: run opus-orchestrator plan "<task>" first.`);
  }
}

function describe(err: unknown): string {
  if (err instanceof PlanError || err instanceof LlmError || err instanceof OrchestratorError) {
    return err.message;
  }
  if (err instanceof StoreError || err instanceof UsageError) {
    return err.message;
  }
  return (err as Error)?.message ?? String(err);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = redactKey(describe(err)).replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`opus-orchestrator: ${message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
