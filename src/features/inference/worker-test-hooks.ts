/**
 * The worker's half of the test hooks (the page's is src/app/test-hooks.ts): tfjs's memory, to
 * prove inference leaks no tensors and that a GPU backend really computed, and a simulated WebGL
 * context loss. Only test builds import it (__TEST_HOOKS__); a production worker answers neither.
 */
import { tf, webglContext } from './backends';
import type { LoseContextRequest, MemoryRequest, WorkerMessage } from '../../lib/worker-protocol/messages';

export function answerTestHook(m: MemoryRequest | LoseContextRequest, post: (m: WorkerMessage) => void): void {
  if (m.type === 'lose-context') {
    webglContext()?.getExtension('WEBGL_lose_context')?.loseContext();
    return;
  }
  // WebGL reports textures as numBytesInGPUAllocated, WebGPU its buffers as numBytesAllocatedInGPU.
  const mem = tf.memory() as ReturnType<typeof tf.memory> & { numBytesInGPUAllocated?: number; numBytesAllocatedInGPU?: number };
  post({ type: 'memory', numTensors: mem.numTensors, numBytes: mem.numBytes, gpuBytesAllocated: mem.numBytesInGPUAllocated ?? mem.numBytesAllocatedInGPU ?? null });
}
