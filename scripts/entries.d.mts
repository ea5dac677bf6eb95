/** One entry of the package (see entries.mjs). */
export interface Entry {
  name: string;
  subpath: string;
  source: string;
  group: 'library' | 'node';
}
export const ENTRIES: readonly Entry[];
/** `{ name: source }` of one group's entries. */
export function inputs(group: Entry['group']): Record<string, string>;
