// Runs one of the admin interop drivers (py/admin_*.py) as a child process: JSON request on stdin,
// one JSON line answered on stdout. Asynchronous, because the broker under test lives in this
// process; SIGKILLed after the timeout.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './tools.ts';

export function runAdminDriver(script: string, input: object, timeoutMs = 60_000): Promise<any> {
  const path = fileURLToPath(new URL(`./py/${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [path], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} output is not JSON: ${stdout.slice(-500)} ${stderr.slice(-1000)}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
