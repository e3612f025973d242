declare module 'async-exit-hook' {
  interface TAsyncExitHook {
    (hook: (done?: () => void) => void): void;
    /** Stops handling one of the events it listens to ('exit', 'beforeExit', 'SIGINT', …). */
    unhookEvent(event: string): void;
    hookedEvents(): string[];
  }
  const asyncExitHook: TAsyncExitHook;
  export default asyncExitHook;
}
