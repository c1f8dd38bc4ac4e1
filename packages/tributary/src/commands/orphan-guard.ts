// The orphan guard of `tributary start` under npm (`npm start`, `npx tributary start`): npm runs a
// command through `sh -c`, forwards SIGTERM/SIGINT to that shell, and a shell that dies from the
// signal does not pass it on, so the broker would be left running (an orphan still listening)
// after the command's PID was killed. Started by npm (npm_command in the environment), the broker
// treats losing its parent process (its parent pid changes: the shell or npm is gone) as SIGTERM.
// Outside npm nothing is watched: `nohup tributary start &` keeps running after its shell exits.

/** How often the parent pid is checked (ms). */
const CHECK_INTERVAL_MS = 200;

/** Calls `onOrphaned` once if this process loses its parent while run by npm; returns a stop function. */
export function watchForOrphaning(onOrphaned: () => void, env: NodeJS.ProcessEnv = process.env): () => void {
  if (!env.npm_command) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
