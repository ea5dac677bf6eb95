// Output files appear whole or not at all: each is written under a temporary name in
// the destination directory and renamed into place only when every one of them has
// been written. A failure before that removes the temporaries (and a directory we made).
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.js';

export interface OutputFile {
  path: string;
  content: string;
}

/**
 * Throws a CliError now if these files could not be written later: a destination that is a
 * directory (its rename would fail after others had succeeded), or a path through a file.
 * Commands call it before the long part (training), and writeFilesAtomically again.
 */
export function checkWritable(paths: string[]): void {
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // does not exist yet: fine
    }
    if (isDirectory) throw new CliError(`cannot write ${path}: it is a directory`);
    // The nearest existing ancestor must be a directory we may write into.
    let dir = dirname(path);
    for (;;) {
      try {
        if (!statSync(dir).isDirectory()) throw new CliError(`cannot write ${path}: ${dir} is a file, not a directory`);
        break;
      } catch (error) {
        if (error instanceof CliError) throw error;
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new CliError(`cannot write ${path}: ${dir} is not writable`);
    }
  }
}

export function writeFilesAtomically(files: OutputFile[]): void {
  checkWritable(files.map((f) => f.path));
  const madeDirs: string[] = [];
  const temps: { temp: string; path: string }[] = [];
  try {
    for (const file of files) {
      const dir = dirname(file.path);
      const first = mkdirSync(dir, { recursive: true });
      if (first !== undefined) madeDirs.push(first);
      const temp = join(dir, `.${basename(file.path)}.${process.pid}.tmp`);
      temps.push({ temp, path: file.path });
      writeFileSync(temp, file.content, { flag: 'w' });
    }
    for (const { temp, path } of temps) renameSync(temp, path);
  } catch (error) {
    for (const { temp } of temps) {
      try {
        unlinkSync(temp);
      } catch {
        // already renamed or never created
      }
    }
    // A directory made here holds nothing but what this call put in it.
    for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
    const e = error as NodeJS.ErrnoException;
    throw new CliError(`cannot write ${e.path ?? 'the output files'}: ${e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOTDIR' ? 'a path component is a file' : e.message}`);
  }
}
