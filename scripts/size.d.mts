/** The pages a browser loads and their files (see size.mjs). */
export function pages(): { page: string; simd: boolean; threads?: boolean; files: string[] }[];
/** The pages with their sizes, summed over their files. */
export function pageSizes(): { page: string; simd: boolean; threads: boolean; files: string[]; bytes: number; gzipped: number }[];
/** One file's size, raw and gzipped at zlib's default level. */
export function gzippedSize(file: string): { file: string; bytes: number; gzipped: number };
/** The bundled example's files. */
export function bundledFiles(): { main: string; scalar: string[]; threads: string[] };
