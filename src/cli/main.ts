process.stdout.write('opus-orchestrator\n');
