export { processWide } from './process-wide';
export { onProcessStop, runProcessStop } from './process-stop';
