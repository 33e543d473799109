// Shared page helpers: API errors next to the field they name, pagination state.
import { reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api, ApiError, type Violation } from './api/client';
import { errorsByField } from './lib/apiErrors';

/**
 * Errors by field for `el-form-item :error`. `run` shows an API error next to its
 * `field` (or every violation of a 422 RULES_FAILED at once); errors without a field go
 * to `general`, shown above the form.
 */
export function useApiErrors() {
  const fields = reactive<Record<string, string>>({});
  const general = ref('');
  const violations = ref<Violation[]>([]);
  function clear() {
    for (const k of Object.keys(fields)) delete fields[k];
    general.value = '';
    violations.value = [];
  }
  function show(e: unknown) {
    clear();
    if (e instanceof ApiError) {
      violations.value = e.violations;
      const mapped = errorsByField(e.body);
      Object.assign(fields, mapped.fields);
      general.value = mapped.general;
    } else {
      general.value = '网络异常，请稍后重试';
    }
  }
  async function run<T>(f: () => Promise<T>, ok?: string): Promise<T | undefined> {
    clear();
    try {
      const r = await f();
      if (ok) ElMessage.success(ok);
      return r;
    } catch (e) {
      show(e);
      return undefined;
    }
  }
  return { fields, general, violations, clear, show, run };
}

export function usePager(pageSize = 10) {
  return reactive({ page: 1, page_size: pageSize, total: 0 });
}

/**
 * The server's day (`today` of GET /api/health, Asia/Shanghai), never the browser's: the
 * test clock moves it, and deadlines and default years count from it. `undefined` when
 * the health check cannot be read.
 */
export async function serverToday(): Promise<string | undefined> {
  return api<{ today: string }>('/api/health', { auth: false }).then(
    (h) => h.today,
    () => undefined,
  );
}
