/**
 * What can be done to a run, from the Runs table or the Run screen: pause, resume, stop, train
 * further, duplicate with changes, edit (rename, tags, notes), export, delete. The dialogs live in
 * RunDialogs.svelte, mounted once; this holds which one is open and for which run.
 */
import {
  canResumeHere,
  resumeBlocker,
  trainFurtherBlocker,
  type RunRecord,
  type RunResumeFacts,
} from '@common/run.ts';
import type { MenuItem } from '../components/Menu.svelte';
import { notices } from '../components/notices.svelte.ts';
import { api } from '../lib/api.svelte.ts';
import { errorText } from '../lib/format.ts';
import { router } from '../lib/router.svelte.ts';
import { href } from '../lib/routes.ts';
import { runs } from './runs.svelte.ts';

type RunRef = Pick<RunRecord, 'id' | 'name'> & RunResumeFacts;

/** "This run cannot <what>: <why>", or undefined when nothing blocks it. */
const sentence = (what: string, why: string | null): string | undefined =>
  why === null ? undefined : `This run cannot ${what}: ${why}`;

/** A menu item greyed, with the reason on hover, exactly when a reason blocks it. */
const greyedBy = (hint: string | undefined): Pick<MenuItem, 'disabled' | 'hint'> => ({
  disabled: hint !== undefined,
  hint,
});

class RunActions {
  editing = $state<RunRef | null>(null);
  deleting = $state<RunRef | null>(null);
  exporting = $state<RunRef | null>(null);
  furthering = $state<RunRef | null>(null);
  busy = $state<Record<number, string>>({});

  canPause = (run: RunRef) => run.status === 'running';
  canResume: (run: RunRef) => boolean = canResumeHere;
  canStop = (run: RunRef) => run.status === 'running' || run.status === 'paused';
  /** What a greyed Resume says on hover: the store's reason, in a sentence. */
  resumeHint = (run: RunRef): string | undefined => sentence('resume here', resumeBlocker(run));
  /** What a greyed Train further says on hover; undefined exactly when it can train further. */
  trainFurtherHint = (run: RunRef): string | undefined => sentence('train further', trainFurtherBlocker(run));

  async #do(run: RunRef, verb: string, fn: () => Promise<void>): Promise<void> {
    this.busy[run.id] = verb;
    try {
      await fn();
      runs.refreshSoon(100);
    } catch (error) {
      notices.push('error', `Could not ${verb} “${run.name}”`, errorText(error));
    } finally {
      delete this.busy[run.id];
    }
  }

  pause = (run: RunRef) => this.#do(run, 'pause', () => api.pauseRun(run.id));
  resume = (run: RunRef) => this.#do(run, 'resume', () => api.resumeRun(run.id));
  stop = (run: RunRef) => this.#do(run, 'stop', () => api.stopRun(run.id));
  /** Rejects with the back end's reason; the dialog shows it. */
  trainFurther = async (run: RunRef, epochs: number): Promise<void> => {
    await api.trainFurther(run.id, epochs);
    runs.refreshSoon(100);
  };
  duplicate = (run: RunRef) => router.go(href.newRun({ from: run.id }));

  menu(run: RunRef): MenuItem[] {
    return [
      { label: 'Pause', onselect: () => void this.pause(run), disabled: !this.canPause(run) },
      {
        label: run.status === 'paused' ? 'Resume' : 'Resume training',
        onselect: () => void this.resume(run),
        ...greyedBy(this.resumeHint(run)),
      },
      { label: 'Stop', onselect: () => void this.stop(run), disabled: !this.canStop(run) },
      {
        label: 'Train further…',
        onselect: () => (this.furthering = run),
        ...greyedBy(this.trainFurtherHint(run)),
      },
      { label: 'Duplicate with changes…', onselect: () => this.duplicate(run) },
      { label: 'Rename, tags, notes…', onselect: () => (this.editing = run) },
      { label: 'Export…', onselect: () => (this.exporting = run) },
      { label: 'Delete…', onselect: () => (this.deleting = run), danger: true },
    ];
  }
}

export const runActions = new RunActions();
