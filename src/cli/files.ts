// Output files appear whole or not at all: each is written under a temporary name in
// the destination directory and renamed into place only when every one of them has
// been written. A failure before that removes the temporaries (and a directory we made).
import { mkdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.js';

export interface OutputFile {
  path: string;
  content: string;
}

export function writeFilesAtomically(files: OutputFile[]): void {
  // A destination that is a directory would fail its rename after others had succeeded: refuse first.
  for (const file of files) {
    let isDirectory = false;
    try {
      isDirectory = statSync(file.path).isDirectory();
    } catch {
      // does not exist yet: fine
    }
    if (isDirectory) throw new CliError(`cannot write ${file.path}: it is a directory`);
  }
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
