// Preloaded into a child started with --cpu-prof: SIGUSR2 exits normally, so Node writes the profile
// (a signal's default action, or a framework's shutdown hook re-raising it, would skip that).
process.on('SIGUSR2', () => process.exit(0));
