/** --in-place safety: the files must be committed (a clean git tree) so the migration can be reviewed and undone. */
import { spawnSync } from 'node:child_process';

export type TreeState = { clean: true } | { clean: false; why: string };

export function gitTreeState(paths: string[], cwd: string): TreeState {
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd, encoding: 'utf8' });
  if (inside.status !== 0) return { clean: false, why: 'the inputs are not in a git repository, so the change could not be undone' };
  const st = spawnSync('git', ['status', '--porcelain', '--', ...paths], { cwd, encoding: 'utf8' });
  if (st.status !== 0) return { clean: false, why: `git status failed: ${st.stderr.trim()}` };
  const dirty = st.stdout.split('\n').filter(Boolean);
  if (dirty.length) return { clean: false, why: `the git tree has uncommitted changes (${dirty.length} path(s), e.g. ${dirty[0].slice(3)})` };
  return { clean: true };
}
