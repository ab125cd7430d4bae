import { z } from 'zod';

type Unwrapped<S> = S extends z.ZodDefault<infer I> ? I : S;
export type PatchShape<T extends z.ZodRawShape> = { [K in keyof T]: z.ZodOptional<Unwrapped<T[K]>> };

/**
 * The input shape of a settings update: every field optional and WITHOUT its
 * default. `Schema.partial()` is not enough — in zod 4 an optional field that
 * wraps a `.default()` still fills the default in, so a patch that names one
 * field would reset every other field to its default (issue #18 item 4). An
 * omitted field here stays `undefined`, and the stored value is kept.
 */
export function patchShape<T extends z.ZodRawShape>(schema: z.ZodObject<T>): PatchShape<T> {
  const out: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
    out[key] = inner.optional();
  }
  return out as PatchShape<T>;
}

/** True when parsing `{}` (plus the given required keys) through `schema` fills in anything: a patch schema must not. */
export function injectsDefaults(schema: z.ZodType, base: Record<string, unknown>): string[] {
  const r = schema.safeParse(base);
  if (!r.success) return [];
  return Object.keys(r.data as object).filter((k) => !(k in base) && (r.data as Record<string, unknown>)[k] !== undefined);
}
