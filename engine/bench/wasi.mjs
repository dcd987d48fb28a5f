// Runs the kubeplay binary compiled for wasm32-wasip1 under node's WASI, so
// the same benchmark code measures the engine as the browser runs it:
//   node engine/bench/wasi.mjs target/wasm32-wasip1/release/kubeplay.wasm bench --nodes 100
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, exit } from 'node:process';

const [, , wasmPath, ...args] = argv;
if (!wasmPath) {
  console.error('usage: node wasi.mjs KUBEPLAY.wasm [kubeplay arguments]');
  exit(2);
}
// returnOnExit: false, so proc_exit ends node at once: node 20's way back
// from proc_exit (returnOnExit: true) crashes with a segmentation fault
// once the module's memory has grown to a few hundred MB.
const wasi = new WASI({ version: 'preview1', args: ['kubeplay', ...args], env: {}, returnOnExit: false });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
