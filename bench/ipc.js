// Child side of the benchmark's IPC: report the listening port once, and this process's CPU
// time whenever the parent asks, so CPU per request is measured inside the proxy itself.
// `beforeExit` (optional) runs on the parent's 'exit' message, e.g. to close a database pool.
export function reportReady(port, beforeExit) {
  process.on('message', (message) => {
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send({ type: 'cpu', micros: usage.user + usage.system });
    } else if (message === 'exit') {
      const fallback = setTimeout(() => process.exit(0), 2_000);
      Promise.resolve(beforeExit?.())
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(fallback);
          process.exit(0);
        });
    }
  });
  process.send({ type: 'ready', port });
}
