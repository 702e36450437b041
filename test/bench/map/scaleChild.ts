import { LlmClient } from '../../../src/core/llm/client';
import { modelFor } from '../../../src/core/models';
import { planTask } from '../../../src/core/plan/planner';
import { buildRepoMap } from '../../../src/core/plan/repoMap';
import { WorkspaceRules } from '../../../src/core/workspace/rules';
import { jsonReply } from '../../fake-anthropic/replies';
import { startFakeAnthropic } from '../../fake-anthropic/server';

/**
 * One planning pass in a fresh process, as the CLI makes it: ignore rules, the map of the workspace, the planner's
 * request to the local Messages API and the plan's validation. Run twice in one process it measures a re-plan with
 * the in-memory caches (the extension); run with `persist`, it keeps its caches on disk (the CLI), so a second process
 * measures a re-plan from them. Prints one JSON line.
 */
const KEY = 'sk-ant-bench-map-scale-0000000000';

async function planOnce(root: string, task: string, target: string, persist: boolean) {
  const fake = await startFakeAnthropic({ apiKey: KEY });
  try {
    fake.enqueue(
      jsonReply({
        goal: task,
        subtasks: [
          {
            id: 'change',
            title: 'Make the change',
            instructions: task,
            model: 'sonnet',
            effort: 'medium',
            oneReply: false,
            files: [{ path: target, create: false, focus: { symbols: [], lines: [] } }],
            acceptanceCriteria: ['The change is made.'],
            dependsOn: [],
          },
        ],
      }),
    );
    const cpu = process.cpuUsage();
    const started = performance.now();
    const rules = await WorkspaceRules.load(root);
    const map = await buildRepoMap({ root, task, rules, persistCache: persist });
    await planTask({
      llm: new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 }),
      model: modelFor('opus'),
      task,
      repoMap: map.text,
      root,
      rules,
      tools: { listing: map.listing, describe: map.describe },
    });
    const used = process.cpuUsage(cpu);
    return {
      ms: Math.round(performance.now() - started),
      cpuMs: Math.round((used.user + used.system) / 1000),
      mapTokens: map.tokens,
      files: map.fileCount,
    };
  } finally {
    await fake.close();
  }
}

async function main(): Promise<void> {
  const [root, target, mode] = process.argv.slice(2) as [string, string, string];
  const task = `Add an audit note to ${target.slice(target.lastIndexOf('/') + 1, -3)} when it saves a record`;
  const first = await planOnce(root, task, target, mode === 'persist');
  const again = mode === 'twice' ? await planOnce(root, `${task}, and log it`, target, false) : undefined;
  const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ first, again, maxRssMB }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
