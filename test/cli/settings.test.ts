/**
 * Every run setting is declared once, in common/settings.ts, and reaches every interface from
 * there: `gmvae train --help`, the New run form, a run's stored config (through the real
 * service and store), and `gmvae runs list` / `runs show`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONFIG_KEYS } from '../../src-main/common/config.ts';
import { Command } from 'commander';
import { settingOptions, settingOverrides } from '../../src-main/cli/commands/train.ts';
import { COLUMN_SETTINGS, SETTINGS, type SettingSpec } from '../../src-main/common/settings.ts';
import { FORM_GROUPS, groupFields } from '../../src-renderer/src/new-run/fields.ts';
import type { NewRunForm as NewRunFormType } from '../../src-renderer/src/new-run/new-run-form.svelte.ts';
import type { ListStore as ListStoreType } from '../../src-renderer/src/lib/list-store.svelte.ts';
import type { RunsStore as RunsStoreType } from '../../src-renderer/src/runs/runs-store.svelte.ts';
import { gmvae } from '../helpers/cli.ts';
import { serviceClient, type ServiceClient } from '../helpers/service-client.ts';
import { enableSvelteModules } from '../helpers/svelte-modules.ts';

enableSvelteModules();
const { NewRunForm } = (await import('../../src-renderer/src/new-run/new-run-form.svelte.ts')) as {
  NewRunForm: typeof NewRunFormType;
};
const { ListStore } = (await import('../../src-renderer/src/lib/list-store.svelte.ts')) as {
  ListStore: typeof ListStoreType;
};
const { RunsStore } = (await import('../../src-renderer/src/runs/runs-store.svelte.ts')) as {
  RunsStore: typeof RunsStoreType;
};

describe('every setting reaches every interface', () => {
  let back: ServiceClient;
  let runId: number;

  before(async () => {
    back = await serviceClient();
    // A run started from the form, with one setting changed from each kind.
    const form = new NewRunForm({
      api: back.api,
      datasets: new ListStore(() => back.api.listDatasets()),
      runs: new RunsStore(back),
    });
    await form.load(null, 'spiral');
    form.values!.lr = '2.5e-4';
    form.values!.xDim = '3';
    form.values!.optimizer = 'adam-reset';
    form.name = 'every-setting';
    const record = await form.submit();
    assert.ok(record, form.error ?? 'the run starts');
    runId = record.id;
  });

  after(async () => {
    await back.close();
  });

  test('the table: one entry per config key, unique flags, and a form section for each group', () => {
    assert.deepEqual(
      SETTINGS.map((s) => s.key),
      [...CONFIG_KEYS],
    );
    assert.equal(new Set(SETTINGS.map((s) => s.flag)).size, SETTINGS.length);
    assert.equal(new Set(SETTINGS.map((s) => s.label)).size, SETTINGS.length);
    // The form lays out its groups; a setting in no group would have no field.
    assert.deepEqual(
      FORM_GROUPS.flatMap((g) => groupFields(g.id).map((s) => s.key)).sort(),
      [...CONFIG_KEYS].sort(),
    );
  });

  test("the run's stored config holds every setting, with the form's changes", async () => {
    const stored = back.store.getRun(runId)!.config;
    assert.deepEqual(Object.keys(stored).sort(), [...CONFIG_KEYS].sort());
    assert.equal(stored.lr, 2.5e-4);
    assert.equal(stored.xDim, 3);
    assert.equal(stored.optimizer, 'adam-reset');
    const detail = await back.api.getRun(runId);
    assert.deepEqual(detail.config, stored);
  });

  test('gmvae train --help lists every setting with its help', async () => {
    const { code, stdout } = await gmvae(back.home, ['train', '--help']);
    assert.equal(code, 0);
    const help = stdout.replace(/\s+/g, ' ');
    for (const spec of SETTINGS) {
      assert.match(help, new RegExp(`${spec.flag} <`), spec.flag);
      assert.ok(help.includes(spec.help.replace(/\s+/g, ' ')), `help of ${spec.flag}`);
      if (spec.kind === 'choice')
        for (const c of spec.choices) assert.ok(help.includes(c), `${spec.flag} ${c}`);
    }
  });

  test("gmvae train's options carry every flag to its setting, parsed by its kind", () => {
    const settings = settingOptions();
    const command = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    for (const { option } of settings) command.addOption(option);
    const given = (s: SettingSpec): string =>
      s.kind === 'choice' ? s.choices.at(-1)! : s.kind === 'int' ? '7' : '0.25';
    command.parse(
      SETTINGS.flatMap((s) => [s.flag, given(s)]),
      { from: 'user' },
    );
    assert.deepEqual(
      settingOverrides(settings, command.opts()),
      Object.fromEntries(SETTINGS.map((s) => [s.key, s.kind === 'choice' ? given(s) : Number(given(s))])),
    );
    assert.throws(() => command.parse(['--k', '2.5'], { from: 'user' }), /not an integer/);
  });

  test('gmvae runs show writes every setting by label, option and formatted value', async () => {
    const { code, stdout } = await gmvae(back.home, ['runs', 'show', String(runId)]);
    assert.equal(code, 0);
    for (const spec of SETTINGS) {
      const row = stdout.split('\n').find((line) => line.startsWith(`${spec.label} `));
      assert.ok(row, `a row for ${spec.label}`);
      assert.ok(row.includes(spec.flag), `${spec.label} names ${spec.flag}`);
    }
    assert.match(stdout, /^Learning rate +--lr +2\.5e-4$/m);
    assert.doesNotMatch(stdout, /xDim/, 'no raw keys');
  });

  test("gmvae runs list has the table's setting columns", async () => {
    const { code, stdout } = await gmvae(back.home, ['runs', 'list']);
    assert.equal(code, 0);
    const [header, row] = stdout.trim().split('\n');
    const columns = header!.trim().split(/\s+/);
    for (const spec of COLUMN_SETTINGS.filter((s) => s.key !== 'epochs'))
      assert.ok(columns.includes((spec.column.plain ?? spec.column.header).toUpperCase()), spec.key);
    assert.deepEqual(columns.slice(5, 14), [
      'ACC',
      'ELBO',
      'K',
      'ARCH',
      'MODEL',
      'M',
      'LAMBDA',
      'LR',
      'SCHEDULE',
    ]);
    assert.deepEqual(row!.trim().split(/\s+/).slice(7, 14), [
      '8',
      'mlp',
      'v2',
      '1',
      '0.5',
      '2.5e-4',
      'constant',
    ]);
  });

  test("a setting the run's formulation does not read: '—' in runs list, marked in runs show", async () => {
    const v1 = back.store.createRun({
      dataset: 'spiral',
      name: 'a-v1-run',
      config: { ...back.store.getRun(runId)!.config, model: 'v1' },
      status: 'completed',
      pid: null,
    });
    const list = await gmvae(back.home, ['runs', 'list']);
    const row = list.stdout.split('\n').find((line) => line.includes('a-v1-run'))!;
    assert.deepEqual(row.trim().split(/\s+/).slice(7, 14), [
      '8',
      'mlp',
      'v1',
      '1',
      '—',
      '2.5e-4',
      'constant',
    ]);
    const show = await gmvae(back.home, ['runs', 'show', String(v1.id)]);
    assert.match(show.stdout, /^λ \(min\. information\) +--lambda +0\.5 \(not used: only the v2 objective/m);
    assert.match(show.stdout, /^Learning rate +--lr +2\.5e-4$/m);
  });
});
