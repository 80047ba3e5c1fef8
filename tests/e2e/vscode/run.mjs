// End-to-end test of the unleak VS Code extension in real VS Code (code-server, the web build
// of VS Code), driven like a person would through Debian's chromium with playwright-core.
//
//   node tests/e2e/vscode/run.mjs   (tests/e2e/test_vscode.py runs it and reads the result)
//
// Environment (all required but the last ones):
//   UNLEAK_E2E_VSIX        the .vsix to install
//   UNLEAK_E2E_TOOLS       the folder of scripts/setup_e2e.sh (node 24, code-server, playwright-core)
//   UNLEAK_E2E_ARTIFACTS   folder for screenshots, logs and result.json (emptied by the caller)
//   UNLEAK_E2E_PYTHON      the interpreter for the extension's `unleak.interpreter` setting
//   UNLEAK_E2E_CHROMIUM    default /usr/bin/chromium
//   UNLEAK_E2E_TIMEOUT_MS  the first diagnostics' time limit, default 120000
//   UNLEAK_E2E_SETTINGS    JSON object of extra user settings (e.g. for a development build)
//   UNLEAK_E2E_TOTAL_MS    the whole run's time limit (a watchdog), default 690000
//
// Steps: install the .vsix into a fresh extensions folder; start code-server on 127.0.0.1 (a
// free port, no auth, fresh user data, its own process group); open a fresh copy of the
// workspace; open leaky.py; wait for the warning squiggle and the Problems entry; hover the
// squiggle and read the explanation; Ctrl+. and apply the quick fix; Ctrl+S; read the file
// from disk (the fixed code) and see the warning go; type a new leak and see its squiggle;
// save and run "unleak: Trace leaks while running…" on a program calling it: the leak the run
// saw appears in Problems (UL900) and the static finding says the run confirmed it; type an
// unfinished function (`def `, `f = `, `return f.`) and see no syntax error flash while typing
// (it shows after a pause); type an unfinished line inside a flagged function and see its
// warning stay on in every sample (15 ms apart) while the function does not parse; open a
// file whose analysis fails on purpose (UNLEAK_LSP_FAULT): a notification and the status item
// say so, once (an edit does not notify again), and the status item is back to ready when it
// is closed; open a notebook with a leak in a cell, see the squiggle in the cell, apply its
// quick fix and save; restart the server: the status item says starting, then ready with the
// Python, and the log has the clean exit as information. From the hover, the rule's full text
// opens in a Markdown preview (the docs/rules.md shipped in the .vsix).
// Each step leaves a screenshot NN-name.png; a failure leaves failure.png and exits 1 with
// the reason in result.json. Everything is torn down at the end (the process group killed).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};

const VSIX = path.resolve(env('UNLEAK_E2E_VSIX'));
const TOOLS = path.resolve(env('UNLEAK_E2E_TOOLS'));
const ARTIFACTS = path.resolve(env('UNLEAK_E2E_ARTIFACTS'));
const PYTHON = env('UNLEAK_E2E_PYTHON');
const CHROMIUM = env('UNLEAK_E2E_CHROMIUM', '/usr/bin/chromium');
const FIRST_DIAGNOSTICS_MS = Number(env('UNLEAK_E2E_TIMEOUT_MS', '120000'));
const STEP_MS = 30000;

const LEAKY = [
  'def read_config(path):',
  '    f = open(path)',
  '    data = f.read()',
  '    return data',
  '',
].join('\n');
const FIXED = [
  'def read_config(path):',
  '    with open(path) as f:',
  '        data = f.read()',
  '    return data',
  '',
].join('\n');

const RUN_APP = ['from leaky import first_line', '', 'for _ in range(2):', '    first_line(__file__)', ''].join('\n');
// A file whose analysis raises on purpose: the server runs with UNLEAK_LSP_FAULT set to its name.
const FAULT_MARKER = 'unleak_fault_demo';
const NOTEBOOK_CELL = ['def read_config(path):', '    f = open(path)', '    data = f.read()', '    return data'];
const NOTEBOOK = {
  cells: [
    {
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: NOTEBOOK_CELL.map((line, i) => (i < NOTEBOOK_CELL.length - 1 ? `${line}\n` : line)),
    },
  ],
  metadata: {
    kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
    language_info: { name: 'python' },
  },
  nbformat: 4,
  nbformat_minor: 5,
};

const result = { steps: [], screenshots: [] };
const started = Date.now();
const log = (message) => {
  const line = `[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`;
  result.steps.push(line);
  console.log(line);
};
const writeResult = () =>
  fs.writeFileSync(path.join(ARTIFACTS, 'result.json'), JSON.stringify(result, null, 2));

class StepError extends Error {}
const fail = (message) => {
  throw new StepError(message);
};

// --- Tools -------------------------------------------------------------------------------

function findNode24() {
  const stack = [path.join(TOOLS, 'node', 'node_modules')];
  while (stack.length) {
    const dir = stack.pop();
    if (!fs.existsSync(dir)) continue;
    const candidate = path.join(dir, 'bin', 'node');
    if (fs.existsSync(path.join(dir, 'include', 'node', 'node.h')) && fs.existsSync(candidate)) {
      return candidate;
    }
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) stack.push(path.join(dir, entry.name));
    }
  }
  fail(`no Node 24 under ${TOOLS}/node (run scripts/setup_e2e.sh)`);
}

const NODE24 = findNode24();
const CODE_SERVER = path.join(TOOLS, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const { chromium } = createRequire(path.join(TOOLS, 'playwright', 'package.json'))('playwright-core');

// --- code-server -------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function codeServerEnv(run) {
  return {
    ...process.env,
    PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
    HOME: path.join(run, 'home'),
    XDG_CONFIG_HOME: path.join(run, 'home', '.config'),
    XDG_DATA_HOME: path.join(run, 'home', '.local', 'share'),
    XDG_CACHE_HOME: path.join(run, 'home', '.cache'),
    // The server's test hook: analysing a document whose URI or text contains this raises.
    UNLEAK_LSP_FAULT: FAULT_MARKER,
    // No marketplace: any gallery request goes to a closed local port.
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: 'http://127.0.0.1:9/gallery',
      itemUrl: 'http://127.0.0.1:9/items',
      resourceUrlTemplate: 'http://127.0.0.1:9/{publisher}/{name}/{version}/{path}',
    }),
  };
}

function installExtension(run, dirs) {
  const args = [
    CODE_SERVER,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--install-extension', VSIX,
  ];
  const proc = spawnSync(NODE24, args, { env: codeServerEnv(run), encoding: 'utf8', timeout: 120000 });
  fs.writeFileSync(path.join(ARTIFACTS, 'install-extension.log'), `${proc.stdout}\n${proc.stderr}`);
  if (proc.status !== 0) {
    fail(`code-server --install-extension failed (${proc.status ?? proc.signal}): ${proc.stderr || proc.stdout}`);
  }
  const installed = fs.readdirSync(dirs.extensions).filter((name) => name.startsWith('unleak.'));
  if (!installed.length) fail(`the .vsix did not install into ${dirs.extensions}: ${proc.stdout}`);
  log(`installed ${installed.join(', ')}`);
}

async function startCodeServer(run, dirs, port) {
  const logFile = fs.openSync(path.join(ARTIFACTS, 'code-server.log'), 'w');
  const args = [
    CODE_SERVER,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--config', path.join(run, 'code-server.yaml'),
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--log', 'info',
    dirs.workspace,
  ];
  fs.writeFileSync(path.join(run, 'code-server.yaml'), 'cert: false\n');
  const child = spawn(NODE24, args, {
    env: codeServerEnv(run),
    detached: true, // its own process group, killed as a whole at the end
    stdio: ['ignore', logFile, logFile],
  });
  running.server = child;
  // For the caller, in case this driver itself is killed: the group to kill.
  fs.writeFileSync(path.join(ARTIFACTS, 'code-server.pgid'), String(child.pid));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 250))]);
    if (early !== undefined) fail(`code-server exited early (${early}); see code-server.log`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
  }
  fail('code-server did not answer /healthz within 60 s');
}

function killGroup(child) {
  if (!child || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return; // the group is gone
    }
    spawnSync('sleep', ['0.1']);
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

// --- The workbench -----------------------------------------------------------------------

let shot = 0;
async function screenshot(page, name) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  result.screenshots.push(file);
  log(`screenshot ${file}`);
  return file;
}

async function waitFor(what, fn, timeout = STEP_MS, interval = 250) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  fail(`timed out after ${timeout / 1000} s waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
}

const editor = (page) => page.locator('.editor-group-container.active .monaco-editor').first();

async function editorText(page) {
  // The view lines of the (small) file, as rendered; non-breaking spaces back to spaces.
  const lines = await editor(page).locator('.view-lines .view-line').evaluateAll((nodes) =>
    nodes
      .map((n) => ({ top: parseFloat(n.style.top), text: n.textContent }))
      .sort((a, b) => a.top - b.top)
      .map((n) => n.text.replace(/\u00a0/g, ' ')),
  );
  return lines.join('\n');
}

async function runCommand(page, command) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  await input.fill(`>${command}`);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: STEP_MS });
  await page.keyboard.press('Enter');
}

// Quick Open (Ctrl+P), the file's name, Enter. Retried: right after start-up the file
// search may not have the workspace yet.
async function openFile(page, name) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
  const tab = page.locator(`.tab[aria-label^="${name}"]`).first();
  await waitFor(`Quick Open to open ${name}`, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(name);
    await row.waitFor({ timeout: 5000 });
    await page.keyboard.press('Enter');
    await tab.waitFor({ timeout: 5000 });
    return true;
  }, STEP_MS * 2, 500);
}

async function squiggles(page) {
  return editor(page).locator('.squiggly-warning, .squiggly-error, .squiggly-info').count();
}

// The 1-based editor lines that have a squiggle (by vertical position against the line numbers);
// `kinds` narrows it to some (e.g. '.squiggly-error').
async function squiggleLines(page, kinds = '.squiggly-warning, .squiggly-error, .squiggly-info') {
  return editor(page).evaluate((root, kinds) => {
    const numbers = [...root.querySelectorAll('.line-numbers')].map((n) => ({
      line: Number(n.textContent),
      top: n.getBoundingClientRect().top,
    }));
    const lines = new Set();
    for (const s of root.querySelectorAll(kinds)) {
      const top = s.getBoundingClientRect().top;
      const nearest = numbers.reduce((a, b) => (Math.abs(b.top - top) < Math.abs(a.top - top) ? b : a));
      lines.add(nearest.line);
    }
    return [...lines].sort((a, b) => a - b);
  }, kinds);
}

const errorLines = (page) => squiggleLines(page, '.squiggly-error');

// Record the editor's squiggle lines many times a second (in the page, between keystrokes too)
// until stopped: a squiggle that blinks off for a moment shows as a sample without it.
async function startRecording(page) {
  await editor(page).evaluate((root) => {
    const linesOf = (kinds) => {
      const numbers = [...root.querySelectorAll('.line-numbers')].map((n) => ({
        line: Number(n.textContent),
        top: n.getBoundingClientRect().top,
      }));
      const lines = new Set();
      for (const s of root.querySelectorAll(kinds)) {
        const top = s.getBoundingClientRect().top;
        const nearest = numbers.reduce((a, b) => (Math.abs(b.top - top) < Math.abs(a.top - top) ? b : a));
        lines.add(nearest.line);
      }
      return [...lines].sort((a, b) => a - b);
    };
    const samples = [];
    const started = performance.now();
    window.__unleakSamples = samples;
    window.__unleakTimer = setInterval(() => {
      const text = [...root.querySelectorAll('.view-lines .view-line')]
        .map((n) => ({ top: parseFloat(n.style.top), text: n.textContent.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((n) => n.text);
      samples.push({
        ms: Math.round(performance.now() - started),
        lines: linesOf('.squiggly-warning, .squiggly-error, .squiggly-info'),
        errors: linesOf('.squiggly-error'),
        text: text.join('\n'),
      });
    }, 15);
  });
}

async function stopRecording(page) {
  return editor(page).evaluate(() => {
    clearInterval(window.__unleakTimer);
    return window.__unleakSamples;
  });
}

// The Problems panel's rows (entries and their related locations), as text.
const problemRows = (page) => page.locator('.markers-panel .monaco-list-row').allInnerTexts();

// The language status hover ("{}" in the status bar): its entries' text.
async function languageStatus(page) {
  const entry = page.locator('[id="status.languageStatus"]').first();
  await entry.waitFor({ timeout: STEP_MS });
  await entry.hover();
  const popup = page.locator('.monaco-hover:not(.hidden) .hover-language-status').first();
  await popup.waitFor({ timeout: 10000 });
  return popup.innerText();
}

// Close a hover that would take the next click (the mouse away from what opened it).
async function dismissHover(page) {
  await page.mouse.move(700, 300);
  const open = page.locator('.monaco-hover:not(.hidden) .hover-language-status');
  await open.waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
}

// The text of the unleak output channel's log file(s) in the user data folder, as written so far.
function unleakLog(userData) {
  const logs = path.join(userData, 'logs');
  if (!fs.existsSync(logs)) return '';
  return fs
    .readdirSync(logs, { recursive: true })
    .filter((f) => /unleak\.unleak[\\/][^\\/]+\.log$/.test(f))
    .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
    .join('\n');
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'unleak-vscode-e2e-'));
  const dirs = {
    userData: path.join(run, 'user-data'),
    extensions: path.join(run, 'extensions'),
    workspace: path.join(run, 'workspace'),
  };
  result.run = run;
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'unleak.interpreter': PYTHON,
        'unleak.logLevel': 'debug',
        'files.autoSave': 'off',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'chat.disableAIFeatures': true,
        'editor.hover.delay': 300,
        'editor.minimap.enabled': false,
        'editor.lightbulb.enabled': 'on',
        'window.commandCenter': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        // Step 7 runs this program under `unleak trace` (the default is the project's pytest).
        'unleak.trace.command': [PYTHON, 'run_app.py'],
        ...JSON.parse(process.env.UNLEAK_E2E_SETTINGS || '{}'),
      },
      null,
      2,
    ),
  );
  const leakyPath = path.join(dirs.workspace, 'leaky.py');
  fs.writeFileSync(leakyPath, LEAKY);
  // For step 7: a project root (where the trace report goes) and a program that calls the
  // function typed in step 6 twice.
  fs.writeFileSync(path.join(dirs.workspace, 'pyproject.toml'), '[project]\nname = "e2e"\n');
  fs.writeFileSync(path.join(dirs.workspace, 'run_app.py'), RUN_APP);
  fs.writeFileSync(path.join(dirs.workspace, `${FAULT_MARKER}.py`), LEAKY);
  const notebookPath = path.join(dirs.workspace, 'notebook.ipynb');
  fs.writeFileSync(notebookPath, JSON.stringify(NOTEBOOK, null, 1));

  installExtension(run, dirs);
  const port = await freePort();
  let server;
  let browser;
  let page;
  try {
    server = await startCodeServer(run, dirs, port);
    log(`code-server on 127.0.0.1:${port} (pid ${server.pid})`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    const consoleLog = fs.createWriteStream(path.join(ARTIFACTS, 'browser-console.log'));
    page.on('console', (message) => consoleLog.write(`${message.type()}: ${message.text()}\n`));
    page.on('pageerror', (error) => consoleLog.write(`pageerror: ${error.message}\n`));

    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
    await page.locator('.explorer-folders-view, .pane-body').first().waitFor({ timeout: 90000 });
    log('workbench loaded');
    await screenshot(page, 'workbench');

    // 1. Open the leaky file: the extension activates on Python and the warning appears.
    await openFile(page, 'leaky.py');
    await editor(page).locator('.view-lines').waitFor({ timeout: STEP_MS });
    log('leaky.py open');
    await waitFor('the warning squiggle on leaky.py', async () => (await squiggles(page)) > 0, FIRST_DIAGNOSTICS_MS);
    result.initialSquiggles = await squiggles(page);
    result.initialSeverity = (await editor(page).locator('.squiggly-warning').count()) ? 'warning' : 'other';
    result.initialSquiggleLine = await squiggleLines(page);
    log(`squiggles: ${result.initialSquiggles}`);
    await screenshot(page, 'squiggle');

    // 2. The Problems panel lists it.
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'UL101' }).first();
    await problem.waitFor({ timeout: STEP_MS });
    result.problems = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    log(`problems: ${JSON.stringify(result.problems)}`);
    await screenshot(page, 'problems');

    // 3. Hover the squiggle: the explanation. Focus the editor first (a click at the end of
    // line 1), then move the mouse onto the squiggle as a person would; the hover shows after
    // editor.hover.delay. The mouse is moved off and back between tries.
    const squiggle = editor(page).locator('.squiggly-warning').first();
    const box = await squiggle.boundingBox();
    if (!box) fail('the squiggle has no bounding box');
    const lineOne = await editor(page).locator('.view-line').first().boundingBox();
    await page.mouse.click(lineOne.x + lineOne.width - 5, lineOne.y + lineOne.height / 2);
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'UL101' }).first();
    let attempt = 0;
    await waitFor(
      'the hover over the squiggle',
      async () => {
        attempt += 1;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height * 4);
        await page.waitForTimeout(200);
        await page.mouse.move(box.x + 4, box.y + box.height / 2, { steps: 4 });
        await page.mouse.move(box.x + 8, box.y + box.height / 2, { steps: 2 });
        const shown = await hover.waitFor({ timeout: 4000 }).then(() => true, () => false);
        if (!shown) {
          const hovers = await page.locator('.monaco-hover').evaluateAll((nodes) => nodes.map((n) => `${n.className}: ${n.textContent.slice(0, 60)}`));
          log(`hover attempt ${attempt}: not shown; hover widgets: ${JSON.stringify(hovers)}`);
        }
        return shown;
      },
      STEP_MS * 2,
      0,
    );
    result.hoverAttempts = attempt;
    result.hover = await hover.innerText();
    result.hoverLines = result.hover.split('\n').filter((line) => line.trim() !== '').length;
    log(`hover: ${JSON.stringify(result.hover.slice(0, 300))}`);
    await screenshot(page, 'hover');

    // 3b. The hover's "Full rule" link: the rule's section of the shipped docs/rules.md in a
    // Markdown preview (offline), then back to the file.
    await hover.locator('a', { hasText: 'Full rule' }).first().click();
    const previewTab = page.locator('.tab', { hasText: 'ul101-not-released' }).first();
    await previewTab.waitFor({ timeout: STEP_MS });
    result.ruleDocsTab = await previewTab.getAttribute('aria-label');
    // The preview's webview is laid over the editor group (not inside it) while its tab shows.
    await page.locator('iframe.webview').first().waitFor({ state: 'attached', timeout: STEP_MS });
    await page.waitForTimeout(1500); // the preview renders inside its webview
    log(`rule docs opened: ${result.ruleDocsTab}`);
    await screenshot(page, 'rule-docs');
    await page.keyboard.press('Control+W');
    await page.locator('.tab.active[aria-label^="leaky.py"]').waitFor({ timeout: STEP_MS });
    await editor(page).locator('.squiggly-warning').first().waitFor({ timeout: STEP_MS });

    // 4. Ctrl+. on the flagged line: the quick fix menu; apply the fix.
    // Click into the squiggle (by position: the text layer above it takes the click).
    await page.mouse.move(box.x + 3, box.y + box.height / 2);
    await page.keyboard.press('Escape');
    await page.mouse.click(box.x + 3, box.y + box.height / 2);
    await page.waitForTimeout(300);
    const lightbulb = editor(page).locator('.lightBulbWidget, .codicon-lightbulb, .codicon-lightbulb-autofix').first();
    result.lightbulbVisible = await lightbulb.isVisible({ timeout: 10000 }).catch(() => false);
    const menu = page.locator('.action-widget', { hasText: 'Quick Fix' }).first();
    const fix = menu.locator('.monaco-list-row', { hasText: 'UL101' }).filter({ hasNotText: 'Ignore' }).first();
    let presses = 0;
    await waitFor('the quick fix menu (Ctrl+.) with the UL101 fix', async () => {
      presses += 1;
      if (presses > 1) await page.keyboard.press('Escape');
      await page.keyboard.press('Control+.');
      await fix.waitFor({ timeout: 5000 });
      return true;
    }, STEP_MS * 2, 500);
    result.quickFixPresses = presses;
    result.codeActions = await menu.locator('.monaco-list-row').allInnerTexts();
    log(`code actions: ${JSON.stringify(result.codeActions)}`);
    await screenshot(page, 'quick-fix-menu');
    await fix.click();
    await waitFor('the fixed text in the editor', async () => (await editorText(page)).includes('with open(path) as f:'));
    await screenshot(page, 'fixed-unsaved');
    result.unsavedOnDisk = fs.readFileSync(leakyPath, 'utf8') === LEAKY;
    if (!result.unsavedOnDisk) fail('the file on disk changed before the save (auto save is off)');

    // 5. Save; the file on disk is the fixed code, and the warning is gone.
    await page.keyboard.press('Control+S');
    await waitFor('the fixed file on disk', async () => fs.readFileSync(leakyPath, 'utf8') === FIXED);
    result.savedText = fs.readFileSync(leakyPath, 'utf8');
    await waitFor('the squiggle to go', async () => (await squiggles(page)) === 0);
    await waitFor('the Problems entry to go', async () => (await page.locator('.markers-panel .monaco-list-row', { hasText: 'UL101' }).count()) === 0);
    result.squigglesAfterFix = await squiggles(page);
    log('fixed, saved, no warning');
    await screenshot(page, 'saved');

    // 6. Type a new leak at the end of the file: a squiggle appears on it.
    await editor(page).locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('def first_line(path):', { delay: 20 });
    await page.keyboard.press('Enter'); // VS Code indents the body
    await page.keyboard.type('return open(path).readline()', { delay: 20 });
    // Wait for the state the typed text settles in (intermediate versions may be flagged too).
    await waitFor(
      'one squiggle, on line 7 (the typed leak)',
      async () => JSON.stringify(await squiggleLines(page)) === '[7]' && (await squiggles(page)) === 1,
      STEP_MS,
    );
    result.typedText = await editorText(page);
    result.typedSquiggles = await squiggles(page);
    result.typedSquiggleLine = await squiggleLines(page);
    const problemsAfter = page.locator('.markers-panel .monaco-list-row', { hasText: 'Ln 7, Col 12' }).first();
    await problemsAfter.waitFor({ timeout: STEP_MS });
    result.typedProblems = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    log(`typed leak reported: ${JSON.stringify(result.typedProblems)}`);
    await screenshot(page, 'typed-leak');

    // 7. Save, run a program calling the typed function under `unleak trace` with the
    // command "Trace leaks while running…": the leak it saw appears at line 7 (UL900) and
    // the static finding there says the run confirmed it.
    await page.keyboard.press('Control+S');
    await waitFor('the typed code on disk', async () => fs.readFileSync(leakyPath, 'utf8').includes('first_line'));
    await runCommand(page, 'unleak: Trace leaks while running');
    const runtimeRow = page.locator('.markers-panel .monaco-list-row', { hasText: 'leaked at run time' }).first();
    await runtimeRow.waitFor({ timeout: STEP_MS * 4 });
    result.traceProblems = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    result.traceReport = JSON.parse(fs.readFileSync(path.join(dirs.workspace, '.unleak', 'trace.json'), 'utf8'));
    await waitFor('the static finding marked confirmed', async () => (await page.locator('.markers-panel .monaco-list-row', { hasText: 'confirmed at run time' }).count()) === 1);
    result.traceProblems = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    log(`runtime leak reported: ${JSON.stringify(result.traceProblems)}`);
    await screenshot(page, 'trace');

    // 8. Type an unfinished function after the leak: `def `, `f = `, `return f.`. While the
    // line is being typed no syntax error appears on it (one shows after a pause of about a
    // second); the other diagnostics are still shown.
    await page.keyboard.press('Escape');
    await editor(page).locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    // A top-level function: drop the indentation the editor carried over from `return ...`.
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    const typing = {};
    result.typing = typing;
    const sample = async (name, line) => {
      await page.waitForTimeout(400); // less than the pause, more than an analysis takes
      typing[name] = { errorLines: await errorLines(page), squiggleLines: await squiggleLines(page), line, problems: await problemRows(page) };
      log(`typing ${name}: ${JSON.stringify(typing[name])}`);
      await screenshot(page, `typing-${name}`);
    };
    await page.keyboard.type('def ', { delay: 60 });
    await sample('def', 9);
    await page.keyboard.type('reader(path):', { delay: 60 });
    await page.keyboard.press('Enter');
    await page.keyboard.type('f = ', { delay: 60 });
    await sample('assign', 10);
    // A pause with the line unfinished: now its syntax error shows.
    const paused = Date.now();
    await waitFor('the syntax error after a pause', async () => (await errorLines(page)).includes(10), STEP_MS, 100);
    typing.pausedErrorAfterMs = Date.now() - paused;
    // The Problems panel is re-rendered a moment after the squiggle: wait for its row too.
    await waitFor('the syntax error listed in Problems', async () => (await problemRows(page)).some((p) => p.includes('UL001')), STEP_MS, 100);
    typing.paused = { errorLines: await errorLines(page), squiggleLines: await squiggleLines(page), problems: await problemRows(page) };
    log(`typing paused: ${JSON.stringify(typing.paused)} after ${typing.pausedErrorAfterMs} ms`);
    await screenshot(page, 'typing-paused');
    await page.keyboard.type('open(path)', { delay: 60 });
    await page.keyboard.press('Enter');
    await page.keyboard.type('return f.', { delay: 60 });
    await sample('attribute', 11);
    await page.keyboard.type('read()', { delay: 60 });
    await waitFor(
      'the finished function flagged (line 10) and no syntax error',
      async () => JSON.stringify(await squiggleLines(page)) === '[7,10]' && (await errorLines(page)).length === 0,
      STEP_MS,
    );
    typing.done = { errorLines: await errorLines(page), squiggleLines: await squiggleLines(page) };
    typing.text = await editorText(page);
    await screenshot(page, 'typing-done');

    // 8b. Type an unfinished line inside the flagged function, above its leak: while the
    // function does not parse, its warning stays on (moved down a line with the edit) and no
    // syntax error shows. Sampled every 15 ms in the page, so a blink between two samples of
    // a few hundred ms would not go unseen.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End'); // end of `def reader(path):` (line 9)
    await page.keyboard.press('Enter'); // VS Code indents the body
    await waitFor('the flagged line moved to line 11', async () => JSON.stringify(await squiggleLines(page)) === '[7,11]', STEP_MS, 50);
    await startRecording(page);
    // (`(` is closed by the editor as it is typed: an open bracket is never unfinished here.)
    await page.keyboard.type('n = path.', { delay: 60 });
    await screenshot(page, 'typing-inside-unfinished'); // less than the pause
    await page.keyboard.type('upper()', { delay: 60 });
    await page.waitForTimeout(1500); // past the pause: the finished line settles
    const samples = await stopRecording(page);
    const unfinished = samples.filter((s) => /^ +n =( | path\.)?$/m.test(s.text));
    typing.blink = {
      samples: samples.length,
      unfinishedSamples: unfinished.length,
      withoutWarning: samples.filter((s) => !(s.lines.includes(7) && s.lines.includes(11))).map(({ ms, lines, errors }) => ({ ms, lines, errors })),
      withError: samples.filter((s) => s.errors.length > 0).map(({ ms, lines, errors }) => ({ ms, lines, errors })),
      spanMs: samples.length ? samples[samples.length - 1].ms - samples[0].ms : 0,
    };
    typing.blinkDone = { errorLines: await errorLines(page), squiggleLines: await squiggleLines(page), text: await editorText(page) };
    log(`typing inside the function: ${JSON.stringify(typing.blink)}; then ${JSON.stringify(typing.blinkDone.squiggleLines)}`);
    await screenshot(page, 'typing-inside-done');

    // 9. A file whose analysis fails (an internal error, on purpose): a notification with
    // Show Logs, and the status item in an error state.
    await openFile(page, `${FAULT_MARKER}.py`);
    const toast = page.locator('.notification-toast', { hasText: `could not check ${FAULT_MARKER}.py` }).first();
    await toast.waitFor({ timeout: STEP_MS * 2 });
    result.faultNotification = await toast.innerText();
    result.faultSquiggles = await squiggles(page);
    log(`fault notification: ${JSON.stringify(result.faultNotification)}`);
    // The toast slides in from the bottom: its screenshot once it is all in the window.
    const showLogs = toast.locator('.monaco-button', { hasText: 'Show Logs' }).first();
    await waitFor('the notification in full view', async () => {
      const box = await showLogs.boundingBox();
      return box !== null && box.y + box.height <= 900 - 20;
    }, STEP_MS, 100);
    await page.waitForTimeout(300);
    await screenshot(page, 'fault-notification');
    // Show Logs: the unleak output channel with the traceback (its end: the injected fault).
    await showLogs.click();
    const output = page.locator('.panel .monaco-editor .view-lines', { hasText: /internal error|UNLEAK_LSP_FAULT/ }).first();
    result.faultLogsShown = await output.waitFor({ timeout: STEP_MS }).then(() => true, () => false);
    result.faultLogs = result.faultLogsShown ? (await output.innerText()).replace(/\u00a0/g, ' ') : '';
    log(`logs shown: ${result.faultLogsShown}`);
    await screenshot(page, 'fault-logs');
    // The status item (its hover) says the document could not be checked.
    result.faultStatus = await languageStatus(page);
    log(`status: ${JSON.stringify(result.faultStatus)}`);
    await screenshot(page, 'fault-status');
    await dismissHover(page);
    // 9b. Failing again (an edit) does not notify again; the status item still says so. The
    // edit undone and the file closed, the status item is back to ready.
    await editor(page).locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# edited', { delay: 30 });
    await page.waitForTimeout(2500);
    result.faultToastsAfterEdit = await page.locator('.notification-toast', { hasText: `could not check ${FAULT_MARKER}.py` }).count();
    result.faultStatusAfterEdit = await languageStatus(page);
    await dismissHover(page);
    await page.keyboard.press('Escape');
    await editor(page).locator('.view-lines').click();
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('Control+Z');
    await waitFor('the edit undone', async () => !(await editorText(page)).includes('# edited'));
    await page.locator(`.tab.active[aria-label^="${FAULT_MARKER}.py"]`).waitFor({ timeout: STEP_MS });
    await page.keyboard.press('Control+W');
    await page.locator(`.tab[aria-label^="${FAULT_MARKER}.py"]`).waitFor({ state: 'detached', timeout: STEP_MS });
    result.statusAfterClose = await waitFor('the status item back to ready', async () => {
      const text = await languageStatus(page);
      await dismissHover(page);
      return text.startsWith('unleak: ready') ? text : false;
    }, STEP_MS, 500);
    log(`after the fault: toasts ${result.faultToastsAfterEdit}, status ${JSON.stringify(result.statusAfterClose)}`);

    // 10. A notebook: the leak in its cell is flagged; the quick fix applies in the cell; saved.
    await openFile(page, 'notebook.ipynb');
    const cellSquiggle = page.locator('.cell-editor-container .squiggly-warning').first();
    await cellSquiggle.waitFor({ timeout: FIRST_DIAGNOSTICS_MS });
    const cellBox = await cellSquiggle.boundingBox();
    if (!cellBox) fail('the notebook squiggle has no bounding box');
    result.notebookSquiggles = await page.locator('.cell-editor-container .squiggly-warning').count();
    await screenshot(page, 'notebook-squiggle');
    await page.mouse.click(cellBox.x + 3, cellBox.y + cellBox.height / 2);
    await page.waitForTimeout(300);
    const cellMenu = page.locator('.action-widget', { hasText: 'Quick Fix' }).first();
    const cellFix = cellMenu.locator('.monaco-list-row', { hasText: 'UL101' }).filter({ hasNotText: 'Ignore' }).first();
    // Each attempt clicks the squiggle where it is now (the notebook's layout may still move
    // after it first shows: its toolbar, the kernel picker, a notification) and records what
    // the menu offered when the fix was not there, for the failure message.
    result.notebookAttempts = [];
    await waitFor('the quick fix menu in the notebook cell', async () => {
      await page.keyboard.press('Escape');
      const box = await cellSquiggle.boundingBox();
      if (!box) {
        result.notebookAttempts.push('no squiggle');
        return false;
      }
      await page.mouse.click(box.x + 3, box.y + box.height / 2);
      await page.keyboard.press('Control+.');
      const shown = await cellFix.waitFor({ timeout: 5000 }).then(() => true, () => false);
      if (!shown) {
        const rows = await cellMenu.locator('.monaco-list-row').allInnerTexts().catch(() => []);
        const focus = await page.evaluate(() => document.activeElement?.className ?? '').catch(() => '');
        result.notebookAttempts.push(`menu rows ${JSON.stringify(rows)}; focus ${JSON.stringify(String(focus).slice(0, 80))}`);
        log(`notebook quick fix attempt: ${result.notebookAttempts.at(-1)}`);
      }
      return shown;
    }, STEP_MS * 2, 500);
    result.notebookActions = await cellMenu.locator('.monaco-list-row').allInnerTexts();
    await screenshot(page, 'notebook-quick-fix');
    await cellFix.click();
    const cellText = () => page.locator('.cell-editor-container .view-lines').first().innerText();
    await waitFor('the fixed cell', async () => (await cellText()).replace(/\u00a0/g, ' ').includes('with open(path) as f:'));
    await waitFor('the notebook squiggle to go', async () => (await page.locator('.cell-editor-container .squiggly-warning').count()) === 0);
    result.notebookCell = (await cellText()).replace(/\u00a0/g, ' ');
    await page.keyboard.press('Control+S');
    await waitFor('the fixed notebook on disk', async () => fs.readFileSync(notebookPath, 'utf8').includes('with open(path) as f:'));
    result.notebookSaved = JSON.parse(fs.readFileSync(notebookPath, 'utf8')).cells[0].source.join('');
    log(`notebook fixed: ${JSON.stringify(result.notebookSaved)}`);
    await screenshot(page, 'notebook-fixed');

    // 11. Restart the server (command palette): the status item says "starting", then "ready"
    // with the Python it runs on; the log has the clean exit as information, not as an error.
    await page.locator('.tab[aria-label^="leaky.py"]').first().click();
    await page.locator('.tab.active[aria-label^="leaky.py"]').waitFor({ timeout: STEP_MS });
    await editor(page).locator('.view-lines').waitFor({ timeout: STEP_MS });
    await runCommand(page, 'unleak: Restart Server');
    const statuses = new Set();
    result.statusAfterRestart = await waitFor('the status item ready after the restart', async () => {
      const text = await languageStatus(page);
      await dismissHover(page);
      statuses.add(text.split('\n')[0]);
      const log = unleakLog(dirs.userData);
      // Ready again, and the old server's exit logged.
      return text.startsWith('unleak: ready') && /the server process exited/.test(log) ? text : false;
    }, STEP_MS * 2, 300);
    result.statusesSeenOnRestart = [...statuses];
    await page.locator('[id="status.languageStatus"]').first().hover();
    await page.locator('.monaco-hover:not(.hidden) .hover-language-status').first().waitFor({ timeout: 10000 });
    await screenshot(page, 'restart-status');
    await dismissHover(page);
    result.restartLog = unleakLog(dirs.userData);
    log(`restarted: ${JSON.stringify(result.statusAfterRestart)}; seen ${JSON.stringify(result.statusesSeenOnRestart)}`);
    result.ok = true;
  } catch (error) {
    result.ok = false;
    result.error = error instanceof StepError ? error.message : String(error?.stack ?? error);
    log(`FAILED: ${result.error}`);
    if (page) {
      const file = path.join(ARTIFACTS, 'failure.png');
      await page.screenshot({ path: file }).catch(() => {});
      result.screenshots.push(file);
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    killGroup(server);
    // The extension's output (the server's log) is in the user data folder.
    const logs = path.join(dirs.userData, 'logs');
    if (fs.existsSync(logs)) {
      fs.cpSync(logs, path.join(ARTIFACTS, 'vscode-logs'), { recursive: true });
      const own = fs.readdirSync(logs, { recursive: true }).filter((f) => /unleak\.unleak[\\/][^\\/]+\.log$/.test(f));
      result.extensionLogs = own.map((f) => path.join(ARTIFACTS, 'vscode-logs', f));
      if (!result.ok) {
        result.extensionLogTail = own
          .map((f) => fs.readFileSync(path.join(logs, f), 'utf8').split('\n').slice(-80).join('\n'))
          .join('\n');
      }
    }
    fs.rmSync(run, { recursive: true, force: true });
    result.seconds = (Date.now() - started) / 1000;
    writeResult();
  }
  return result.ok ? 0 : 1;
}

// Killed (SIGTERM from the test's timeout) or out of time: stop code-server's process group
// and leave what is known.
const running = { server: undefined };
const abandon = (why) => {
  result.ok = false;
  result.error = why;
  killGroup(running.server);
  try {
    writeResult();
  } catch {
    // no artefacts folder
  }
  process.exit(1);
};
process.on('SIGTERM', () => abandon('the driver was terminated (SIGTERM)'));
process.on('SIGINT', () => abandon('the driver was interrupted (SIGINT)'));
const TOTAL_MS = Number(env('UNLEAK_E2E_TOTAL_MS', '690000'));
setTimeout(() => abandon(`watchdog: the run took longer than ${TOTAL_MS / 1000} s`), TOTAL_MS).unref();

let code = 1;
try {
  code = await main();
} catch (error) {
  result.ok = false;
  result.error = error instanceof StepError ? error.message : String(error?.stack ?? error);
  console.error(result.error);
  try {
    writeResult();
  } catch {
    // no artefacts folder
  }
}
process.exit(code);
