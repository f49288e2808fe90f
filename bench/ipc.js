// Child side of the benchmark's IPC: report the listening port once, and this process's CPU
// time whenever the parent asks, so CPU per request is measured inside the proxy itself.
export function reportReady(port) {
  process.on('message', (message) => {
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send({ type: 'cpu', micros: usage.user + usage.system });
    } else if (message === 'exit') {
      process.exit(0);
    }
  });
  process.send({ type: 'ready', port });
}
