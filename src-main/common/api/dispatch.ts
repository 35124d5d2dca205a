/**
 * The generic server side of the contract: validates a request's method name and calls the
 * implementation. Errors become one-line messages for the interface.
 */
import { isApiMethod, type ApiResponseMessage, type WorkbenchApi } from './contract.ts';

export async function dispatch(
  api: WorkbenchApi,
  id: number,
  method: unknown,
  args: unknown,
): Promise<ApiResponseMessage> {
  if (!isApiMethod(method))
    return { kind: 'response', id, ok: false, error: `unknown method ${String(method)}` };
  if (!Array.isArray(args))
    return { kind: 'response', id, ok: false, error: `arguments of ${method} must be a list` };
  try {
    const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
    const result = await fn.apply(api, args);
    return { kind: 'response', id, ok: true, result: result ?? null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'response', id, ok: false, error: message.split('\n')[0]! };
  }
}
