/**
 * Chapter 9, "Memory as it really is": frozen weights, activations kept for the backward pass,
 * gradients and Adam's state of one training step, read off the engine's training graph (see
 * ./practice.ts and demos/lm/practice.ts), on the chapter-8 model and chapter 6's 7B one.
 */
export { practiceMemory, LLAMA_7B } from './practice';
